// Pure aggregation of run results for the charts: no DOM, unit-tested in data.spec.ts.

/** The part of a run record the charts read. */
export interface RunRow {
  parameters: Record<string, number | string | null>;
  metrics: Record<string, number> | null;
  exitHistogram: number[] | null;
}

export type Value = number | string | null;

export interface Stat {
  mean: number;
  std: number;
  min: number;
  max: number;
  n: number;
}

export function stat(values: readonly number[]): Stat {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN, n: 0 };
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), min: Math.min(...finite), max: Math.max(...finite), n };
}

export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function distinct(runs: readonly RunRow[], axis: string): Value[] {
  const values = new Set<Value>(runs.map((r) => r.parameters[axis] ?? null));
  return [...values].sort(compareValues);
}

/**
 * Axes (parameters) that take more than one value in these runs, in the given order first. An
 * axis equal to an earlier one in every run (e.g. the per-exit thresholds of a sweep over the
 * common threshold) adds nothing and is left out.
 */
export function varyingAxes(runs: readonly RunRow[], preferred: readonly string[]): string[] {
  const names = new Set<string>(preferred);
  for (const run of runs) for (const name of Object.keys(run.parameters)) names.add(name);
  const axes: string[] = [];
  for (const name of names) {
    if (distinct(runs, name).length < 2) continue;
    const value = (run: RunRow) => run.parameters[name] ?? null;
    const repeats = axes.some((kept) =>
      runs.every((run) => (run.parameters[kept] ?? null) === value(run)),
    );
    if (!repeats) axes.push(name);
  }
  return axes;
}

export function metricNames(runs: readonly RunRow[]): string[] {
  const names = new Set<string>();
  for (const run of runs) for (const name of Object.keys(run.metrics ?? {})) names.add(name);
  return [...names];
}

export interface SeriesPoint extends Stat {
  x: Value;
}

/**
 * One series per value of `groupBy` (a single series when null), one point per value of `x`:
 * the metric's mean, std, min and max over the runs at that point (seeds and any other axes).
 */
export function metricByAxis(
  runs: readonly RunRow[],
  x: string,
  groupBy: string | null,
  metric: string,
): { group: Value; points: SeriesPoint[] }[] {
  const groups = groupBy ? distinct(runs, groupBy) : [null];
  return groups.map((group) => {
    const inGroup = runs.filter((r) => !groupBy || (r.parameters[groupBy] ?? null) === group);
    const points = distinct(inGroup, x).map((xValue) => ({
      x: xValue,
      ...stat(
        inGroup
          .filter((r) => (r.parameters[x] ?? null) === xValue && r.metrics)
          .map((r) => r.metrics![metric]),
      ),
    }));
    return { group, points: points.filter((p) => p.n > 0) };
  });
}

export interface Configuration {
  /** Values of the configuration's axes (every varying axis but seed). */
  values: Record<string, Value>;
  label: string;
  runs: RunRow[];
}

/** Grid points: runs grouped by every given axis (seeds and repeats fall together). */
export function configurations(runs: readonly RunRow[], axes: readonly string[]): Configuration[] {
  const byKey = new Map<string, Configuration>();
  for (const run of runs) {
    const values = Object.fromEntries(axes.map((a) => [a, run.parameters[a] ?? null]));
    const key = JSON.stringify(axes.map((a) => values[a]));
    let config = byKey.get(key);
    if (!config) {
      const label = axes.map((a) => `${shortName(a)}=${values[a]}`).join(' ') || 'all runs';
      config = { values, label, runs: [] };
      byKey.set(key, config);
    }
    config.runs.push(run);
  }
  return [...byKey.values()].sort((a, b) => {
    for (const axis of axes) {
      const order = compareValues(a.values[axis], b.values[axis]);
      if (order !== 0) return order;
    }
    return 0;
  });
}

const SHORT: Record<string, string> = {
  programmingNoise: 'pn',
  readNoise: 'rn',
  camThreshold: 'cam',
  memorySize: 'K',
  adcBits: 'adc',
  dacBits: 'dac',
  stuckAtLrsRate: 'sLRS',
  stuckAtHrsRate: 'sHRS',
  tileRows: 'rows',
  tileCols: 'cols',
};

export function shortName(axis: string): string {
  return SHORT[axis] ?? axis;
}

export function meanMetric(runs: readonly RunRow[], metric: string): number {
  return stat(runs.filter((r) => r.metrics).map((r) => r.metrics![metric])).mean;
}

/**
 * Indices of the Pareto-optimal points when `x` is to be minimized and `y` maximized (e.g.
 * energy per inference against accuracy), ordered by x.
 */
export function paretoFront(points: readonly { x: number; y: number }[]): number[] {
  const order = points
    .map((p, i) => ({ ...p, i }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.x - b.x || b.y - a.y);
  const front: number[] = [];
  let best = -Infinity;
  for (const p of order) {
    if (p.y > best) {
      front.push(p.i);
      best = p.y;
    }
  }
  return front;
}

/** Mean exit histogram of the runs, as fractions of the samples (one entry per exit). */
export function meanExitFractions(runs: readonly RunRow[]): number[] {
  const histograms = runs.map((r) => r.exitHistogram).filter((h): h is number[] => !!h);
  const exits = Math.max(0, ...histograms.map((h) => h.length));
  const sums = new Array<number>(exits).fill(0);
  for (const h of histograms) {
    const total = h.reduce((a, b) => a + b, 0) || 1;
    h.forEach((count, i) => (sums[i] += count / total));
  }
  return sums.map((s) => (histograms.length ? s / histograms.length : 0));
}

/** A hidden axis' choice that averages over its values (said on the chart). */
export const ALL = '*';

/** The runs at the chosen value of each hidden axis (`ALL`: every value, averaged). */
export function fixHiddenAxes<R extends RunRow>(
  runs: readonly R[],
  hidden: readonly string[],
  fixed: (axis: string) => string,
): R[] {
  return runs.filter((run) =>
    hidden.every((axis) => {
      const choice = fixed(axis);
      return choice === ALL || String(run.parameters[axis] ?? null) === choice;
    }),
  );
}

/**
 * What a chart over these runs does with the axes it does not draw: `axis = value` for those
 * held at a value, `averaged over axis ∈ {...}` for those averaged, and what each point is the
 * mean (and with `band`, the ±1 std) of.
 */
export function hiddenAxesText(
  runs: readonly RunRow[],
  hidden: readonly string[],
  fixed: (axis: string) => string,
  options: { seedShown: boolean; band: boolean },
): string {
  const parts: string[] = [];
  const pinned = hidden.filter((axis) => fixed(axis) !== ALL);
  if (pinned.length) parts.push(pinned.map((axis) => `${axis} = ${fixed(axis)}`).join(', '));
  const averaged = hidden.filter((a) => fixed(a) === ALL);
  for (const axis of averaged) {
    parts.push(`averaged over ${axis} ∈ {${distinct(runs, axis).join(', ')}}`);
  }
  const seeds = options.seedShown ? 1 : distinct(runs, 'seed').length;
  const statistic = options.band ? 'mean ± 1 std' : 'mean';
  if (averaged.length)
    parts.push(`${statistic} over ${seeds > 1 ? 'seeds and ' : ''}the averaged values`);
  else if (seeds > 1) parts.push(`${statistic} over ${seeds} seeds`);
  return parts.join('; ');
}
