import type { EvaluationConfig, EvaluationResult, ParameterName } from '@engram/contracts';

export type FieldType = 'number' | 'integer' | 'text' | 'uuid' | 'timestamp';

/** A field the API can filter, sort and export by: public (camelCase) name -> SQL column. */
export interface QueryField {
  name: string;
  /** Qualified column (runs are aliased `r`, results `m`). */
  sql: string;
  type: FieldType;
}

/** Parameters stored as text (the others are numbers). */
export type TextParameterName = 'exitRule' | 'deviceProfile' | 'engine' | 'digitalBaseline';

/** Typed run columns holding the sweep parameters, and how each is read from a config. */
export const PARAMETER_COLUMNS: Readonly<
  Record<
    ParameterName,
    { column: string; type: FieldType; read(config: EvaluationConfig): number | string | null }
  >
> = {
  programmingNoise: {
    column: 'programming_noise',
    type: 'number',
    read: (c) => c.device?.programmingNoise ?? null,
  },
  readNoise: { column: 'read_noise', type: 'number', read: (c) => c.device?.readNoise ?? null },
  camThreshold: { column: 'cam_threshold', type: 'number', read: (c) => commonThreshold(c) },
  camThresholdExit1: {
    column: 'cam_threshold_exit1',
    type: 'number',
    read: (c) => exitThreshold(c, 0),
  },
  camThresholdExit2: {
    column: 'cam_threshold_exit2',
    type: 'number',
    read: (c) => exitThreshold(c, 1),
  },
  memorySize: { column: 'memory_size', type: 'integer', read: (c) => c.memorySize },
  adcBits: { column: 'adc_bits', type: 'integer', read: (c) => c.device?.adcBits ?? null },
  dacBits: { column: 'dac_bits', type: 'integer', read: (c) => c.device?.dacBits ?? null },
  seed: { column: 'seed', type: 'integer', read: (c) => c.seed },
  stuckAtLrsRate: {
    column: 'stuck_at_lrs_rate',
    type: 'number',
    read: (c) => c.device?.stuckAtLrsRate ?? null,
  },
  stuckAtHrsRate: {
    column: 'stuck_at_hrs_rate',
    type: 'number',
    read: (c) => c.device?.stuckAtHrsRate ?? null,
  },
  tileRows: { column: 'tile_rows', type: 'integer', read: (c) => c.device?.tileRows ?? null },
  tileCols: { column: 'tile_cols', type: 'integer', read: (c) => c.device?.tileCols ?? null },
  exitRule: { column: 'exit_rule', type: 'text', read: (c) => c.exitRule ?? null },
  deviceProfile: { column: 'device_profile', type: 'text', read: (c) => c.deviceProfile ?? null },
  engine: { column: 'engine', type: 'text', read: (c) => c.engine ?? null },
  digitalBaseline: {
    column: 'digital_baseline',
    type: 'text',
    read: (c) => c.device?.digitalBaseline ?? null,
  },
};

/** The threshold every exit uses, or null when they differ (see the per-exit columns). */
function commonThreshold(config: EvaluationConfig): number | null {
  const t = config.camThreshold;
  if (!Array.isArray(t)) return t;
  return t.every((v) => v === t[0]) ? t[0] : null;
}

/** The threshold exit `e` used (null when the model has no such exit). */
function exitThreshold(config: EvaluationConfig, e: number): number | null {
  const t = config.camThreshold;
  return Array.isArray(t) ? (t[e] ?? null) : t;
}

type ScalarMetric = {
  [K in keyof EvaluationResult]: NonNullable<EvaluationResult[K]> extends number ? K : never;
}[keyof EvaluationResult];

/** Every scalar metric of EvaluationResult -> its column in `results`. */
export const METRIC_COLUMNS: Readonly<Record<ScalarMetric, { column: string; type: FieldType }>> = {
  samples: { column: 'samples', type: 'integer' },
  dynamicAccuracy: { column: 'dynamic_accuracy', type: 'number' },
  staticAccuracy: { column: 'static_accuracy', type: 'number' },
  softwareAccuracy: { column: 'software_accuracy', type: 'number' },
  meanMacsPerSample: { column: 'mean_macs_per_sample', type: 'number' },
  staticMacsPerSample: { column: 'static_macs_per_sample', type: 'number' },
  computeReduction: { column: 'compute_reduction', type: 'number' },
  camSearchesPerSample: { column: 'cam_searches_per_sample', type: 'number' },
  camBitSearchesPerSample: { column: 'cam_bit_searches_per_sample', type: 'number' },
  energyModelVersion: { column: 'energy_model_version', type: 'integer' },
  energyPerInferencePj: { column: 'energy_per_inference_pj', type: 'number' },
  staticEnergyPerInferencePj: { column: 'static_energy_per_inference_pj', type: 'number' },
  digitalBaselineEnergyPerInferencePj: {
    column: 'digital_baseline_energy_per_inference_pj',
    type: 'number',
  },
  digitalDynamicEnergyPerInferencePj: {
    column: 'digital_dynamic_energy_per_inference_pj',
    type: 'number',
  },
  energyReductionVsDigitalStatic: { column: 'energy_reduction_vs_digital_static', type: 'number' },
  energyReductionVsDigitalDynamic: {
    column: 'energy_reduction_vs_digital_dynamic',
    type: 'number',
  },
  energyReductionVsDigital: { column: 'energy_reduction_vs_digital', type: 'number' },
  energyReductionVsStatic: { column: 'energy_reduction_vs_static', type: 'number' },
  wallTimeMs: { column: 'wall_time_ms', type: 'number' },
  dynamicWallTimeMs: { column: 'dynamic_wall_time_ms', type: 'number' },
  staticWallTimeMs: { column: 'static_wall_time_ms', type: 'number' },
  chipPassWallTimeMs: { column: 'chip_pass_wall_time_ms', type: 'number' },
};

export type MetricName = ScalarMetric;
export const METRIC_NAMES = Object.keys(METRIC_COLUMNS) as MetricName[];

/** Metrics the summary aggregates per grid point by default (the ones a sweep is run for). */
export const SUMMARY_METRICS: readonly MetricName[] = [
  'dynamicAccuracy',
  'staticAccuracy',
  'softwareAccuracy',
  'computeReduction',
  'meanMacsPerSample',
  'energyPerInferencePj',
  'energyReductionVsDigitalStatic',
  'energyReductionVsDigitalDynamic',
  'energyReductionVsStatic',
];

const RUN_FIELDS: QueryField[] = [
  { name: 'runId', sql: 'r.id', type: 'uuid' },
  { name: 'sweepId', sql: 'r.sweep_id', type: 'uuid' },
  { name: 'runIndex', sql: 'r.run_index', type: 'integer' },
  { name: 'repeat', sql: 'r.repeat_index', type: 'integer' },
  { name: 'status', sql: 'r.status', type: 'text' },
  { name: 'configHash', sql: 'r.config_hash', type: 'text' },
  { name: 'model', sql: 'r.model', type: 'text' },
  { name: 'artifactVersion', sql: 'r.artifact_version', type: 'text' },
  { name: 'split', sql: 'r.split', type: 'text' },
  { name: 'sampleCount', sql: 'r.sample_count', type: 'integer' },
  { name: 'attempts', sql: 'r.attempts', type: 'integer' },
  { name: 'workerId', sql: 'r.worker_id', type: 'text' },
  { name: 'error', sql: 'r.error', type: 'text' },
  { name: 'queuedAt', sql: 'r.queued_at', type: 'timestamp' },
  { name: 'startedAt', sql: 'r.started_at', type: 'timestamp' },
  { name: 'finishedAt', sql: 'r.finished_at', type: 'timestamp' },
  // How the result was made: 'derived' from its chip's pass or 'measured' (results.timing).
  { name: 'timing', sql: 'm.timing', type: 'text' },
];

/** Everything a results query can filter, sort or export by, keyed by public name. */
export const QUERY_FIELDS: ReadonlyMap<string, QueryField> = new Map(
  [
    ...RUN_FIELDS,
    ...Object.entries(PARAMETER_COLUMNS).map(([name, p]) => ({
      name,
      sql: `r.${p.column}`,
      type: p.type,
    })),
    ...Object.entries(METRIC_COLUMNS).map(([name, m]) => ({
      name,
      sql: `m.${m.column}`,
      type: m.type,
    })),
  ].map((field) => [field.name, field]),
);

export const RUN_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'cached',
  'failed',
  'cancelled',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
