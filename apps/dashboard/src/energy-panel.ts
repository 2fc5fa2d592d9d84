import type { RunRecord } from '@engram/api-client';
import { Option, formatNumber } from './charts';
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

function barsOption(bars: readonly EnergyBar[], top: number): Option {
  const present = new Set(bars.flatMap((b) => Object.keys(b.componentsPj)));
  const components = [
    ...KNOWN_ORDER.filter((c) => present.has(c)),
    ...[...present].filter((c) => !(c in COMPONENT_COLORS)).sort(),
  ];
  return {
    legend: { top: top - 34, type: 'scroll' },
    grid: { left: 220, right: 20, top, bottom: 36 },
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
 * The energy chart: for each configuration, the chip's energy per inference next to the digital
 * baseline's (the static network on the baseline named in the label), by component. Results of
 * energy model 1 (no digital breakdown) show the chip only. `top` is the room left for the title.
 */
export function energyDrawing(
  runs: readonly RunRecord[],
  configAxes: readonly string[],
  element: HTMLElement,
  top: number,
): { title: string; subtitle: string; option: Option } {
  const bars = energyBars(runs, configAxes);
  element.style.height = `${Math.max(300, top + 60 + bars.length * 26)}px`;
  return {
    title: 'Energy per inference by component: chip vs digital baseline',
    subtitle:
      'Mean over seeds. Chip: the dynamic run. Digital: the static network on the baseline named in the label (docs/energy-model.md).',
    option: barsOption(bars, top + 34),
  };
}
