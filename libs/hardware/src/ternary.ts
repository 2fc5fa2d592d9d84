import { checkMatrixShape } from './matrix-shape';

// Local aliases: global lookups (Math.*) are slow inside vm sandboxes such as jest's.
const { abs } = Math;
const { isFinite: isFiniteNumber } = Number;

/**
 * Ternary weight quantization after Li & Liu, "Ternary Weight Networks" (2016):
 *   delta = 0.7 * mean|w|,   code = sign(w) if |w| > delta else 0,
 *   alpha = mean of |w| over the weights with |w| > delta (0 if there are none),
 * so that w ≈ alpha * code. 'per-layer' computes one (delta, alpha) over the whole matrix;
 * 'per-column' one per output column. Layout is [rows = inFeatures][cols = outFeatures],
 * row-major: W[i * cols + j].
 */

export type TernaryScaleMode = 'per-layer' | 'per-column';

/** TWN threshold factor: delta = 0.7 * mean|w| (Li & Liu 2016). */
export const TWN_THRESHOLD_FACTOR = 0.7;

export interface TernaryWeights {
  readonly rows: number;
  readonly cols: number;
  /** Codes in {-1, 0, +1}, row-major [rows][cols]. */
  readonly codes: Int8Array;
  /** alpha for every output column (all equal for 'per-layer'). */
  readonly columnAlphas: Float32Array;
  readonly scaleMode: TernaryScaleMode;
}

export interface TernaryOptions {
  /** Default 'per-layer', as in TWN; one scale per layer also matches one ADC range per layer. */
  readonly scaleMode?: TernaryScaleMode;
  readonly thresholdFactor?: number;
}

export function quantizeTernary(
  weights: Float32Array,
  rows: number,
  cols: number,
  options: TernaryOptions = {},
): TernaryWeights {
  checkMatrixShape(weights.length, rows, cols, 'quantizeTernary');
  const scaleMode = options.scaleMode ?? 'per-layer';
  const thresholdFactor = options.thresholdFactor ?? TWN_THRESHOLD_FACTOR;
  if (!(thresholdFactor >= 0)) {
    throw new RangeError(`quantizeTernary: thresholdFactor must be >= 0, got ${thresholdFactor}`);
  }
  const perColumn = scaleMode === 'per-column';
  const groups = perColumn ? cols : 1;
  const groupSize = perColumn ? rows : rows * cols;

  const absoluteSums = new Float64Array(groups);
  for (let index = 0; index < weights.length; index++) {
    const value = weights[index];
    if (!isFiniteNumber(value)) {
      throw new RangeError(`quantizeTernary: weight ${index} is not finite (${value})`);
    }
    absoluteSums[perColumn ? index % cols : 0] += abs(value);
  }
  const thresholds = new Float64Array(groups);
  for (let group = 0; group < groups; group++) {
    thresholds[group] = (thresholdFactor * absoluteSums[group]) / groupSize;
  }

  const codes = new Int8Array(weights.length);
  const keptSums = new Float64Array(groups);
  const keptCounts = new Float64Array(groups);
  for (let index = 0; index < weights.length; index++) {
    const group = perColumn ? index % cols : 0;
    const value = weights[index];
    const magnitude = abs(value);
    if (magnitude > thresholds[group]) {
      codes[index] = value > 0 ? 1 : -1;
      keptSums[group] += magnitude;
      keptCounts[group] += 1;
    }
  }

  const columnAlphas = new Float32Array(cols);
  for (let col = 0; col < cols; col++) {
    const group = perColumn ? col : 0;
    columnAlphas[col] = keptCounts[group] > 0 ? keptSums[group] / keptCounts[group] : 0;
  }
  return { rows, cols, codes, columnAlphas, scaleMode };
}

/** alpha_j * code_ij, same layout as the codes. */
export function dequantizeTernary(ternary: TernaryWeights): Float32Array {
  const { rows, cols, codes, columnAlphas } = ternary;
  const weights = new Float32Array(rows * cols);
  for (let row = 0; row < rows; row++) {
    const offset = row * cols;
    for (let col = 0; col < cols; col++) {
      weights[offset + col] = codes[offset + col] * columnAlphas[col];
    }
  }
  return weights;
}
