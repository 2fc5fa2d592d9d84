import {
  PARAMETER_NAMES,
  PLATFORM_DEFAULTS,
  type EvaluationConfig,
  type ParameterName,
  type ParameterValue,
} from '@engram/contracts';
import { MutableEvaluationConfig, PARAMETERS } from './parameters';
import { SpecIssue, SweepSpec } from './sweep-spec';
import { MODEL_REGISTRY } from './model-registry';

export type ParameterValues = Partial<Record<ParameterName, ParameterValue>>;

export interface ExpandedRun {
  /** Position in the sweep (0-based), stable for a given spec. */
  index: number;
  repeat: number;
  /** Grid axis values of this run (seed included when it is an axis). */
  gridValues: ParameterValues;
  /** The complete configuration handed to `evaluate`, platform defaults filled in. */
  config: EvaluationConfig;
}

/** Grid axes in the registry's parameter order, so key order in the spec never changes the runs. */
export function gridAxes(spec: Pick<SweepSpec, 'grid'>): ParameterName[] {
  return PARAMETER_NAMES.filter((name) => spec.grid[name] !== undefined);
}

/** The evaluation config of one point: fixed values, then grid values, then platform defaults. */
export function resolveConfig(spec: SweepSpec, values: ParameterValues): EvaluationConfig {
  const draft: MutableEvaluationConfig = { device: {}, exitThresholds: [] };
  for (const name of PARAMETER_NAMES) {
    const value = values[name] ?? spec.fixed?.[name];
    if (value !== undefined) PARAMETERS[name].apply(draft, value);
  }
  if (draft.camThreshold === undefined || draft.memorySize === undefined) {
    // validateSweepSpec reports these with the field; reaching here means it was skipped.
    throw new Error('camThreshold and memorySize must be set in the grid or in fixed');
  }
  const config: EvaluationConfig = {
    model: spec.model,
    deviceProfile: draft.deviceProfile ?? PLATFORM_DEFAULTS.deviceProfile,
    camThreshold: draft.exitThresholds.some((t) => t !== undefined)
      ? Array.from(
          { length: MODEL_REGISTRY[spec.model].exits },
          (_, e) => draft.exitThresholds[e] ?? (draft.camThreshold as number),
        )
      : draft.camThreshold,
    exitRule: draft.exitRule ?? PLATFORM_DEFAULTS.exitRule,
    memorySize: draft.memorySize,
    seed: draft.seed ?? PLATFORM_DEFAULTS.seed,
    split: spec.split ?? PLATFORM_DEFAULTS.split,
    engine: draft.engine ?? MODEL_REGISTRY[spec.model].engines[0],
  };
  if (Object.keys(draft.device).length > 0) config.device = draft.device;
  if (spec.sampleCount !== undefined) config.sampleCount = spec.sampleCount;
  // Derived is the default and stays unwritten: the run's identity (and its cached result) is
  // the same whether or not the spec spells it out.
  if (spec.timing === 'measured') config.timing = 'measured';
  return config;
}

/**
 * Every run of a validated sweep: the Cartesian product of the grid axes, each point repeated
 * `repeats` times with seeds counting up from the base seed. Lazy, so callers can stream 10,000
 * runs without holding intermediate products.
 */
export function* expandSweep(spec: SweepSpec): Generator<ExpandedRun> {
  const axes = gridAxes(spec);
  const lists = axes.map((name) => spec.grid[name] as ParameterValue[]);
  const repeats = spec.repeats ?? 1;
  const digits = new Array<number>(axes.length).fill(0);
  let index = 0;
  for (;;) {
    const gridValues: ParameterValues = {};
    axes.forEach((name, i) => (gridValues[name] = lists[i][digits[i]]));
    const base = resolveConfig(spec, gridValues);
    for (let repeat = 0; repeat < repeats; repeat++) {
      const config = repeat === 0 ? base : { ...base, seed: base.seed + repeat };
      yield { index: index++, repeat, gridValues, config };
    }
    // Odometer increment: the last axis varies fastest.
    let axis = axes.length - 1;
    while (axis >= 0 && ++digits[axis] === lists[axis].length) digits[axis--] = 0;
    if (axis < 0) return;
  }
}

/** A run of the sweep with its identity (runConfigHash), as the submitter computed it. */
export interface IdentifiedRun {
  gridValues: ParameterValues;
  repeat: number;
  configHash: string;
}

/**
 * Grid points that resolve to the same run (e.g. a camThreshold axis whose every exit is
 * overridden by per-exit thresholds, or a knob at its profile value beside an unset one): one
 * issue per grid axis whose values collapse, with the first example found. Empty when every
 * run is distinct. Such a sweep is refused rather than merged, so its run count and grid stay
 * what the user wrote.
 */
export function collapsedRunIssues(runs: Iterable<IdentifiedRun>): SpecIssue[] {
  const first = new Map<string, IdentifiedRun>();
  const issues = new Map<string, SpecIssue>();
  for (const run of runs) {
    const earlier = first.get(run.configHash);
    if (!earlier) {
      first.set(run.configHash, run);
      continue;
    }
    const axes = (Object.keys(run.gridValues) as ParameterName[]).filter(
      (axis) => run.gridValues[axis] !== earlier.gridValues[axis],
    );
    const point = (values: ParameterValues) =>
      axes.map((axis) => `${axis}=${values[axis]}`).join(', ');
    for (const axis of axes.length > 0 ? axes : (['grid'] as const)) {
      const field = axis === 'grid' ? 'grid' : `grid.${axis}`;
      if (issues.has(field)) continue;
      issues.set(field, {
        field,
        message:
          `grid points (${point(earlier.gridValues)}) and (${point(run.gridValues)}) resolve to ` +
          `the same run configuration (the differing ${axes.length > 1 ? 'axes' : 'axis'} ` +
          `${axes.join(', ')} change${axes.length > 1 ? '' : 's'} nothing there): remove one of the values`,
      });
    }
  }
  return [...issues.values()];
}
