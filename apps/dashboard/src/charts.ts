// ECharts, tree-shaken: only the charts and components the dashboard draws; canvas on the page,
// SVG for the SVG export.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  LineChart,
  ParallelChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
  SVGRenderer,
]);

export type Chart = echarts.ECharts;
export type Option = echarts.EChartsCoreOption;

declare global {
  interface Window {
    /** Every chart on the page by id, so tests can read `getOption()` instead of pixels. */
    __engramCharts: Record<string, Chart>;
  }
}

window.__engramCharts = {};

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) echarts.getInstanceByDom(entry.target as HTMLElement)?.resize();
});

/**
 * Draws the chart of an element, reusing its ECharts instance; registered under `id` for tests.
 * `view`: a new view (a drop-down changed), drawn from scratch; `data`: the same view over newer
 * results, merged so that what the user set on the chart itself (legend toggles) stays.
 */
export function render(
  id: string,
  element: HTMLElement,
  option: Option,
  change: 'view' | 'data' = 'view',
): Chart {
  let chart = echarts.getInstanceByDom(element);
  if (!chart) {
    chart = echarts.init(element, undefined, { renderer: 'canvas' });
    resizer.observe(element);
  }
  chart.setOption(
    { animation: false, color: PALETTE, ...option },
    change === 'view'
      ? { notMerge: true }
      : { replaceMerge: ['series', 'xAxis', 'yAxis', 'parallelAxis'] },
  );
  window.__engramCharts[id] = chart;
  return chart;
}

/** Disposes a chart (its page is left). */
export function dispose(id: string): void {
  const chart = window.__engramCharts[id];
  if (!chart) return;
  resizer.unobserve(chart.getDom());
  chart.dispose();
  delete window.__engramCharts[id];
}

/** Disposes every chart (when the view changes). */
export function disposeAll(): void {
  Object.keys(window.__engramCharts).forEach(dispose);
}

/**
 * A chart as a file: PNG as drawn on the page (twice the resolution, white background), or SVG
 * redrawn from the same option by ECharts' SVG renderer at the chart's size.
 */
export async function chartImage(id: string, format: 'png' | 'svg'): Promise<Blob> {
  const chart = window.__engramCharts[id];
  if (!chart) throw new Error(`no chart ${id} on this page`);
  if (format === 'png') {
    const url = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
    return (await fetch(url)).blob();
  }
  const svg = echarts.init(null, undefined, {
    renderer: 'svg',
    ssr: true,
    width: chart.getWidth(),
    height: chart.getHeight(),
  });
  try {
    svg.setOption({ ...chart.getOption(), animation: false, backgroundColor: '#fff' });
    return new Blob([svg.renderToSVGString()], { type: 'image/svg+xml' });
  } finally {
    svg.dispose();
  }
}

export function formatNumber(value: unknown): string {
  if (typeof value !== 'number') return value === null || value === undefined ? '' : String(value);
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3))
    return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}
