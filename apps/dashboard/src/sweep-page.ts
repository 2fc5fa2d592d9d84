import type { RunRecord, SweepDetail, SweepProgress } from '@engram/api-client';
import { metricOf, parameterOf } from '@engram/api-client';
import { client, followSweep } from './api';
import { Option, PALETTE, chartImage, dispose, formatNumber, render } from './charts';
import {
  RunRow,
  Value,
  compareValues,
  configurations,
  ALL,
  distinct,
  fixHiddenAxes,
  hiddenAxesText,
  meanExitFractions,
  meanMetric,
  metricByAxis,
  metricNames,
  paretoFront,
  shortName,
  varyingAxes,
} from './data';
import { downloadBlob, duration, h, progressBar, select } from './dom';
import { ResultsTable, createResultsTable } from './results-table';
import { energyDrawing } from './energy-panel';
import { sweepActions, failedRunsPanel } from './sweep-actions';
import { urlChoices } from './url-state';

const TERMINAL = new Set(['completed', 'completed_with_failures', 'cancelled']);

const DEFAULT_PARALLEL_METRICS = [
  'dynamicAccuracy',
  'computeReduction',
  'energyPerInferencePj',
  'energyReductionVsDigital',
];

export interface Context {
  sweep: SweepProgress;
  runs: RunRecord[];
  /** Axes that vary across the runs (grid axes first). */
  axes: string[];
  /** Axes defining a configuration: every varying axis but seed. */
  configAxes: string[];
  metrics: string[];
}

export async function allResults(sweepId: string): Promise<RunRecord[]> {
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

export const label = (axis: string, value: Value) => `${shortName(axis)}=${value}`;
export const axisOptions = (axes: string[]) => axes.map((a) => ({ value: a, text: a }));
export const metricOptions = (metrics: string[]) => metrics.map((m) => ({ value: m, text: m }));
const groupOptions = (axes: string[]) => [{ value: '', text: '(none)' }, ...axisOptions(axes)];

export function pick(
  preferred: string,
  available: string[],
  fallback = available[0] ?? '',
): string {
  return available.includes(preferred) ? preferred : fallback;
}

/** A drawn chart: its option, and the title and subtitle that say what it shows. */
export interface Drawing {
  title: string;
  /** What is averaged, fixed or left out: said on the chart, never silent. */
  subtitle: string;
  option: Option;
}

/** A chart panel of a page, built once and updated in place with newer results. */
export interface Panel<C> {
  id: string;
  element: HTMLElement;
  update(context: C): void;
}

/** Room above the plot for the title, the subtitle and the legend. */
export const TITLE_HEIGHT = 78;

/**
 * A chart panel: a row of drop-downs over a chart with its title (in the chart, so exported
 * images carry it), PNG and SVG export. `controls` and `draw` read the user's choices, which
 * the panel keeps across updates and in the URL (`choices`).
 */
export function chartPanel<C>(
  id: string,
  controls: (context: C, redraw: () => void) => HTMLElement[],
  draw: (context: C, element: HTMLElement) => Drawing,
  choicesKey: (context: C) => string,
): Panel<C> {
  const chartElement = h('div', { class: 'chart', id: `chart-${id}`, role: 'img' });
  const controlRow = h('div', { class: 'controls' });
  const exportButtons = (['png', 'svg'] as const).map((format) => {
    const button = h(
      'button',
      { type: 'button', 'data-action': `export-${format}`, title: `Save the chart as ${format}` },
      format.toUpperCase(),
    );
    button.addEventListener('click', async () => {
      const title = element.dataset.title ?? id;
      const name = `${title.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || id}.${format}`;
      downloadBlob(await chartImage(id, format), name);
    });
    return button;
  });
  const element = h(
    'section',
    { class: 'panel', 'data-chart': id },
    h('div', { class: 'panel-head' }, controlRow, h('span', { class: 'export' }, ...exportButtons)),
    chartElement,
  );
  let context: C | undefined;
  let shownChoices = '';
  const redraw = (change: 'view' | 'data') => {
    if (!context) return;
    const drawing = draw(context, chartElement);
    element.dataset.title = drawing.title;
    element.dataset.subtitle = drawing.subtitle;
    chartElement.setAttribute('aria-label', `${drawing.title}. ${drawing.subtitle}`);
    const width = chartElement.clientWidth || 600;
    render(
      id,
      chartElement,
      {
        ...drawing.option,
        title: {
          text: drawing.title,
          subtext: drawing.subtitle,
          left: 0,
          top: 0,
          textStyle: { fontSize: 14 },
          subtextStyle: { fontSize: 11, width: width - 20, overflow: 'break', lineHeight: 14 },
        },
      },
      change,
    );
  };
  const rebuildControls = () => {
    if (!context) return;
    controlRow.replaceChildren(
      ...controls(context, () => {
        rebuildControls();
        redraw('view');
      }),
    );
  };
  return {
    id,
    element,
    update(next) {
      const first = !context;
      context = next;
      // The drop-downs are rebuilt only when what they offer changes (an axis starts to vary),
      // so that one the user has open is not replaced under the pointer.
      const key = choicesKey(next);
      if (key !== shownChoices) {
        shownChoices = key;
        rebuildControls();
      }
      redraw(first ? 'view' : 'data');
    },
  };
}

const contextKey = (context: Context) =>
  JSON.stringify([context.axes, context.configAxes, context.metrics]);

export function xAxisFor(values: Value[], name: string) {
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

export const yAxis = (name: string) => ({
  type: 'value' as const,
  name,
  nameLocation: 'middle' as const,
  nameGap: 48,
  scale: true,
});

/** One drop-down per axis that varies but is not drawn: a value to show, or 'all (averaged)'. */
export function hiddenAxisControls(
  runs: RunRecord[],
  hidden: string[],
  fixed: (axis: string) => string,
  choose: (axis: string, value: string) => void,
): HTMLElement[] {
  return hidden.map((axis) =>
    select(
      `${axis} =`,
      `fix-${axis}`,
      [
        ...distinct(runs, axis).map((v) => ({ value: String(v), text: String(v) })),
        { value: ALL, text: 'all (averaged)' },
      ],
      fixed(axis),
      (value) => choose(axis, value),
    ),
  );
}

/**
 * Metric against an axis, one line per value of a second axis: mean with a ±1 std band over
 * seeds. Every other varying axis is held at a value the user picks (the first by default), or
 * averaged when the user asks for it, and the chart says which.
 */
function metricVsAxisPanel(
  id: string,
  defaults: { x: string; group: string; metric: string },
): Panel<Context> {
  const chosen = urlChoices(id);
  const current = (context: Context) => {
    const x = pick(
      chosen.get('x') ?? pick(defaults.x, context.configAxes, context.configAxes[0]),
      context.axes,
    );
    const groupChoice = chosen.get('group') ?? defaults.group;
    const group = pick(groupChoice, context.axes, '');
    const hidden = context.configAxes.filter((axis) => axis !== x && axis !== group);
    const fixed = (axis: string) => {
      const values = distinct(context.runs, axis).map(String);
      const choice = chosen.get(`fix.${axis}`);
      return choice === ALL || (choice !== undefined && values.includes(choice))
        ? choice
        : values[0];
    };
    return {
      x,
      group,
      metric: pick(chosen.get('metric') ?? defaults.metric, context.metrics),
      hidden,
      fixed,
    };
  };
  return chartPanel<Context>(
    id,
    (context, redraw) => {
      const state = current(context);
      const choose = (key: string) => (value: string) => {
        chosen.set(key, value);
        redraw();
      };
      return [
        select('x', 'x', axisOptions(context.axes), state.x, choose('x')),
        select('y', 'metric', metricOptions(context.metrics), state.metric, choose('metric')),
        select('lines per', 'group', groupOptions(context.axes), state.group, choose('group')),
        ...hiddenAxisControls(context.runs, state.hidden, state.fixed, (axis, value) =>
          choose(`fix.${axis}`)(value),
        ),
      ];
    },
    (context) => {
      const state = current(context);
      const runs = fixHiddenAxes(context.runs, state.hidden, state.fixed);
      const groups = metricByAxis(runs, state.x, state.group || null, state.metric);
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
      const software = meanMetric(runs, 'softwareAccuracy');
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
      const shown = [state.x, state.group];
      return {
        title: `${state.metric} vs ${state.x}${state.group ? ` per ${state.group}` : ''}`,
        subtitle:
          hiddenAxesText(context.runs, state.hidden, state.fixed, {
            seedShown: shown.includes('seed'),
            band: true,
          }) || 'every run shown',
        option: {
          legend: { data: names, top: 44, type: 'scroll' },
          grid: { left: 64, right: 20, top: TITLE_HEIGHT, bottom: 44 },
          tooltip: { trigger: 'item' },
          xAxis: xAxisFor(xValues, state.x),
          yAxis: yAxis(state.metric),
          series,
        },
      };
    },
    contextKey,
  );
}

/**
 * Metric against metric, one point per configuration (mean over seeds), coloured by an axis.
 * Points are not joined: neighbouring configurations along x need not be related.
 */
function tradeOffPanel(): Panel<Context> {
  const chosen = urlChoices('tradeoff');
  const current = (context: Context) => ({
    x: pick(chosen.get('x') ?? 'computeReduction', context.metrics),
    y: pick(chosen.get('y') ?? 'dynamicAccuracy', context.metrics),
    group: pick(chosen.get('group') ?? 'memorySize', context.configAxes, ''),
  });
  return chartPanel<Context>(
    'tradeoff',
    (context, redraw) => {
      const state = current(context);
      const metrics = metricOptions(context.metrics);
      const choose = (key: string) => (value: string) => {
        chosen.set(key, value);
        redraw();
      };
      return [
        select('x', 'x', metrics, state.x, choose('x')),
        select('y', 'y', metrics, state.y, choose('y')),
        select('color by', 'group', groupOptions(context.configAxes), state.group, choose('group')),
      ];
    },
    (context) => {
      const state = current(context);
      const configs = configurations(context.runs, context.configAxes);
      const groups = state.group
        ? [...new Set(configs.map((c) => c.values[state.group]))].sort(compareValues)
        : [null];
      const series = groups.map((group, i) => ({
        id: `tradeoff:${i}`,
        name: state.group ? label(state.group, group) : 'configurations',
        type: 'scatter',
        symbolSize: 9,
        data: configs
          .filter((c) => !state.group || c.values[state.group] === group)
          .map((c) => ({
            value: [meanMetric(c.runs, state.x), meanMetric(c.runs, state.y)],
            config: c.label,
          })),
      }));
      const seeds = distinct(context.runs, 'seed').length;
      return {
        title: `${state.y} vs ${state.x}`,
        subtitle:
          `One point per configuration (${context.configAxes.join(', ') || 'one'})` +
          (seeds > 1 ? `, mean over ${seeds} seeds` : '') +
          '; points are not joined.',
        option: {
          legend: { top: 44, type: 'scroll' },
          grid: { left: 64, right: 20, top: TITLE_HEIGHT, bottom: 44 },
          tooltip: {
            trigger: 'item',
            formatter: (p: { data: { config: string; value: number[] } }) =>
              `${p.data.config}<br>${state.x}: ${formatNumber(p.data.value[0])}<br>${state.y}: ${formatNumber(p.data.value[1])}`,
          },
          xAxis: { ...yAxis(state.x), nameGap: 28 },
          yAxis: yAxis(state.y),
          series,
        },
      };
    },
    contextKey,
  );
}

/** Energy vs accuracy per configuration, with the Pareto front (least x for the most y). */
function paretoPanel(): Panel<Context> {
  const chosen = urlChoices('pareto');
  const current = (context: Context) => ({
    x: pick(chosen.get('x') ?? 'energyPerInferencePj', context.metrics),
    y: pick(chosen.get('y') ?? 'dynamicAccuracy', context.metrics),
  });
  return chartPanel<Context>(
    'pareto',
    (context, redraw) => {
      const state = current(context);
      const metrics = metricOptions(context.metrics);
      const choose = (key: string) => (value: string) => {
        chosen.set(key, value);
        redraw();
      };
      return [
        select('x (minimize)', 'x', metrics, state.x, choose('x')),
        select('y (maximize)', 'y', metrics, state.y, choose('y')),
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
        title: `${state.y} vs ${state.x}: Pareto front`,
        subtitle:
          'One point per configuration (mean over seeds); red: the Pareto front, lowest x for the highest y.',
        option: {
          legend: { top: 44 },
          grid: { left: 64, right: 20, top: TITLE_HEIGHT, bottom: 44 },
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
        },
      };
    },
    contextKey,
  );
}

/** Where samples left the network, per configuration: stacked bars, one series per exit. */
function exitsPanel(): Panel<Context> {
  const chosen = urlChoices('exits');
  const scaleOf = () => chosen.get('scale') ?? 'fraction';
  return chartPanel<Context>(
    'exits',
    (_context, redraw) => [
      select(
        'show',
        'scale',
        [
          { value: 'fraction', text: 'fraction of samples' },
          { value: 'samples', text: 'samples' },
        ],
        scaleOf(),
        (v) => {
          chosen.set('scale', v);
          redraw();
        },
      ),
    ],
    (context, element) => {
      const scale = scaleOf();
      const configs = configurations(context.runs, context.configAxes);
      const fractions = configs.map((c) => meanExitFractions(c.runs));
      const samples = configs.map((c) => meanMetric(c.runs, 'samples'));
      const exits = Math.max(0, ...fractions.map((f) => f.length));
      element.style.height = `${Math.max(300, 120 + configs.length * 26)}px`;
      return {
        title: 'Exit histogram per configuration',
        subtitle:
          'Share of samples that left at each exit (mean over seeds); the last segment is the final classifier.',
        option: {
          legend: { top: 44 },
          grid: { left: 150, right: 20, top: TITLE_HEIGHT, bottom: 36 },
          tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
          xAxis: {
            type: 'value',
            max: scale === 'fraction' ? 1 : undefined,
            name: scale === 'fraction' ? 'fraction of samples' : 'samples',
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
              return scale === 'fraction' ? value : Math.round(value * (samples[i] || 0));
            }),
          })),
        },
      };
    },
    contextKey,
  );
}

/** Every run as a line through the varying axes and the chosen metrics. */
function parallelPanel(): Panel<Context> {
  const chosen = urlChoices('parallel');
  // The metrics shown: a set the check boxes edit, kept as it is across updates.
  const shown = new Set(chosen.get('metrics')?.split(',') ?? DEFAULT_PARALLEL_METRICS);
  const colorOf = (context: Context) =>
    pick(
      chosen.get('color') ?? pick('camThreshold', context.configAxes, context.configAxes[0] ?? ''),
      context.axes,
      '',
    );
  return chartPanel<Context>(
    'parallel',
    (context, redraw) => [
      select('color by', 'color', groupOptions(context.axes), colorOf(context), (v) => {
        chosen.set('color', v);
        redraw();
      }),
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
            chosen.set('metrics', [...shown].join(','));
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
        title: 'Parallel coordinates: all axes and metrics',
        subtitle: 'One line per run. Drag along an axis to brush a range.',
        option: {
          legend: { top: 44, type: 'scroll' },
          tooltip: { trigger: 'item' },
          parallel: {
            left: 60,
            right: 110,
            top: TITLE_HEIGHT + 24,
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
        },
      };
    },
    contextKey,
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
  const actionsSlot = h('div', {}, sweepActions(detail));
  const failedSlot = h('div', {}, await failedRunsPanel(detail));
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
    actionsSlot,
    failedSlot,
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
    if (sweep.counts.failed > 0 || TERMINAL.has(sweep.status)) {
      actionsSlot.replaceChildren(sweepActions({ ...detail, ...sweep }));
      failedSlot.replaceChildren(await failedRunsPanel({ ...detail, ...sweep }));
    }
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
  let built: { panels: Panel<Context>[]; table: ResultsTable } | undefined;
  return {
    /** Shows these results; returns how many runs have them. */
    update(sweep: SweepProgress, records: RunRecord[]): number {
      const runs = records.filter((r) => r.metrics);
      if (runs.length === 0) {
        if (!built) body.replaceChildren(h('p', { class: 'muted' }, noResultsText(sweep)));
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

/** Why a sweep shows no chart: nothing settled yet, or none of its runs has a result. */
function noResultsText(sweep: SweepProgress): string {
  const c = sweep.counts;
  if (!TERMINAL.has(sweep.status)) return 'No results yet.';
  const lost = [c.failed && `${c.failed} failed`, c.cancelled && `${c.cancelled} cancelled`];
  return `No results: ${lost.filter(Boolean).join(', ') || 'no run finished'} of ${sweep.runCount} runs.`;
}

function build(
  body: HTMLElement,
  sweepId: string,
): { panels: Panel<Context>[]; table: ResultsTable } {
  const [accuracy, reduction, tradeOff, pareto, exits, parallel] = [
    metricVsAxisPanel('accuracy-noise', {
      x: 'programmingNoise',
      group: 'camThreshold',
      metric: 'dynamicAccuracy',
    }),
    metricVsAxisPanel('reduction-threshold', {
      x: 'camThreshold',
      group: 'memorySize',
      metric: 'computeReduction',
    }),
    tradeOffPanel(),
    paretoPanel(),
    exitsPanel(),
    parallelPanel(),
  ];
  const energy = chartPanel<Context>(
    'energy-breakdown',
    () => [],
    (context, element) => energyDrawing(context.runs, context.configAxes, element, TITLE_HEIGHT),
    () => '',
  );
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
    energy.element,
    parallel.element,
    table.element,
  );
  return { panels: [accuracy, reduction, tradeOff, pareto, exits, energy, parallel], table };
}
