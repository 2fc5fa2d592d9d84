/** Operations one simulated run performed, by the component that pays for them. */
export interface OperationCounts {
  /** Analog multiply-accumulates in crossbar arrays. */
  cimMacs: number;
  adcConversions: number;
  dacConversions: number;
  /** Digital adds of a tile's converted partial sum into its column's total. */
  accumulateOps: number;
  /** Operands fetched from the activation buffer, one per DAC drive. */
  activationReads: number;
  /** Layer outputs written to the activation buffer. */
  activationWrites: number;
  /** One query bit compared against one stored TCAM bit. */
  camBitSearches: number;
  /** Match-line readouts: one per TCAM row per search (the row's mismatch count). */
  camRowReadouts: number;
  /** Digital adds, compares and max operations outside the crossbars (batch norm, ReLU, pooling, residual adds, exit decisions). */
  digitalOps: number;
  /** Digital operations of farthest point sampling and ball query (PointNet++). */
  pointSamplingOps: number;
}

const COUNT_NAMES: readonly (keyof OperationCounts)[] = [
  'cimMacs',
  'adcConversions',
  'dacConversions',
  'accumulateOps',
  'activationReads',
  'activationWrites',
  'camBitSearches',
  'camRowReadouts',
  'digitalOps',
  'pointSamplingOps',
];

export function emptyOperationCounts(): OperationCounts {
  return {
    cimMacs: 0,
    adcConversions: 0,
    dacConversions: 0,
    accumulateOps: 0,
    activationReads: 0,
    activationWrites: 0,
    camBitSearches: 0,
    camRowReadouts: 0,
    digitalOps: 0,
    pointSamplingOps: 0,
  };
}

/** Adds `delta` (times `times`, default 1) into `target` and returns `target`. */
export function addOperationCounts(
  target: OperationCounts,
  delta: Readonly<OperationCounts>,
  times = 1,
): OperationCounts {
  for (const name of COUNT_NAMES) target[name] += delta[name] * times;
  return target;
}

/** A new record: `counts` times `factor` (e.g. per-sample costs times the samples). */
export function scaleOperationCounts(
  counts: Readonly<OperationCounts>,
  factor: number,
): OperationCounts {
  return addOperationCounts(emptyOperationCounts(), counts, factor);
}

/** A new record holding the sum of all `counts`. */
export function mergeOperationCounts(
  ...counts: readonly Readonly<OperationCounts>[]
): OperationCounts {
  const total = emptyOperationCounts();
  for (const entry of counts) {
    addOperationCounts(total, entry);
  }
  return total;
}
