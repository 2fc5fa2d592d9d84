import type { RunRecord, SweepDetail, SweepProgress } from '@engram/api-client';
import { client, followSweep } from './api';
import { Option, PALETTE, formatNumber, render } from './charts';
import {
  RunRow,
  Value,
  compareValues,
  configurations,
  meanExitFractions,
  meanMetric,
  metricByAxis,
  metricNames,
  paretoFront,
  shortName,
  varyingAxes,
} from './data';
import { duration, h, progressBar, select } from './dom';
import { renderResultsTable } from './results-table';

const TERMINAL = new Set(['completed', 'completed_with_failures', 'cancelled']);
const DEFAULT_PARALLEL_METRICS = [
  'dynamicAccuracy',
  'computeReduction',
  'energyPerInferencePj',
  'energyReductionVsDigital',
];

interface Context {
  sweep: SweepProgress;
  runs: RunRecord[];
  /** Axes that vary across the runs (grid axes first). */
  axes: string[];
  /** Axes defining a configuration: every varying axis but seed. */
  configAxes: string[];
  metrics: string[];
}

async function allResults(sweepId: string): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (;;) {
    const page = await client().results(sweepId, {
      limit: 1000,
      offset: runs.length,
      sort: 'runIndex',
    });
    runs.push(...page.items);
    if (page.items.length === 0 || runs.length >= page.total) return runs;
  }
}

const label = (axis: string, value: Value) => `${shortName(axis)}=${value}`;
const axisOptions = (axes: string[]) => axes.map((a) => ({ value: a, text: a }));
const metricOptions = (metrics: string[]) => metrics.map((m) => ({ value: m, text: m }));
const groupOptions = (axes: string[]) => [{ value: '', text: '(none)' }, ...axisOptions(axes)];

function pick(preferred: string, available: string[], fallback = available[0] ?? ''): string {
  return available.includes(preferred) ? preferred : fallback;
}

/** A titled panel: a row of drop-downs over a chart; `draw` renders with the current choices. */
function chartPanel(
  id: string,
  title: string,
  note: string,
  controls: (redraw: () => void) => HTMLElement[],
  draw: (element: HTMLElement) => Option,
): HTMLElement {
  const chartElement = h('div', { class: 'chart', id: `chart-${id}` });
  const redraw = () => render(id, chartElement, draw(chartElement));
  const panel = h(
    'section',
    { class: 'panel', 'data-chart': id },
    h('h2', {}, title),
    h('div', { class: 'controls' }, ...controls(redraw)),
    chartElement,
    h('p', { class: 'note' }, note),
  );
  queueMicrotask(redraw);
  return panel;
}

function xAxisFor(values: Value[], name: string) {
  const numeric = values.every((v) => typeof v === 'number');
  return numeric
    ? { type: 'value' as const, name, nameLocation: 'middle' as const, nameGap: 28, scale: true }
    : {
        type: 'category' as const,
        name,
        nameLocation: 'middle' as const,
        nameGap: 28,
        data: values.map(String),
      };
}

const yAxis = (name: string) => ({
  type: 'value' as const,
  name,
  nameLocation: 'middle' as const,
  nameGap: 48,
  scale: true,
});

/** Metric against an axis, one line per value of a second axis: mean with a ±1 std band. */
function metricVsAxisPanel(
  context: Context,
  id: string,
  title: string,
  defaults: { x: string; group: string; metric: string },
): HTMLElement {
  const numericAxes = context.axes;
  const state = {
    x: pick(defaults.x, numericAxes),
    group: pick(defaults.group, numericAxes, ''),
    metric: pick(defaults.metric, context.metrics),
  };
  return chartPanel(
    id,
    title,
    'Mean over seeds (and any axis not shown) with a ±1 standard deviation band; dashed: float software accuracy.',
    (redraw) => [
      select('x', 'x', axisOptions(numericAxes), state.x, (v) => ((state.x = v), redraw())),
      select(
        'y',
        'metric',
        metricOptions(context.metrics),
        state.metric,
        (v) => ((state.metric = v), redraw()),
      ),
      select(
        'lines per',
        'group',
        groupOptions(numericAxes),
        state.group,
        (v) => ((state.group = v), redraw()),
      ),
    ],
    () => {
      const groups = metricByAxis(context.runs, state.x, state.group || null, state.metric);
      const xValues = [...new Set(groups.flatMap((g) => g.points.map((p) => p.x)))].sort(
        compareValues,
      );
      const categorical = !xValues.every((v) => typeof v === 'number');
      const xOf = (x: Value) => (categorical ? String(x) : x);
      const series: Record<string, unknown>[] = [];
      const names: string[] = [];
      groups.forEach((group, i) => {
        const color = PALETTE[i % PALETTE.length];
        const name = state.group ? label(state.group, group.group) : state.metric;
        names.push(name);
        // The band is the std width stacked on mean - std; 'all' stacks whatever the signs (the
        // default, 'samesign', drops a negative lower bound and draws the band from 0).
        const stack = `band:${i}`;
        const stackStrategy = 'all';
        series.push(
          {
            id: `band-low:${i}`,
            name,
            type: 'line',
            stack,
            stackStrategy,
            symbol: 'none',
            silent: true,
            lineStyle: { opacity: 0 },
            tooltip: { show: false },
            data: group.points.map((p) => [xOf(p.x), p.mean - p.std]),
          },
          {
            id: `band:${i}`,
            name,
            type: 'line',
            stack,
            stackStrategy,
            symbol: 'none',
            silent: true,
            lineStyle: { opacity: 0 },
            areaStyle: { color, opacity: 0.18 },
            tooltip: { show: false },
            data: group.points.map((p) => [xOf(p.x), 2 * p.std]),
          },
          {
            id: `mean:${i}`,
            name,
            type: 'line',
            color,
            symbolSize: 7,
            data: group.points.map((p) => ({
              value: [xOf(p.x), p.mean],
              std: p.std,
              n: p.n,
            })),
          },
        );
      });
      const software = meanMetric(context.runs, 'softwareAccuracy');
      if (/Accuracy$/.test(state.metric) && Number.isFinite(software) && xValues.length > 0) {
        const name = 'software (float)';
        names.push(name);
        series.push({
          id: 'reference:softwareAccuracy',
          name,
          type: 'line',
          symbol: 'none',
          color: '#333',
          lineStyle: { type: 'dashed', width: 1.5 },
          data: [
            [xOf(xValues[0]), software],
            [xOf(xValues[xValues.length - 1]), software],
          ],
        });
      }
      return {
        legend: { data: names, top: 0, type: 'scroll' },
        grid: { left: 64, right: 20, top: 36, bottom: 44 },
        tooltip: { trigger: 'item' },
        xAxis: xAxisFor(xValues, state.x),
        yAxis: yAxis(state.metric),
        series,
      };
    },
  );
}

/** Metric against metric per configuration (grid point), one line per value of an axis. */
function tradeOffPanel(context: Context): HTMLElement {
  const state = {
    x: pick('computeReduction', context.metrics),
    y: pick('dynamicAccuracy', context.metrics),
    group: pick('memorySize', context.configAxes, ''),
  };
  return chartPanel(
    'tradeoff',
    'Trade-off: accuracy vs compute reduction',
    'One point per configuration (mean over seeds), one line per value of the chosen axis, ordered by x.',
    (redraw) => [
      select('x', 'x', metricOptions(context.metrics), state.x, (v) => ((state.x = v), redraw())),
      select('y', 'y', metricOptions(context.metrics), state.y, (v) => ((state.y = v), redraw())),
      select(
        'lines per',
        'group',
        groupOptions(context.configAxes),
        state.group,
        (v) => ((state.group = v), redraw()),
      ),
    ],
    () => {
      const configs = configurations(context.runs, context.configAxes);
      const groups = state.group
        ? [...new Set(configs.map((c) => c.values[state.group]))].sort(compareValues)
        : [null];
      const series = groups.map((group, i) => {
        const points = configs
          .filter((c) => !state.group || c.values[state.group] === group)
          .map((c) => ({
            value: [meanMetric(c.runs, state.x), meanMetric(c.runs, state.y)],
            config: c.label,
          }))
          .sort((a, b) => a.value[0] - b.value[0]);
        return {
          id: `tradeoff:${i}`,
          name: state.group ? label(state.group, group) : 'configurations',
          type: 'line',
          symbolSize: 8,
          data: points,
        };
      });
      return {
        legend: { top: 0, type: 'scroll' },
        grid: { left: 64, right: 20, top: 36, bottom: 44 },
        tooltip: {
          trigger: 'item',
          formatter: (p: { data: { config: string; value: number[] } }) =>
            `${p.data.config}<br>${state.x}: ${formatNumber(p.data.value[0])}<br>${state.y}: ${formatNumber(p.data.value[1])}`,
        },
        xAxis: { ...yAxis(state.x), nameGap: 28 },
        yAxis: yAxis(state.y),
        series,
      };
    },
  );
}

/** Energy vs accuracy per configuration, with the Pareto front (least x for the most y). */
function paretoPanel(context: Context): HTMLElement {
  const state = {
    x: pick('energyPerInferencePj', context.metrics),
    y: pick('dynamicAccuracy', context.metrics),
  };
  return chartPanel(
    'pareto',
    'Energy per inference vs accuracy (Pareto front)',
    'One point per configuration (mean over seeds); red: the Pareto front, lowest x for the highest y.',
    (redraw) => [
      select(
        'x (minimize)',
        'x',
        metricOptions(context.metrics),
        state.x,
        (v) => ((state.x = v), redraw()),
      ),
      select(
        'y (maximize)',
        'y',
        metricOptions(context.metrics),
        state.y,
        (v) => ((state.y = v), redraw()),
      ),
    ],
    () => {
      const configs = configurations(context.runs, context.configAxes);
      const points = configs.map((c) => ({
        x: meanMetric(c.runs, state.x),
        y: meanMetric(c.runs, state.y),
        config: c.label,
      }));
      const front = paretoFront(points);
      const data = (indices: number[]) =>
        indices.map((i) => ({ value: [points[i].x, points[i].y], config: points[i].config }));
      return {
        legend: { top: 0 },
        grid: { left: 64, right: 20, top: 36, bottom: 44 },
        tooltip: {
          trigger: 'item',
          formatter: (p: { data: { config: string; value: number[] } }) =>
            `${p.data.config}<br>${state.x}: ${formatNumber(p.data.value[0])}<br>${state.y}: ${formatNumber(p.data.value[1])}`,
        },
        xAxis: { ...yAxis(state.x), nameGap: 28 },
        yAxis: yAxis(state.y),
        series: [
          {
            id: 'configurations',
            name: 'configurations',
            type: 'scatter',
            symbolSize: 9,
            color: '#4e79a7',
            data: data(points.map((_, i) => i)),
          },
          {
            id: 'pareto',
            name: 'Pareto front',
            type: 'line',
            step: 'end',
            symbolSize: 11,
            color: '#e15759',
            lineStyle: { width: 2 },
            z: 3,
            data: data(front),
          },
        ],
      };
    },
  );
}

/** Where samples left the network, per configuration: stacked bars, one series per exit. */
function exitsPanel(context: Context): HTMLElement {
  const state = { scale: 'fraction' };
  return chartPanel(
    'exits',
    'Exit histogram per configuration',
    'Share of samples that left at each exit (mean over seeds); the last segment is the final classifier.',
    (redraw) => [
      select(
        'show',
        'scale',
        [
          { value: 'fraction', text: 'fraction of samples' },
          { value: 'samples', text: 'samples' },
        ],
        state.scale,
        (v) => ((state.scale = v), redraw()),
      ),
    ],
    (element) => {
      const configs = configurations(context.runs, context.configAxes);
      const fractions = configs.map((c) => meanExitFractions(c.runs));
      const samples = configs.map((c) => meanMetric(c.runs, 'samples'));
      const exits = Math.max(0, ...fractions.map((f) => f.length));
      element.style.height = `${Math.max(260, 80 + configs.length * 26)}px`;
      return {
        legend: { top: 0 },
        grid: { left: 150, right: 20, top: 36, bottom: 36 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: {
          type: 'value',
          max: state.scale === 'fraction' ? 1 : undefined,
          name: state.scale === 'fraction' ? 'fraction of samples' : 'samples',
          nameLocation: 'middle',
          nameGap: 24,
        },
        yAxis: { type: 'category', data: configs.map((c) => c.label), inverse: true },
        series: Array.from({ length: exits }, (_, e) => ({
          id: `exit:${e}`,
          name: e === exits - 1 ? 'final' : `exit ${e + 1}`,
          type: 'bar',
          stack: 'exits',
          barMaxWidth: 22,
          data: fractions.map((f, i) => {
            const value = f[e] ?? 0;
            return state.scale === 'fraction' ? value : Math.round(value * (samples[i] || 0));
          }),
        })),
      };
    },
  );
}

/** Every run as a line through the varying axes and the chosen metrics. */
function parallelPanel(context: Context): HTMLElement {
  const chosen = new Set(DEFAULT_PARALLEL_METRICS.filter((m) => context.metrics.includes(m)));
  const state = { color: pick('camThreshold', context.configAxes, context.configAxes[0] ?? '') };
  return chartPanel(
    'parallel',
    'Parallel coordinates: all axes and metrics',
    'One line per run. Drag along an axis to brush a range.',
    (redraw) => [
      select(
        'color by',
        'color',
        groupOptions(context.axes),
        state.color,
        (v) => ((state.color = v), redraw()),
      ),
      h(
        'span',
        { class: 'checks' },
        ...context.metrics.map((metric) => {
          const box = h('input', {
            type: 'checkbox',
            name: `metric-${metric}`,
            checked: chosen.has(metric),
          });
          box.addEventListener('change', () => {
            if (box.checked) chosen.add(metric);
            else chosen.delete(metric);
            redraw();
          });
          return h('label', { class: 'check' }, box, metric);
        }),
      ),
    ],
    () => {
      const metrics = context.metrics.filter((m) => chosen.has(m));
      const dims = [...context.axes, ...metrics];
      const colorValues = state.color
        ? [...new Set(context.runs.map((r) => r.parameters[state.color] ?? null))].sort(
            compareValues,
          )
        : [null];
      const parallelAxis = dims.map((dim, i) => {
        const isAxis = i < context.axes.length;
        const values = isAxis
          ? [...new Set(context.runs.map((r) => r.parameters[dim] ?? null))]
          : [];
        const categorical = isAxis && !values.every((v) => typeof v === 'number');
        return categorical
          ? {
              dim: i,
              name: shortName(dim),
              type: 'category',
              data: values.sort(compareValues).map(String),
            }
          : { dim: i, name: isAxis ? shortName(dim) : dim, type: 'value', scale: true };
      });
      const row = (run: RunRecord) =>
        dims.map((dim, i) => {
          const value = i < context.axes.length ? run.parameters[dim] : run.metrics?.[dim];
          return typeof parallelAxis[i].type === 'string' && parallelAxis[i].type === 'category'
            ? String(value)
            : value;
        });
      return {
        legend: { top: 0, type: 'scroll' },
        tooltip: { trigger: 'item' },
        parallel: {
          left: 60,
          right: 110,
          top: 60,
          bottom: 30,
          parallelAxisDefault: { nameTextStyle: { fontSize: 11 }, nameGap: 10 },
        },
        parallelAxis,
        series: colorValues.map((value, i) => ({
          id: `runs:${i}`,
          name: state.color ? label(state.color, value) : 'runs',
          type: 'parallel',
          color: PALETTE[i % PALETTE.length],
          lineStyle: { width: 1.5, opacity: 0.6 },
          data: context.runs
            .filter((r) => !state.color || (r.parameters[state.color] ?? null) === value)
            .map(row),
        })),
      };
    },
  );
}

function header(sweep: SweepProgress): HTMLElement {
  const c = sweep.counts;
  return h(
    'div',
    { class: 'sweep-header', 'data-status': sweep.status },
    h('span', { class: `status status-${sweep.status}` }, sweep.status),
    progressBar(sweep.progress),
    h(
      'span',
      { class: 'counts' },
      `${c.succeeded + c.cached}/${sweep.runCount} runs done` +
        (c.running ? `, ${c.running} running` : '') +
        (c.queued ? `, ${c.queued} queued` : '') +
        (c.failed ? `, ${c.failed} failed` : '') +
        (TERMINAL.has(sweep.status)
          ? ` in ${duration(sweep.elapsedMs)}`
          : `, ETA ${duration(sweep.etaMs)}`),
    ),
  );
}

function specText(detail: SweepDetail): string {
  const spec = detail.spec as {
    grid?: Record<string, unknown[]>;
    fixed?: Record<string, unknown>;
    sampleCount?: number;
  };
  const grid = Object.entries(spec.grid ?? {}).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`);
  const fixed = Object.entries(spec.fixed ?? {}).map(([k, v]) => `${k} = ${v}`);
  return [...grid, ...fixed, spec.sampleCount ? `${spec.sampleCount} samples` : '']
    .filter(Boolean)
    .join('; ');
}

/** The sweep page: live progress, then the charts and the results table over its results. */
export async function renderSweepPage(root: HTMLElement, sweepId: string): Promise<() => void> {
  const detail = await client().getSweep(sweepId);
  const headerSlot = h('div', {}, header(detail));
  const body = h('div', { class: 'charts' });
  const view = h(
    'section',
    { class: 'view', 'data-view': 'sweep', 'data-sweep-id': sweepId },
    h('p', {}, h('a', { href: '#/' }, '← all sweeps')),
    h('h1', {}, detail.name),
    h(
      'p',
      { class: 'muted' },
      `${detail.model} · artifact ${detail.artifactVersion} · ${specText(detail)}`,
    ),
    headerSlot,
    body,
  );
  root.replaceChildren(view);

  let loadedDone = -1;
  const load = async (sweep: SweepProgress) => {
    const done = sweep.counts.succeeded + sweep.counts.cached;
    if (done === loadedDone) return;
    loadedDone = done;
    const runs = await allResults(sweepId);
    drawCharts(body, sweep, runs);
    if (TERMINAL.has(sweep.status)) view.dataset.ready = 'true';
  };
  await load(detail);
  if (TERMINAL.has(detail.status)) return () => undefined;

  let pending: ReturnType<typeof setTimeout> | undefined;
  const stop = followSweep(sweepId, (progress, ended) => {
    headerSlot.replaceChildren(header(progress));
    clearTimeout(pending);
    // Results arrive run by run: redraw at most every 2 s while running, at once at the end.
    pending = setTimeout(() => void load(progress), ended ? 0 : 2000);
  });
  return () => {
    clearTimeout(pending);
    stop();
  };
}

function drawCharts(body: HTMLElement, sweep: SweepProgress, records: RunRecord[]): void {
  const runs = records.filter((r) => r.metrics);
  if (runs.length === 0) {
    body.replaceChildren(h('p', { class: 'muted' }, 'No results yet.'));
    return;
  }
  const axes = varyingAxes(runs as RunRow[], sweep.gridAxes);
  const context: Context = {
    sweep,
    runs,
    axes,
    configAxes: axes.filter((a) => a !== 'seed'),
    metrics: metricNames(runs),
  };
  const firstAxis = (preferred: string) =>
    pick(preferred, context.configAxes, context.configAxes[0]);
  body.replaceChildren(
    h(
      'div',
      { class: 'grid' },
      metricVsAxisPanel(context, 'accuracy-noise', 'Accuracy vs programming noise', {
        x: firstAxis('programmingNoise'),
        group: 'camThreshold',
        metric: 'dynamicAccuracy',
      }),
      metricVsAxisPanel(context, 'reduction-threshold', 'Compute reduction vs CAM threshold', {
        x: firstAxis('camThreshold'),
        group: 'memorySize',
        metric: 'computeReduction',
      }),
      tradeOffPanel(context),
      paretoPanel(context),
    ),
    exitsPanel(context),
    parallelPanel(context),
    renderResultsTable(sweep.id, axes, context.metrics),
  );
}
