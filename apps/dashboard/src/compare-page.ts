import type { RunRecord, SweepDetail } from '@engram/api-client';
import { client } from './api';
import { PALETTE, dispose } from './charts';
import {
  ALL,
  compareValues,
  distinct,
  fixHiddenAxes,
  hiddenAxesText,
  metricByAxis,
  metricNames,
  varyingAxes,
} from './data';
import { h, select } from './dom';
import {
  Panel,
  TITLE_HEIGHT,
  allResults,
  axisOptions,
  chartPanel,
  hiddenAxisControls,
  metricOptions,
  pick,
  xAxisFor,
  yAxis,
} from './sweep-page';
import { hashParams, urlChoices } from './url-state';

interface CompareContext {
  sweeps: { detail: SweepDetail; runs: RunRecord[] }[];
  /** Axes that vary over all the runs, in any sweep or between sweeps. */
  axes: string[];
  /** Metrics every sweep has. */
  metrics: string[];
}

/** Axes that vary within this sweep's runs (seed aside), other than those drawn. */
function hiddenIn(runs: RunRecord[], shown: string[]): string[] {
  return varyingAxes(runs, []).filter((axis) => axis !== 'seed' && !shown.includes(axis));
}

/** One line per sweep: a metric against an axis, every other varying axis fixed or stated. */
function comparePanel(): Panel<CompareContext> {
  const chosen = urlChoices('compare');
  const current = (context: CompareContext) => {
    const x = pick(chosen.get('x') ?? 'programmingNoise', context.axes);
    const hidden = [...new Set(context.sweeps.flatMap((s) => hiddenIn(s.runs, [x])))];
    const allRuns = context.sweeps.flatMap((s) => s.runs);
    const fixed = (axis: string) => {
      const values = distinct(allRuns, axis).map(String);
      const choice = chosen.get(`fix.${axis}`);
      return choice === ALL || (choice !== undefined && values.includes(choice))
        ? choice
        : values[0];
    };
    return {
      x,
      metric: pick(chosen.get('metric') ?? 'dynamicAccuracy', context.metrics),
      hidden,
      fixed,
    };
  };
  return chartPanel<CompareContext>(
    'compare',
    (context, redraw) => {
      const state = current(context);
      const choose = (key: string) => (value: string) => {
        chosen.set(key, value);
        redraw();
      };
      return [
        select('x', 'x', axisOptions(context.axes), state.x, choose('x')),
        select('y', 'metric', metricOptions(context.metrics), state.metric, choose('metric')),
        ...hiddenAxisControls(
          context.sweeps.flatMap((s) => s.runs),
          state.hidden,
          state.fixed,
          (axis, value) => choose(`fix.${axis}`)(value),
        ),
      ];
    },
    (context) => {
      const state = current(context);
      const notes: string[] = [];
      const series = context.sweeps.map(({ detail, runs }, i) => {
        // An axis is held at the chosen value only in the sweeps where it varies.
        const hidden = hiddenIn(runs, [state.x]);
        const shown = fixHiddenAxes(runs, hidden, state.fixed);
        const note = hiddenAxesText(runs, hidden, state.fixed, {
          seedShown: state.x === 'seed',
          band: false,
        });
        notes.push(`${detail.name}: ${note || 'every run shown'}`);
        const [group] = metricByAxis(shown, state.x, null, state.metric);
        return {
          id: `sweep:${detail.id}`,
          name: detail.name,
          type: 'line',
          color: PALETTE[i % PALETTE.length],
          symbolSize: 7,
          data: group.points.map((p) => ({ value: [p.x, p.mean], std: p.std, n: p.n })),
        };
      });
      const xValues = distinct(
        context.sweeps.flatMap((s) => s.runs),
        state.x,
      ).sort(compareValues);
      return {
        title: `${state.metric} vs ${state.x}: ${context.sweeps.length} sweeps`,
        subtitle: notes.join(' · '),
        option: {
          legend: { top: 44, type: 'scroll' },
          grid: { left: 64, right: 20, top: TITLE_HEIGHT + 12, bottom: 44 },
          tooltip: { trigger: 'item' },
          xAxis: xAxisFor(xValues, state.x),
          yAxis: yAxis(state.metric),
          series,
        },
      };
    },
    (context) => JSON.stringify([context.axes, context.metrics]),
  );
}

/** Two or more sweeps on one chart (`#/compare?sweeps=<id>,<id>`). */
export async function renderComparePage(root: HTMLElement): Promise<() => void> {
  const ids = (hashParams().get('sweeps') ?? '').split(',').filter(Boolean);
  if (ids.length < 2) {
    root.replaceChildren(
      h(
        'section',
        { class: 'view', 'data-view': 'compare' },
        h('p', {}, h('a', { href: '#/' }, '← all sweeps')),
        h('p', {}, 'Pick two or more sweeps in the list to compare them.'),
      ),
    );
    return () => undefined;
  }
  const sweeps = await Promise.all(
    ids.map(async (id) => ({
      detail: await client().getSweep(id),
      runs: (await allResults(id)).filter((r) => r.metrics),
    })),
  );
  const allRuns = sweeps.flatMap((s) => s.runs);
  const metricSets = sweeps.map((s) => new Set(metricNames(s.runs)));
  const context: CompareContext = {
    sweeps,
    axes: varyingAxes(allRuns, sweeps[0].detail.gridAxes),
    metrics: metricNames(allRuns).filter((m) => metricSets.every((set) => set.has(m))),
  };
  const panel = comparePanel();
  root.replaceChildren(
    h(
      'section',
      { class: 'view', 'data-view': 'compare', 'data-sweeps': ids.join(',') },
      h('p', {}, h('a', { href: '#/' }, '← all sweeps')),
      h('h1', {}, 'Compare sweeps'),
      h(
        'ul',
        { class: 'muted' },
        ...sweeps.map((s) =>
          h(
            'li',
            {},
            h('a', { href: `#/sweeps/${s.detail.id}` }, s.detail.name),
            ` · ${s.detail.model} · ${s.runs.length} runs with results`,
          ),
        ),
      ),
      panel.element,
    ),
  );
  if (context.axes.length && context.metrics.length) panel.update(context);
  (root.querySelector('[data-view="compare"]') as HTMLElement).dataset.ready = 'true';
  return () => dispose(panel.id);
}
