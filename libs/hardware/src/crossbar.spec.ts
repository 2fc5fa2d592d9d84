import { crossbarMatMul, crossbarOperationCounts } from './crossbar';
import { idealCrossbarOperand, type CrossbarOperand } from './crossbar-operand';
import type { CrossbarSettings } from './crossbar-settings';
import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import { emptyOperationCounts, scaleOperationCounts } from './operation-counts';
import { withOverrides } from './profile-overrides';
import { realizeEffectiveWeights } from './programming';
import { adcMaxCode, dacMaxCode, quantizeAdcOutput, quantizeDacInput } from './quantizers';
import { CounterRng } from './rng';
import { sampleStd, stdRelativeTolerance } from './testing/statistics';

const { abs, round } = Math;

const EXACT: CrossbarSettings = {
  tileRows: 128,
  tileCols: 64,
  dacBits: 16,
  inputRange: 1,
  inputSigned: true,
  adcBits: 16,
  adcRange: { policy: 'full-scale' },
  readNoise: false,
};

function randomMatrix(length: number, seed: number, std = 1): Float32Array {
  const values = new Float32Array(length);
  new CounterRng(seed, 'matrix').fillNormal(values, 0, std);
  return values;
}

function randomInputs(length: number, seed: number): Float32Array {
  const values = new Float32Array(length);
  new CounterRng(seed, 'inputs').fillUniform(values, -1, 1);
  return values;
}

/** Plain float64 product, no periphery. */
function exactProduct(inputs: Float32Array, batch: number, operand: CrossbarOperand): Float64Array {
  const { rows, cols, effectiveWeights } = operand;
  const out = new Float64Array(batch * cols);
  for (let sample = 0; sample < batch; sample++) {
    for (let col = 0; col < cols; col++) {
      let sum = 0;
      for (let row = 0; row < rows; row++) {
        sum += inputs[sample * rows + row] * effectiveWeights[row * cols + col];
      }
      out[sample * cols + col] = sum;
    }
  }
  return out;
}

/** The documented semantics written out per output element (column-major loops, no kernels). */
function referenceCrossbar(
  inputs: Float32Array,
  batch: number,
  operand: CrossbarOperand,
  settings: CrossbarSettings,
): Float64Array {
  const { rows, cols, effectiveWeights } = operand;
  const dacMax = dacMaxCode(settings.dacBits, settings.inputSigned);
  const adcMax = adcMaxCode(settings.adcBits);
  let maxWeight = 0;
  for (const weight of effectiveWeights) maxWeight = Math.max(maxWeight, Math.abs(weight));
  const out = new Float64Array(batch * cols);
  for (let sample = 0; sample < batch; sample++) {
    for (let col = 0; col < cols; col++) {
      let total = 0;
      for (let rowStart = 0; rowStart < rows; rowStart += settings.tileRows) {
        const rowEnd = Math.min(rows, rowStart + settings.tileRows);
        let partial = 0;
        for (let row = rowStart; row < rowEnd; row++) {
          const x = quantizeDacInput(
            inputs[sample * rows + row],
            settings.inputRange,
            dacMax,
            settings.inputSigned,
          );
          partial += x * effectiveWeights[row * cols + col];
        }
        const range =
          settings.adcRange.policy === 'full-scale'
            ? (rowEnd - rowStart) * settings.inputRange * maxWeight
            : settings.adcRange.range;
        total += quantizeAdcOutput(partial, range, adcMax);
      }
      out[sample * cols + col] = total;
    }
  }
  return out;
}

describe('crossbarMatMul', () => {
  it.each([
    ['full-scale', EXACT],
    ['calibrated', { ...EXACT, adcRange: { policy: 'calibrated', range: 40 } } as const],
  ])(
    'equals the exact product with 16-bit DAC/ADC (%s range) and no noise',
    (_policy, settings: CrossbarSettings) => {
      const rows = 300;
      const cols = 200;
      const batch = 8;
      const operand = idealCrossbarOperand(randomMatrix(rows * cols, 1, 0.5), rows, cols);
      const inputs = randomInputs(batch * rows, 1);
      const result = crossbarMatMul(inputs, batch, operand, settings, null);
      const exact = exactProduct(inputs, batch, operand);

      let maxWeight = 0;
      for (const weight of operand.effectiveWeights)
        maxWeight = Math.max(maxWeight, Math.abs(weight));
      // Tiles of 128, 128 and 44 rows; each ADC conversion is off by at most half a step.
      const adcHalfSteps = [128, 128, 44].reduce((sum, tileRows) => {
        const range = settings.adcRange.policy === 'full-scale' ? tileRows * maxWeight : 40;
        return sum + range / adcMaxCode(16) / 2;
      }, 0);
      const dacHalfStep = 1 / dacMaxCode(16, true) / 2;
      const columnNorms = new Float64Array(cols);
      for (let index = 0; index < rows * cols; index++) {
        columnNorms[index % cols] += abs(operand.effectiveWeights[index]);
      }
      let worstRelativeError = 0;
      let violations = 0;
      for (let index = 0; index < batch * cols; index++) {
        const bound = adcHalfSteps + columnNorms[index % cols] * dacHalfStep + 1e-5;
        const error = abs(result[index] - exact[index]);
        if (error > bound) violations++;
        worstRelativeError = Math.max(worstRelativeError, error / bound);
      }
      expect(violations).toBe(0);
      // And the bound is what the error approaches: rounding really happens at these steps.
      expect(worstRelativeError).toBeGreaterThan(0.3);
      // A calibrated 16-bit range leaves the product exact to ~1e-3 absolute (outputs ~5).
      if (settings.adcRange.policy === 'calibrated') expect(adcHalfSteps).toBeLessThan(2e-3);
    },
  );

  it('follows the documented tile/DAC/ADC semantics exactly, across partial tiles', () => {
    // Grid-exact data (integer inputs, weights in {-1, 0, 1}) so every sum is exact and the
    // comparison can demand equality, including half-way ties at the ADC.
    const rows = 300;
    const cols = 70;
    const batch = 5;
    const weights = new Float32Array(rows * cols);
    const rng = new CounterRng(2, 'grid');
    for (let index = 0; index < weights.length; index++)
      weights[index] = Math.floor(rng.uniform() * 3) - 1;
    const inputs = new Float32Array(batch * rows);
    for (let index = 0; index < inputs.length; index++)
      inputs[index] = Math.floor(rng.uniform() * 9) - 1;
    const operand = idealCrossbarOperand(weights, rows, cols);
    const settings: CrossbarSettings = {
      tileRows: 128,
      tileCols: 32,
      dacBits: 3,
      inputRange: 7,
      inputSigned: false,
      // Step 62 / 31 = 2: every odd partial sum is an exact tie; |p| > 62 clips.
      adcBits: 6,
      adcRange: { policy: 'calibrated', range: 62 },
      readNoise: false,
    };
    const result = crossbarMatMul(inputs, batch, operand, settings, null);
    expect(Array.from(result)).toEqual(
      Array.from(Float32Array.from(referenceCrossbar(inputs, batch, operand, settings))),
    );

    const fullScale = { ...settings, adcRange: { policy: 'full-scale' } } as const;
    const fullScaleResult = crossbarMatMul(inputs, batch, operand, fullScale, null);
    expect(Array.from(fullScaleResult)).toEqual(
      Array.from(Float32Array.from(referenceCrossbar(inputs, batch, operand, fullScale))),
    );
  });

  it('keeps ADC error within half an LSB inside the range and clips outside it', () => {
    const rows = 64;
    const cols = 400;
    const batch = 10;
    const operand = idealCrossbarOperand(randomMatrix(rows * cols, 3, 0.2), rows, cols);
    const inputs = randomInputs(batch * rows, 3);
    const range = 1.5;
    const settings: CrossbarSettings = {
      ...EXACT,
      adcBits: 6,
      adcRange: { policy: 'calibrated', range },
    };
    const result = crossbarMatMul(inputs, batch, operand, settings, null);
    // The DAC is 16-bit, so the analog partial sum is the exact product up to ~1e-4.
    const partial = exactProduct(
      inputs.map((x) => quantizeDacInput(x, 1, dacMaxCode(16, true), true)),
      batch,
      operand,
    );
    const step = range / adcMaxCode(6);
    let inside = 0;
    let clipped = 0;
    let offLevel = 0;
    let beyondHalfStep = 0;
    let notAtRange = 0;
    for (let index = 0; index < result.length; index++) {
      const level = result[index] / step;
      if (abs(level - round(level)) > 1e-4) offLevel++;
      if (abs(partial[index]) <= range) {
        inside++;
        if (abs(result[index] - partial[index]) > step / 2 + 1e-6) beyondHalfStep++;
      } else {
        clipped++;
        if (abs(result[index] - Math.sign(partial[index]) * range) > 1e-6) notAtRange++;
      }
    }
    expect({ offLevel, beyondHalfStep, notAtRange }).toEqual({
      offLevel: 0,
      beyondHalfStep: 0,
      notAtRange: 0,
    });
    expect(inside).toBeGreaterThan(100);
    expect(clipped).toBeGreaterThan(100);
  });

  it('never clips under the full-scale policy', () => {
    const rows = 100;
    const cols = 3;
    // Column 0 reaches the tile's full scale: every input at +range, every weight at max|W|.
    const weights = new Float32Array(rows * cols);
    for (let row = 0; row < rows; row++) weights.set([0.5, -0.5, 0.25], row * cols);
    const inputs = new Float32Array(rows).fill(2);
    const settings: CrossbarSettings = { ...EXACT, tileRows: 64, inputRange: 2, adcBits: 8 };
    const result = crossbarMatMul(
      inputs,
      1,
      idealCrossbarOperand(weights, rows, cols),
      settings,
      null,
    );
    // Tiles of 64 and 36 rows: R = 64 and 36, each reached exactly (the top ADC level).
    expect(result[0]).toBeCloseTo(100, 4);
    expect(result[1]).toBeCloseTo(-100, 4);
    const halfSteps = (64 + 36) / adcMaxCode(8) / 2;
    expect(Math.abs(result[2] - 50)).toBeLessThanOrEqual(halfSteps);
  });

  it('applies the DAC levels: unsigned 2-bit and signed 3-bit, clipped, ties to even', () => {
    // Range 3 makes the step exactly 1, so x.5 inputs are exact ties.
    const unsignedInputs = [-1, 0, 0.4, 0.5, 1.5, 2.5, 2.6, 3, 7];
    const unsigned = unsignedInputs.map((x) => quantizeDacInput(x, 3, dacMaxCode(2, false), false));
    expect(unsigned).toEqual([0, 0, 0, 0, 2, 2, 3, 3, 3]);
    const signed = [-5, -2.5, -0.5, 0.5, 1.5, 2.4, 4].map((x) =>
      quantizeDacInput(x, 3, dacMaxCode(3, true), true),
    );
    expect(signed).toEqual([-3, -2, -0, 0, 2, 2, 3]);

    // Through the array: identity weights make the output the quantized input.
    const rows = unsignedInputs.length;
    const identity = new Float32Array(rows * rows);
    for (let row = 0; row < rows; row++) identity[row * rows + row] = 1;
    const settings: CrossbarSettings = {
      ...EXACT,
      dacBits: 2,
      inputRange: 3,
      inputSigned: false,
      adcRange: { policy: 'calibrated', range: 3 },
    };
    const operand = idealCrossbarOperand(identity, rows, rows);
    const result = crossbarMatMul(new Float32Array(unsignedInputs), 1, operand, settings, null);
    const adcHalfStep = 3 / adcMaxCode(16) / 2;
    result.forEach((value, index) => {
      expect(Math.abs(value - unsigned[index])).toBeLessThanOrEqual(adcHalfStep);
    });
  });

  it('counts MACs, ADC and DAC conversions, accumulate adds and buffer accesses exactly', () => {
    const rows = 300;
    const cols = 70;
    const batch = 3;
    const counters = emptyOperationCounts();
    const settings: CrossbarSettings = { ...EXACT, tileRows: 128, tileCols: 32 };
    const operand = idealCrossbarOperand(randomMatrix(rows * cols, 4), rows, cols);
    crossbarMatMul(
      randomInputs(batch * rows, 4),
      batch,
      operand,
      settings,
      null,
      undefined,
      counters,
    );
    crossbarMatMul(
      randomInputs(batch * rows, 5),
      batch,
      operand,
      settings,
      null,
      undefined,
      counters,
    );
    // 3 row tiles (128, 128, 44) and 3 column tiles (32, 32, 6), two calls.
    expect(counters).toEqual({
      cimMacs: 2 * batch * rows * cols,
      adcConversions: 2 * batch * 3 * cols,
      dacConversions: 2 * batch * rows * 3,
      accumulateOps: 2 * batch * 2 * cols,
      activationReads: 2 * batch * rows * 3,
      activationWrites: 2 * batch * cols,
      camBitSearches: 0,
      camRowReadouts: 0,
      digitalOps: 0,
      pointSamplingOps: 0,
    });
    // What the energy model prices a layer with, without running it.
    expect(counters).toEqual(
      scaleOperationCounts(crossbarOperationCounts(batch, rows, cols, 128, 32), 2),
    );
    expect(crossbarOperationCounts(1, 128, 128, 128, 128)).toEqual({
      cimMacs: 16384,
      adcConversions: 128,
      dacConversions: 128,
      accumulateOps: 0,
      activationReads: 128,
      activationWrites: 128,
      camBitSearches: 0,
      camRowReadouts: 0,
      digitalOps: 0,
      pointSamplingOps: 0,
    });
  });

  it('adds read noise with std sqrt(sum_i x_i^2 v_ij), summed over row tiles', () => {
    const rows = 200;
    const cols = 12;
    const repeats = 20_000;
    const profile = withOverrides(DEFAULT_DEVICE_PROFILE, {
      readNoise: { model: 'state-dependent', lrsRelativeStd: 0.05, hrsRelativeStd: 0.02 },
    });
    const array = realizeEffectiveWeights(
      randomMatrix(rows * cols, 6),
      rows,
      cols,
      profile,
      new CounterRng(6),
      { scaleMode: 'per-column' },
    );
    const input = randomInputs(rows, 6);
    const inputs = new Float32Array(repeats * rows);
    for (let repeat = 0; repeat < repeats; repeat++) inputs.set(input, repeat * rows);
    const settings: CrossbarSettings = { ...EXACT, tileRows: 64, readNoise: true };
    const noisy = crossbarMatMul(inputs, repeats, array, settings, new CounterRng(6, 'reads'));
    const noiseless = crossbarMatMul(input, 1, array, { ...settings, readNoise: false }, null);

    const dacMax = dacMaxCode(16, true);
    const pooled = new Float64Array(repeats * cols);
    for (let col = 0; col < cols; col++) {
      let variance = 0;
      for (let row = 0; row < rows; row++) {
        const x = quantizeDacInput(input[row], 1, dacMax, true);
        variance += x * x * array.readNoiseVariance[row * cols + col];
      }
      const expectedStd = Math.sqrt(variance);
      const column = new Float64Array(repeats);
      for (let repeat = 0; repeat < repeats; repeat++) {
        column[repeat] = noisy[repeat * cols + col];
        pooled[repeat * cols + col] = (column[repeat] - noiseless[col]) / expectedStd;
      }
      expect(Math.abs(sampleStd(column) / expectedStd - 1)).toBeLessThan(
        stdRelativeTolerance(repeats),
      );
    }
    let sumSquares = 0;
    for (const z of pooled) sumSquares += z * z;
    // Centred on the noiseless output, unit variance after scaling by the predicted std.
    expect(Math.abs(Math.sqrt(sumSquares / pooled.length) - 1)).toBeLessThan(
      stdRelativeTolerance(pooled.length),
    );
  });

  it('gives the same noisy reads through the per-column variance shortcut', () => {
    const rows = 200;
    const cols = 30;
    // Default profile: uniform read noise, so the programmed array carries per-column variances.
    const array = realizeEffectiveWeights(
      randomMatrix(rows * cols, 9),
      rows,
      cols,
      DEFAULT_DEVICE_PROFILE,
      new CounterRng(9),
      { scaleMode: 'per-column' },
    );
    expect(array.readNoiseColumnVariance).not.toBeNull();
    const perCell: CrossbarOperand = { ...array, readNoiseColumnVariance: null };
    const inputs = randomInputs(50 * rows, 9);
    const settings: CrossbarSettings = { ...EXACT, tileRows: 64, readNoise: true };
    const shortcut = crossbarMatMul(inputs, 50, array, settings, new CounterRng(9, 'reads'));
    const general = crossbarMatMul(inputs, 50, perCell, settings, new CounterRng(9, 'reads'));
    const noiseless = crossbarMatMul(inputs, 50, array, { ...settings, readNoise: false }, null);
    let largestGap = 0;
    let largestNoise = 0;
    for (let index = 0; index < shortcut.length; index++) {
      largestGap = Math.max(largestGap, abs(shortcut[index] - general[index]));
      largestNoise = Math.max(largestNoise, abs(general[index] - noiseless[index]));
    }
    expect(largestNoise).toBeGreaterThan(1e-3);
    expect(largestGap).toBeLessThan(1e-4 * largestNoise + 1e-6);
  });

  it('reproduces noisy reads bit for bit from the same seed only', () => {
    const rows = 150;
    const cols = 40;
    const array = realizeEffectiveWeights(
      randomMatrix(rows * cols, 7),
      rows,
      cols,
      DEFAULT_DEVICE_PROFILE,
      new CounterRng(7),
    );
    const inputs = randomInputs(4 * rows, 7);
    const settings: CrossbarSettings = { ...EXACT, readNoise: true };
    const first = crossbarMatMul(inputs, 4, array, settings, new CounterRng(7, 'reads'));
    const again = crossbarMatMul(inputs, 4, array, settings, new CounterRng(7, 'reads'));
    const other = crossbarMatMul(inputs, 4, array, settings, new CounterRng(8, 'reads'));
    expect(Buffer.from(again.buffer).equals(Buffer.from(first.buffer))).toBe(true);
    expect(Array.from(other)).not.toEqual(Array.from(first));
  });

  it('rejects inconsistent calls', () => {
    const operand = idealCrossbarOperand(new Float32Array(6), 2, 3);
    expect(() => crossbarMatMul(new Float32Array(5), 2, operand, EXACT, null)).toThrow(
      /inputs must hold batch \(2\) x rows \(2\) values, got 5/,
    );
    expect(() =>
      crossbarMatMul(new Float32Array(4), 2, operand, { ...EXACT, readNoise: true }, null),
    ).toThrow(/readNoiseVariance/);
    expect(() =>
      crossbarMatMul(new Float32Array(4), 2, operand, { ...EXACT, adcBits: 1 }, null),
    ).toThrow(/adcBits must be an integer in \[2, 16\], got 1/);
  });
});
