import type { RunRecord } from '@engram/api-client';
import { Option, formatNumber, render } from './charts';
import { h } from './dom';
import { EnergyBar, energyBars } from './energy-breakdown';

/**
 * Components in a fixed order, each with its own colour: the chip's in warm hues, the digital
 * baseline's in cool ones (pointSampling exists on both sides). Others (energy model 1's keys)
 * follow in grey.
 */
const COMPONENT_COLORS: Readonly<Record<string, string>> = {
  crossbarArrayPj: '#e15759',
  adcPj: '#f28e2b',
  dacPj: '#edc948',
  accumulatePj: '#ff9da7',
  activationBufferPj: '#9c755f',
  digitalPj: '#b07aa1',
  pointSamplingPj: '#bab0ac',
  camSearchPj: '#d37295',
  camReadoutPj: '#fabfd2',
  macPj: '#4e79a7',
  registerFilePj: '#76b7b2',
  arrayPj: '#59a14f',
  bufferPj: '#8cd17d',
  dramPj: '#1f3b5a',
  digitalOpsPj: '#86bcb6',
  searchPj: '#a0cbe8',
};
const KNOWN_ORDER = Object.keys(COMPONENT_COLORS);

function barsOption(bars: readonly EnergyBar[]): Option {
  const present = new Set(bars.flatMap((b) => Object.keys(b.componentsPj)));
  const components = [
    ...KNOWN_ORDER.filter((c) => present.has(c)),
    ...[...present].filter((c) => !(c in COMPONENT_COLORS)).sort(),
  ];
  return {
    legend: { top: 0, type: 'scroll' },
    grid: { left: 220, right: 20, top: 36, bottom: 36 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: unknown) => `${formatNumber(v)} pJ`,
    },
    xAxis: { type: 'value', name: 'pJ per inference', nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'category', data: bars.map((b) => b.label), inverse: true },
    series: components.map((component) => ({
      id: `energy:${component}`,
      name: component.replace(/Pj$/, ''),
      type: 'bar',
      stack: 'energy',
      color: COMPONENT_COLORS[component] ?? '#999999',
      data: bars.map((b) => b.componentsPj[component] ?? 0),
    })),
  };
}

/**
 * The energy breakdown panel of a sweep page: chip and digital baseline side by side per
 * configuration, by component. Results of energy model 1 (no digital breakdown) show the chip only.
 */
export function createEnergyPanel(): {
  id: string;
  element: HTMLElement;
  update(runs: readonly RunRecord[], configAxes: readonly string[]): void;
} {
  const id = 'energy-breakdown';
  const chart = h('div', { class: 'chart', id: `chart-${id}` });
  const element = h(
    'section',
    { class: 'panel', 'data-chart': id },
    h('h2', {}, 'Energy per inference by component: chip vs digital baseline'),
    chart,
    h(
      'p',
      { class: 'note' },
      'Mean over seeds. Chip: the dynamic run. Digital: the static network on the baseline named in the label (docs/energy-model.md).',
    ),
  );
  let drawn = false;
  return {
    id,
    element,
    update(runs, configAxes) {
      const bars = energyBars(runs, configAxes);
      chart.style.height = `${Math.max(260, 80 + bars.length * 26)}px`;
      render(id, chart, barsOption(bars), drawn ? 'data' : 'view');
      drawn = true;
    },
  };
}
