/**
 * Per-layer range calibration from calibration inputs, reproducible by any engine:
 *
 * - percentile: nearest rank over absolute values — sort |v| ascending (n values) and take
 *   element ceil(p / 100 * n) - 1 (p = 100 gives the maximum).
 * - a percentile of 0 (mostly-zero data) falls back to the maximum |v|, so rare non-zero values
 *   are not quantized away; all-zero data give 1 (any positive range represents zeros exactly).
 * - DAC input range: that percentile of |x| over all calibration inputs.
 * - ADC range R ('calibrated' policy): that percentile of |p_tj| over every calibration input,
 *   row tile t and column j, with p_tj the noiseless partial sum of DAC-quantized inputs
 *   (crossbar.ts step 2 without read noise).
 */
import type { CrossbarOperand } from './crossbar-operand';
import { accumulateTileRows, quantizeInputs } from './crossbar-kernels';
import type { CrossbarSettings } from './crossbar-settings';
import { dacMaxCode } from './quantizers';

// Local aliases: global lookups (Math.*) are slow inside vm sandboxes such as jest's.
const { abs } = Math;

export type AdcCalibrationSettings = Pick<
  CrossbarSettings,
  'tileRows' | 'dacBits' | 'inputRange' | 'inputSigned'
>;

function checkPercentile(percentile: number): void {
  if (!(percentile > 0 && percentile <= 100)) {
    throw new RangeError(`calibration: percentile must be in (0, 100], got ${percentile}`);
  }
}

/** Sorts `magnitudes` in place and returns its nearest-rank percentile. */
function nearestRankInPlace(magnitudes: Float32Array | Float64Array, percentile: number): number {
  checkPercentile(percentile);
  if (magnitudes.length === 0) {
    throw new RangeError('calibration: cannot take a percentile of no values');
  }
  magnitudes.sort();
  const rank = Math.max(1, Math.ceil((percentile / 100) * magnitudes.length));
  return magnitudes[rank - 1];
}

/** Sorted magnitudes' percentile, falling back to the maximum, then 1 (see file comment). */
function usableRangeInPlace(magnitudes: Float32Array | Float64Array, percentile: number): number {
  const range = nearestRankInPlace(magnitudes, percentile);
  if (range > 0) return range;
  const maximum = magnitudes[magnitudes.length - 1];
  return maximum > 0 ? maximum : 1;
}

function absoluteValues(values: Float32Array | Float64Array): Float64Array {
  const magnitudes = new Float64Array(values.length);
  for (let index = 0; index < values.length; index++) {
    magnitudes[index] = abs(values[index]);
  }
  return magnitudes;
}

/** Nearest-rank percentile of the absolute values (see file comment). */
export function absolutePercentile(
  values: Float32Array | Float64Array,
  percentile: number,
): number {
  return nearestRankInPlace(absoluteValues(values), percentile);
}

/** DAC input range for a layer: a percentile of |x| over calibration inputs. */
export function calibrateInputRange(inputs: Float32Array, percentile: number): number {
  return usableRangeInPlace(absoluteValues(inputs), percentile);
}

/** ADC range R for a layer under the 'calibrated' policy (see file comment). */
export function calibrateAdcRange(
  inputs: Float32Array,
  batch: number,
  operand: CrossbarOperand,
  settings: AdcCalibrationSettings,
  percentile: number,
): number {
  const { rows, cols, effectiveWeights } = operand;
  if (inputs.length !== batch * rows || batch < 1) {
    throw new RangeError(
      `calibrateAdcRange: inputs must hold batch (${batch}) x rows (${rows}) values, got ${inputs.length}`,
    );
  }
  if (!(settings.inputRange > 0)) {
    throw new RangeError(`calibrateAdcRange: inputRange must be > 0, got ${settings.inputRange}`);
  }
  const { tileRows, inputRange, inputSigned } = settings;
  const rowTiles = Math.ceil(rows / tileRows);
  const dacMax = dacMaxCode(settings.dacBits, inputSigned);
  const quantizedInputs = new Float64Array(rows);
  const partialSums = new Float64Array(cols);
  // Float32 magnitudes: a range needs no more precision, and calibration sets can be large.
  const magnitudes = new Float32Array(batch * rowTiles * cols);
  for (let sample = 0; sample < batch; sample++) {
    quantizeInputs(inputs, sample * rows, rows, inputRange, dacMax, inputSigned, quantizedInputs);
    for (let tile = 0; tile < rowTiles; tile++) {
      const rowStart = tile * tileRows;
      partialSums.fill(0);
      accumulateTileRows(
        quantizedInputs,
        0,
        effectiveWeights,
        cols,
        rowStart,
        Math.min(rows, rowStart + tileRows),
        partialSums,
      );
      const offset = (sample * rowTiles + tile) * cols;
      for (let col = 0; col < cols; col++) {
        magnitudes[offset + col] = abs(partialSums[col]);
      }
    }
  }
  return usableRangeInPlace(magnitudes, percentile);
}
