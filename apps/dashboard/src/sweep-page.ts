import type { RunRecord, SweepDetail, SweepProgress } from '@engram/api-client';
import { metricOf, parameterOf } from '@engram/api-client';
import { client, followSweep } from './api';
import { Option, PALETTE, dispose, formatNumber, render } from './charts';
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
import { ResultsTable, createResultsTable } from './results-table';

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

/** What the user chose in a panel's drop-downs; unset ones follow the defaults. */
type Choices<K extends string> = Partial<Record<K, string>>;

/** A chart panel of the sweep page, built once and updated in place with newer results. */
interface Panel {
  id: string;
  element: HTMLElement;
  update(context: Context): void;
}

/**
 * A titled panel: a row of drop-downs over a chart. `controls` and `draw` read the user's
 * choices, which the panel keeps across updates (an axis chosen stays chosen as results arrive).
 */
function chartPanel(
  id: string,
  title: string,
  note: string,
  controls: (context: Context, redraw: () => void) => HTMLElement[],
  draw: (context: Context, element: HTMLElement) => Option,
): Panel {
  const chartElement = h('div', { class: 'chart', id: `chart-${id}` });
  const controlRow = h('div', { class: 'controls' });
  const element = h(
    'section',
    { class: 'panel', 'data-chart': id },
    h('h2', {}, title),
    controlRow,
    chartElement,
    h('p', { class: 'note' }, note),
  );
  let context: Context | undefined;
  let choicesKey = '';
  const redraw = (change: 'view' | 'data') => {
    if (context) render(id, chartElement, draw(context, chartElement), change);
  };
  return {
    id,
    element,
    update(next) {
      const first = !context;
      context = next;
      // The drop-downs are rebuilt only when what they offer changes (an axis starts to vary),
      // so that one the user has open is not replaced under the pointer.
      const key = JSON.stringify([next.axes, next.configAxes, next.metrics]);
      if (key !== choicesKey) {
        choicesKey = key;
        controlRow.replaceChildren(...controls(next, () => redraw('view')));
      }
      redraw(first ? 'view' : 'data');
    },
  };
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
  id: string,
  title: string,
  defaults: { x: string; group: string; metric: string },
): Panel {
  const chosen: Choices<'x' | 'group' | 'metric'> = {};
  const current = (context: Context) => ({
    // The default x is the preferred configuration axis, else the first one.
    x: pick(chosen.x ?? pick(defaults.x, context.configAxes, context.configAxes[0]), context.axes),
    group: pick(chosen.group ?? defaults.group, context.axes, ''),
    metric: pick(chosen.metric ?? defaults.metric, context.metrics),
  });
  return chartPanel(
    id,
    title,
    'Mean over seeds (and any axis not shown) with a ±1 standard deviation band; dashed: float software accuracy.',
    (context, redraw) => {
      const state = current(context);
      return [
        select('x', 'x', axisOptions(context.axes), state.x, (v) => ((chosen.x = v), redraw())),
        select(
          'y',
          'metric',
          metricOptions(context.metrics),
          state.metric,
          (v) => ((chosen.metric = v), redraw()),
        ),
        select(
          'lines per',
          'group',
          groupOptions(context.axes),
          state.group,
          (v) => ((chosen.group = v), redraw()),
        ),
      ];
    },
    (context) => {
      const state = current(context);
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
function tradeOffPanel(): Panel {
  const chosen: Choices<'x' | 'y' | 'group'> = {};
  const current = (context: Context) => ({
    x: pick(chosen.x ?? 'computeReduction', context.metrics),
    y: pick(chosen.y ?? 'dynamicAccuracy', context.metrics),
    group: pick(chosen.group ?? 'memorySize', context.configAxes, ''),
  });
  return chartPanel(
    'tradeoff',
    'Trade-off: accuracy vs compute reduction',
    'One point per configuration (mean over seeds), one line per value of the chosen axis, ordered by x.',
    (context, redraw) => {
      const state = current(context);
      const metrics = metricOptions(context.metrics);
      return [
        select('x', 'x', metrics, state.x, (v) => ((chosen.x = v), redraw())),
        select('y', 'y', metrics, state.y, (v) => ((chosen.y = v), redraw())),
        select(
          'lines per',
          'group',
          groupOptions(context.configAxes),
          state.group,
          (v) => ((chosen.group = v), redraw()),
        ),
      ];
    },
    (context) => {
      const state = current(context);
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
function paretoPanel(): Panel {
  const chosen: Choices<'x' | 'y'> = {};
  const current = (context: Context) => ({
    x: pick(chosen.x ?? 'energyPerInferencePj', context.metrics),
    y: pick(chosen.y ?? 'dynamicAccuracy', context.metrics),
  });
  return chartPanel(
    'pareto',
    'Energy per inference vs accuracy (Pareto front)',
    'One point per configuration (mean over seeds); red: the Pareto front, lowest x for the highest y.',
    (context, redraw) => {
      const state = current(context);
      const metrics = metricOptions(context.metrics);
      return [
        select('x (minimize)', 'x', metrics, state.x, (v) => ((chosen.x = v), redraw())),
        select('y (maximize)', 'y', metrics, state.y, (v) => ((chosen.y = v), redraw())),
      ];
    },
    (context) => {
      const state = current(context);
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
function exitsPanel(): Panel {
  const state = { scale: 'fraction' };
  return chartPanel(
    'exits',
    'Exit histogram per configuration',
    'Share of samples that left at each exit (mean over seeds); the last segment is the final classifier.',
    (_context, redraw) => [
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
    (context, element) => {
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
function parallelPanel(): Panel {
  // The metrics shown: a set the check boxes edit, kept as it is across updates.
  const shown = new Set(DEFAULT_PARALLEL_METRICS);
  const chosen: Choices<'color'> = {};
  const colorOf = (context: Context) =>
    pick(
      chosen.color ?? pick('camThreshold', context.configAxes, context.configAxes[0] ?? ''),
      context.axes,
      '',
    );
  return chartPanel(
    'parallel',
    'Parallel coordinates: all axes and metrics',
    'One line per run. Drag along an axis to brush a range.',
    (context, redraw) => [
      select(
        'color by',
        'color',
        groupOptions(context.axes),
        colorOf(context),
        (v) => ((chosen.color = v), redraw()),
      ),
      h(
        'span',
        { class: 'checks' },
        ...context.metrics.map((metric) => {
          const box = h('input', {
            type: 'checkbox',
            name: `metric-${metric}`,
            checked: shown.has(metric),
          });
          box.addEventListener('change', () => {
            if (box.checked) shown.add(metric);
            else shown.delete(metric);
            redraw();
          });
          return h('label', { class: 'check' }, box, metric);
        }),
      ),
    ],
    (context) => {
      const state = { color: colorOf(context) };
      const metrics = context.metrics.filter((m) => shown.has(m));
      const dims = [...context.axes, ...metrics];
      const colorValues = state.color
        ? [...new Set(context.runs.map((r) => parameterOf(r, state.color)))].sort(compareValues)
        : [null];
      const parallelAxis = dims.map((dim, i) => {
        const isAxis = i < context.axes.length;
        const values = isAxis ? [...new Set(context.runs.map((r) => parameterOf(r, dim)))] : [];
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
          const value = i < context.axes.length ? parameterOf(run, dim) : metricOf(run, dim);
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
            .filter((r) => !state.color || parameterOf(r, state.color) === value)
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
  const results = sweepResults(body);

  let loadedDone = -1;
  let left = false;
  const load = async (sweep: SweepProgress) => {
    const done = sweep.counts.succeeded + sweep.counts.cached;
    if (done === loadedDone) return;
    const runs = await allResults(sweepId);
    // Left meanwhile: drawing now would create charts nobody disposes.
    if (left) return;
    loadedDone = done;
    view.dataset.runs = String(results.update(sweep, runs));
    if (TERMINAL.has(sweep.status)) view.dataset.ready = 'true';
  };
  await load(detail);
  if (TERMINAL.has(detail.status)) return results.dispose;

  let pending: ReturnType<typeof setTimeout> | undefined;
  // One load at a time, in order: a slow one must not overwrite newer results.
  let loading = Promise.resolve();
  const stop = followSweep(sweepId, (progress, ended) => {
    headerSlot.replaceChildren(header(progress));
    clearTimeout(pending);
    // Results arrive run by run: refresh at most every 2 s while running, at once at the end.
    pending = setTimeout(
      () =>
        (loading = loading
          .then(() => load(progress))
          // The page keeps its last results; the next progress event tries again.
          .catch((error: unknown) => console.error('engram: could not refresh results', error))),
      ended ? 0 : 2000,
    );
  });
  return () => {
    left = true;
    clearTimeout(pending);
    stop();
    results.dispose();
  };
}

/**
 * The charts and the table of a sweep: built with its first results, then updated in place
 * (same ECharts instances, same controls), so live progress keeps what the user chose.
 */
function sweepResults(body: HTMLElement) {
  let built: { panels: Panel[]; table: ResultsTable } | undefined;
  return {
    /** Shows these results; returns how many runs have them. */
    update(sweep: SweepProgress, records: RunRecord[]): number {
      const runs = records.filter((r) => r.metrics);
      if (runs.length === 0) {
        if (!built) body.replaceChildren(h('p', { class: 'muted' }, 'No results yet.'));
        return 0;
      }
      built ??= build(body, sweep.id);
      const context = contextOf(sweep, runs);
      for (const panel of built.panels) panel.update(context);
      built.table.update(context.axes, context.metrics);
      return runs.length;
    },
    dispose(): void {
      built?.panels.forEach((panel) => dispose(panel.id));
    },
  };
}

function contextOf(sweep: SweepProgress, runs: RunRecord[]): Context {
  const axes = varyingAxes(runs as RunRow[], sweep.gridAxes);
  return {
    sweep,
    runs,
    axes,
    configAxes: axes.filter((a) => a !== 'seed'),
    metrics: metricNames(runs),
  };
}

function build(body: HTMLElement, sweepId: string): { panels: Panel[]; table: ResultsTable } {
  const [accuracy, reduction, tradeOff, pareto, exits, parallel] = [
    metricVsAxisPanel('accuracy-noise', 'Accuracy vs programming noise', {
      x: 'programmingNoise',
      group: 'camThreshold',
      metric: 'dynamicAccuracy',
    }),
    metricVsAxisPanel('reduction-threshold', 'Compute reduction vs CAM threshold', {
      x: 'camThreshold',
      group: 'memorySize',
      metric: 'computeReduction',
    }),
    tradeOffPanel(),
    paretoPanel(),
    exitsPanel(),
    parallelPanel(),
  ];
  const table = createResultsTable(sweepId);
  body.replaceChildren(
    h(
      'div',
      { class: 'grid' },
      accuracy.element,
      reduction.element,
      tradeOff.element,
      pareto.element,
    ),
    exits.element,
    parallel.element,
    table.element,
  );
  return { panels: [accuracy, reduction, tradeOff, pareto, exits, parallel], table };
}
