/** Inner loops shared by the crossbar product and ADC calibration. */
import { quantizeDacInput } from './quantizers';

// Local aliases: global lookups (Math.*) are slow inside vm sandboxes such as jest's.
const { abs } = Math;

/** DAC-quantizes `count` inputs from inputs[offset] into out[0 .. count). */
export function quantizeInputs(
  inputs: Float32Array,
  offset: number,
  count: number,
  inputRange: number,
  dacMaxCode: number,
  inputSigned: boolean,
  out: Float64Array,
): void {
  for (let index = 0; index < count; index++) {
    out[index] = quantizeDacInput(inputs[offset + index], inputRange, dacMaxCode, inputSigned);
  }
}

/**
 * partial[j] += sum over rows i in [rowStart, rowEnd) of x[xOffset + i] * matrix[i][j];
 * i-k-j order.
 */
export function accumulateTileRows(
  x: Float64Array,
  xOffset: number,
  matrix: Float32Array,
  cols: number,
  rowStart: number,
  rowEnd: number,
  partial: Float64Array,
): void {
  for (let row = rowStart; row < rowEnd; row++) {
    const input = x[xOffset + row];
    if (input === 0) continue;
    const offset = row * cols;
    for (let col = 0; col < cols; col++) {
      partial[col] += input * matrix[offset + col];
    }
  }
}

/**
 * Same as accumulateTileRows, plus variance[j] += x[i]^2 * cellVariance[i][j] in the same pass
 * (one sweep over both matrices is markedly faster than two).
 */
export function accumulateTileRowsWithVariance(
  x: Float64Array,
  xOffset: number,
  matrix: Float32Array,
  cellVariance: Float32Array,
  cols: number,
  rowStart: number,
  rowEnd: number,
  partial: Float64Array,
  variance: Float64Array,
): void {
  for (let row = rowStart; row < rowEnd; row++) {
    const input = x[xOffset + row];
    if (input === 0) continue;
    const inputSquared = input * input;
    const offset = row * cols;
    for (let col = 0; col < cols; col++) {
      partial[col] += input * matrix[offset + col];
      variance[col] += inputSquared * cellVariance[offset + col];
    }
  }
}

/** sum over rows i in [rowStart, rowEnd) of x[xOffset + i]^2. */
export function sumOfSquares(
  x: Float64Array,
  xOffset: number,
  rowStart: number,
  rowEnd: number,
): number {
  let sum = 0;
  for (let row = rowStart; row < rowEnd; row++) {
    const input = x[xOffset + row];
    sum += input * input;
  }
  return sum;
}

export function maxAbsolute(values: Float32Array): number {
  let largest = 0;
  for (let index = 0; index < values.length; index++) {
    const magnitude = abs(values[index]);
    if (magnitude > largest) largest = magnitude;
  }
  return largest;
}
