import { checkMatrixShape } from './matrix-shape';

/**
 * What the crossbar product reads: effective weights in weight units, [rows = inputs][cols =
 * outputs] row-major, and the per-cell read-noise variance in weight units squared (null when the
 * array is read noiselessly, e.g. plain trained weights).
 */
export interface CrossbarOperand {
  readonly rows: number;
  readonly cols: number;
  readonly effectiveWeights: Float32Array;
  readonly readNoiseVariance: Float32Array | null;
  /**
   * Optional shortcut, set when every cell of column j has the same read-noise variance (the
   * 'uniform' read-noise model): that variance per column. The noise then needs sum_i x_i^2 once
   * per tile instead of a second pass over the matrix; the distribution is the same.
   */
  readonly readNoiseColumnVariance?: Float32Array | null;
}

/** Wraps plain weights (no device) so the crossbar periphery alone can be simulated. */
export function idealCrossbarOperand(
  weights: Float32Array,
  rows: number,
  cols: number,
): CrossbarOperand {
  checkMatrixShape(weights.length, rows, cols, 'idealCrossbarOperand');
  return { rows, cols, effectiveWeights: weights, readNoiseVariance: null };
}
