/**
 * Tiled crossbar matrix-vector product: the reference the tensor engines are tested against.
 *
 * Weights W [rows = inputs][cols = outputs] are split into tiles of tileRows x tileCols. For every
 * input vector x (one row of the batch):
 *
 * 1. DAC: x_q = quantizeDacInput(x, inputRange) (see quantizers.ts), per input.
 * 2. For every row tile t (rows [t*tileRows, min(rows, (t+1)*tileRows))) and output column j:
 *      p_tj = sum_{i in t} x_q,i * W_ij                                   (weight units)
 *    with read noise on, plus sqrt(sum_{i in t} x_q,i^2 * v_ij) * N(0, 1), v = the operand's
 *    per-cell read-noise variance (or v_ij = c_j when it provides per-column variances c). This
 *    is exact in distribution for independent Gaussian conductance noise per cell per read.
 * 3. ADC: a_tj = quantizeAdcOutput(p_tj, R_t): clip to [-R_t, R_t], round half to even to the
 *    2^adcBits - 1 levels k * R_t / (2^(adcBits-1) - 1).
 *    'full-scale':  R_t = rowsInTile_t * inputRange * max_ij |W_ij|  (the last tile may be shorter)
 *    'calibrated':  R_t = R, one value for the layer.
 * 4. y_j = sum_t a_tj, accumulated digitally (exactly, in float64; stored as float32).
 *
 * Column tiles do not change the arithmetic (every column has its own ADC conversion per row
 * tile); they set how many times each input is driven: one DAC conversion per input per column
 * tile. Counts per call: MACs batch*rows*cols, ADC conversions batch*rowTiles*cols, DAC
 * conversions batch*rows*colTiles, accumulate adds batch*(rowTiles-1)*cols,
 * activation reads (one per DAC drive) batch*rows*colTiles, activation writes batch*cols.
 *
 * Noise draws are reproducible for a given rng (one N(0,1) per sample, row tile and column, drawn
 * in the order: block of 32 samples, row tile, sample, column) but are not part of the
 * cross-engine contract; engines match the distribution.
 */
import type { CrossbarOperand } from './crossbar-operand';
import {
  accumulateTileRows,
  accumulateTileRowsWithVariance,
  maxAbsolute,
  quantizeInputs,
  sumOfSquares,
} from './crossbar-kernels';
import { validateCrossbarSettings, type CrossbarSettings } from './crossbar-settings';
import { addOperationCounts, type OperationCounts } from './operation-counts';
import { adcMaxCode, dacMaxCode, quantizeAdcOutput } from './quantizers';
import type { CounterRng } from './rng';

// Local aliases: global lookups (Math.*) are slow inside vm sandboxes such as jest's.
const { sqrt } = Math;

/** Samples sharing one pass over the weights (cache blocking); fixes the noise draw order. */
const SAMPLES_PER_BLOCK = 32;

function checkOperand(operand: CrossbarOperand, useReadNoise: boolean): void {
  const { rows, cols, effectiveWeights, readNoiseVariance } = operand;
  if (effectiveWeights.length !== rows * cols) {
    throw new RangeError(
      `crossbarMatMul: operand holds ${effectiveWeights.length} weights, expected ${rows}x${cols}`,
    );
  }
  if (useReadNoise && (readNoiseVariance === null || readNoiseVariance.length !== rows * cols)) {
    throw new RangeError(
      `crossbarMatMul: read noise needs the operand's readNoiseVariance with ${rows}x${cols} values`,
    );
  }
  const columnVariance = operand.readNoiseColumnVariance;
  if (useReadNoise && columnVariance && columnVariance.length !== cols) {
    throw new RangeError(
      `crossbarMatMul: readNoiseColumnVariance must hold ${cols} values, got ${columnVariance.length}`,
    );
  }
}

/** Counts of one crossbarMatMul call (see file comment). */
export function crossbarOperationCounts(
  batch: number,
  rows: number,
  cols: number,
  tileRows: number,
  tileCols: number,
): OperationCounts {
  const rowTiles = Math.ceil(rows / tileRows);
  const colTiles = Math.ceil(cols / tileCols);
  return {
    cimMacs: batch * rows * cols,
    adcConversions: batch * rowTiles * cols,
    dacConversions: batch * rows * colTiles,
    accumulateOps: batch * (rowTiles - 1) * cols,
    // Each DAC drive fetches its operand from the activation buffer; each output is written once.
    activationReads: batch * rows * colTiles,
    activationWrites: batch * cols,
    camBitSearches: 0,
    camRowReadouts: 0,
    digitalOps: 0,
    pointSamplingOps: 0,
  };
}

/**
 * y = crossbar(x) for a batch of input rows: `inputs` is [batch][operand.rows], the result
 * [batch][operand.cols] (written into `out` when given). `rng` is required when
 * settings.readNoise is true; `counters` is incremented by this call's operation counts.
 */
export function crossbarMatMul(
  inputs: Float32Array,
  batch: number,
  operand: CrossbarOperand,
  settings: CrossbarSettings,
  rng: CounterRng | null,
  out?: Float32Array,
  counters?: OperationCounts,
): Float32Array {
  const { rows, cols, effectiveWeights } = operand;
  validateCrossbarSettings(settings);
  checkOperand(operand, settings.readNoise);
  if (!Number.isInteger(batch) || batch < 0 || inputs.length !== batch * rows) {
    throw new RangeError(
      `crossbarMatMul: inputs must hold batch (${batch}) x rows (${rows}) values, got ${inputs.length}`,
    );
  }
  const result = out ?? new Float32Array(batch * cols);
  if (result.length !== batch * cols) {
    throw new RangeError(
      `crossbarMatMul: out must hold ${batch * cols} values, got ${result.length}`,
    );
  }
  if (settings.readNoise && rng === null) {
    throw new RangeError('crossbarMatMul: settings.readNoise is on but no rng was given');
  }
  const columnVariance = (settings.readNoise && operand.readNoiseColumnVariance) || null;
  const cellVariance = settings.readNoise && !columnVariance ? operand.readNoiseVariance : null;

  const { tileRows, inputRange, inputSigned, adcRange } = settings;
  const rowTiles = Math.ceil(rows / tileRows);
  const dacMax = dacMaxCode(settings.dacBits, inputSigned);
  const adcMax = adcMaxCode(settings.adcBits);
  const fullScale = adcRange.policy === 'full-scale';
  const fullScalePerRow = fullScale ? inputRange * maxAbsolute(effectiveWeights) : 0;

  // Samples are processed in blocks, tile by tile, so a tile's weights (and read-noise
  // variances) stay in cache while every sample of the block uses them.
  const blockSize = Math.max(1, Math.min(batch, SAMPLES_PER_BLOCK));
  const quantizedInputs = new Float64Array(blockSize * rows);
  const accumulated = new Float64Array(blockSize * cols);
  const partialSums = new Float64Array(cols);
  const variance = cellVariance ? new Float64Array(cols) : null;
  const standardNormals = settings.readNoise ? new Float64Array(cols) : null;

  for (let blockStart = 0; blockStart < batch; blockStart += blockSize) {
    const samples = Math.min(blockSize, batch - blockStart);
    quantizeInputs(
      inputs,
      blockStart * rows,
      samples * rows,
      inputRange,
      dacMax,
      inputSigned,
      quantizedInputs,
    );
    accumulated.fill(0);
    for (let tile = 0; tile < rowTiles; tile++) {
      const rowStart = tile * tileRows;
      const rowEnd = Math.min(rows, rowStart + tileRows);
      const range = fullScale ? (rowEnd - rowStart) * fullScalePerRow : adcRange.range;
      for (let sample = 0; sample < samples; sample++) {
        const inputOffset = sample * rows;
        partialSums.fill(0);
        if (cellVariance && variance && standardNormals && rng) {
          variance.fill(0);
          accumulateTileRowsWithVariance(
            quantizedInputs,
            inputOffset,
            effectiveWeights,
            cellVariance,
            cols,
            rowStart,
            rowEnd,
            partialSums,
            variance,
          );
          rng.fillNormal(standardNormals);
          for (let col = 0; col < cols; col++) {
            partialSums[col] += sqrt(variance[col]) * standardNormals[col];
          }
        } else {
          accumulateTileRows(
            quantizedInputs,
            inputOffset,
            effectiveWeights,
            cols,
            rowStart,
            rowEnd,
            partialSums,
          );
          if (columnVariance && standardNormals && rng) {
            const inputEnergy = sumOfSquares(quantizedInputs, inputOffset, rowStart, rowEnd);
            rng.fillNormal(standardNormals);
            for (let col = 0; col < cols; col++) {
              partialSums[col] += sqrt(inputEnergy * columnVariance[col]) * standardNormals[col];
            }
          }
        }
        const outputOffset = sample * cols;
        for (let col = 0; col < cols; col++) {
          accumulated[outputOffset + col] += quantizeAdcOutput(partialSums[col], range, adcMax);
        }
      }
    }
    result.set(accumulated.subarray(0, samples * cols), blockStart * cols);
  }

  if (counters) {
    addOperationCounts(
      counters,
      crossbarOperationCounts(batch, rows, cols, tileRows, settings.tileCols),
    );
  }
  return result;
}
