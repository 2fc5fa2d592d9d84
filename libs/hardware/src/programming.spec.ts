import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import type { DeviceProfile } from './profile';
import { withOverrides } from './profile-overrides';
import { CellFault, programTernaryArray, realizeEffectiveWeights } from './programming';
import { CounterRng } from './rng';
import { dequantizeTernary, quantizeTernary, type TernaryWeights } from './ternary';
import {
  binomialTolerance,
  sampleMean,
  sampleStd,
  stdRelativeTolerance,
  zeroFlooredNormalMoments,
} from './testing/statistics';

const SIDE = 320; // 102,400 weights: 102,400 cells per conductance array.
const CELLS = SIDE * SIDE;

const NOISELESS = withOverrides(DEFAULT_DEVICE_PROFILE, {
  programmingNoise: { model: 'uniform', relativeStd: 0 },
  readNoise: { model: 'uniform', relativeStd: 0 },
});

/** A window far from 0 so Gaussian programming noise is never clipped. */
const UNCLIPPED_WINDOW = { hrsUs: 10, lrsUs: 40, maxUs: 80 };

/** Every weight +1: G+ cells hold LRS, G- cells hold HRS. */
function allPlusOnes(alpha = 1): TernaryWeights {
  return {
    rows: SIDE,
    cols: SIDE,
    codes: new Int8Array(CELLS).fill(1),
    columnAlphas: new Float32Array(SIDE).fill(alpha),
    scaleMode: 'per-layer',
  };
}

function randomTernary(rows: number, cols: number, seed: number): TernaryWeights {
  const rng = new CounterRng(seed, 'weights');
  const weights = new Float32Array(rows * cols);
  rng.fillNormal(weights);
  return quantizeTernary(weights, rows, cols, { scaleMode: 'per-column' });
}

function expectStd(values: Float32Array, expectedStd: number): void {
  expect(Math.abs(sampleStd(values) / expectedStd - 1)).toBeLessThan(
    stdRelativeTolerance(values.length),
  );
}

function expectMean(values: Float32Array, expectedMean: number, std: number): void {
  expect(Math.abs(sampleMean(values) - expectedMean)).toBeLessThan(
    (5 * std) / Math.sqrt(values.length),
  );
}

describe('programTernaryArray', () => {
  it('maps +1, 0, -1 to (LRS, HRS), (HRS, HRS), (HRS, LRS) and weights to code * alpha', () => {
    const ternary: TernaryWeights = {
      rows: 1,
      cols: 3,
      codes: new Int8Array([1, 0, -1]),
      columnAlphas: new Float32Array([0.5, 2, 0.25]),
      scaleMode: 'per-column',
    };
    const array = programTernaryArray(ternary, NOISELESS, new CounterRng(1));
    expect(Array.from(array.gPlusUs)).toEqual([40, 1, 1]);
    expect(Array.from(array.gMinusUs)).toEqual([1, 1, 40]);
    expect(Array.from(array.effectiveWeights)).toEqual([0.5, 0, -0.25]);
  });

  it('programs conductances with the configured std in both states (uniform model)', () => {
    const profile = withOverrides(NOISELESS, {
      conductance: UNCLIPPED_WINDOW,
      programmingNoise: { model: 'uniform', relativeStd: 0.05 },
    });
    const array = programTernaryArray(allPlusOnes(), profile, new CounterRng(2));
    const sigmaUs = 0.05 * 30;
    expectStd(array.gPlusUs, sigmaUs);
    expectStd(array.gMinusUs, sigmaUs);
    expectMean(array.gPlusUs, 40, sigmaUs);
    expectMean(array.gMinusUs, 10, sigmaUs);
  });

  it('programs LRS and HRS cells with their own std (state-dependent model)', () => {
    const profile = withOverrides(NOISELESS, {
      conductance: UNCLIPPED_WINDOW,
      programmingNoise: { model: 'state-dependent', lrsRelativeStd: 0.04, hrsRelativeStd: 0.015 },
    });
    const array = programTernaryArray(allPlusOnes(), profile, new CounterRng(3));
    expectStd(array.gPlusUs, 0.04 * 30);
    expectStd(array.gMinusUs, 0.015 * 30);
  });

  it('clips at zero conductance: default-profile HRS cells follow a zero-floored Gaussian', () => {
    const array = programTernaryArray(allPlusOnes(), DEFAULT_DEVICE_PROFILE, new CounterRng(4));
    const hrsSigmaUs = 0.0185 * 39;
    const floored = zeroFlooredNormalMoments(1, hrsSigmaUs);
    let clipped = 0;
    for (const value of array.gMinusUs) if (value === 0) clipped++;
    // P(N(1, 0.72^2) < 0) = Phi(-1.385) = 8.3%.
    expect(Math.abs(clipped / CELLS - 0.083)).toBeLessThan(binomialTolerance(CELLS, 0.083));
    expectMean(array.gMinusUs, floored.mean, floored.std);
    // Flooring lightens the tail, so the Gaussian chi tolerance is conservative here.
    expectStd(array.gMinusUs, floored.std);
    expect(floored.std).toBeLessThan(hrsSigmaUs * 0.95);
    expectStd(array.gPlusUs, 0.0283 * 39);
  });

  it('sticks cells at LRS and HRS with the configured rates, at the nominal conductance', () => {
    const profile = withOverrides(DEFAULT_DEVICE_PROFILE, {
      stuckAtFaults: { lrsRate: 0.01, hrsRate: 0.03 },
    });
    const ternary = randomTernary(SIDE, SIDE, 5);
    const array = programTernaryArray(ternary, profile, new CounterRng(5));
    let stuckLrs = 0;
    let stuckHrs = 0;
    for (const faults of [array.plusFaults, array.minusFaults]) {
      for (const fault of faults) {
        if (fault === CellFault.stuckAtLrs) stuckLrs++;
        if (fault === CellFault.stuckAtHrs) stuckHrs++;
      }
    }
    const cells = 2 * CELLS;
    expect(Math.abs(stuckLrs / cells - 0.01)).toBeLessThan(binomialTolerance(cells, 0.01));
    expect(Math.abs(stuckHrs / cells - 0.03)).toBeLessThan(binomialTolerance(cells, 0.03));
    let offNominal = 0;
    for (let index = 0; index < CELLS; index++) {
      const plusFault = array.plusFaults[index];
      const minusFault = array.minusFaults[index];
      if (plusFault === CellFault.stuckAtLrs && array.gPlusUs[index] !== 40) offNominal++;
      if (plusFault === CellFault.stuckAtHrs && array.gPlusUs[index] !== 1) offNominal++;
      if (minusFault === CellFault.stuckAtLrs && array.gMinusUs[index] !== 40) offNominal++;
      if (minusFault === CellFault.stuckAtHrs && array.gMinusUs[index] !== 1) offNominal++;
    }
    expect(offNominal).toBe(0);
  });

  it('keeps the noise realization of healthy cells when only the fault rate changes', () => {
    const ternary = randomTernary(64, 64, 6);
    const healthy = programTernaryArray(ternary, DEFAULT_DEVICE_PROFILE, new CounterRng(6));
    const faulty = programTernaryArray(
      ternary,
      withOverrides(DEFAULT_DEVICE_PROFILE, { stuckAtFaults: { lrsRate: 0.1, hrsRate: 0.1 } }),
      new CounterRng(6),
    );
    let compared = 0;
    let changed = 0;
    for (let index = 0; index < ternary.codes.length; index++) {
      if (faulty.plusFaults[index] === CellFault.healthy) {
        compared++;
        if (faulty.gPlusUs[index] !== healthy.gPlusUs[index]) changed++;
      }
    }
    expect(compared).toBeGreaterThan(0.7 * ternary.codes.length);
    expect(changed).toBe(0);
  });

  it('drifts healthy cells by (t / t0)^-nu at the read time', () => {
    const profile = withOverrides(NOISELESS, {
      drift: { nu: 0.05, referenceTimeSeconds: 1, readTimeSeconds: 10_000 },
    });
    const array = programTernaryArray(allPlusOnes(2), profile, new CounterRng(7));
    const factor = 10_000 ** -0.05;
    expect(array.gPlusUs[0]).toBeCloseTo(40 * factor, 4);
    expect(array.gMinusUs[0]).toBeCloseTo(1 * factor, 5);
    // Uncompensated drift shrinks the effective weight.
    expect(array.effectiveWeights[0]).toBeCloseTo(((40 - 1) * factor * 2) / 39, 4);
  });

  it('reports the per-cell read-noise variance in weight units', () => {
    const profile = withOverrides(NOISELESS, {
      readNoise: { model: 'state-dependent', lrsRelativeStd: 0.02, hrsRelativeStd: 0.01 },
    });
    const ternary: TernaryWeights = {
      rows: 1,
      cols: 3,
      codes: new Int8Array([1, 0, -1]),
      columnAlphas: new Float32Array([0.5, 2, 3]),
      scaleMode: 'per-column',
    };
    const variance = programTernaryArray(ternary, profile, new CounterRng(8)).readNoiseVariance;
    // v = alpha^2 (sigma+^2 + sigma-^2) / window^2 with sigma relative to the window.
    const expected = [
      0.25 * (0.02 ** 2 + 0.01 ** 2),
      4 * (2 * 0.01 ** 2),
      9 * (0.01 ** 2 + 0.02 ** 2),
    ];
    expected.forEach((value, index) => {
      expect(Math.abs(variance[index] / value - 1)).toBeLessThan(1e-6); // float32 storage
    });
  });

  it('offers per-column read-noise variances only when they do not depend on the cell state', () => {
    const ternary = randomTernary(8, 4, 13);
    const uniform = programTernaryArray(ternary, DEFAULT_DEVICE_PROFILE, new CounterRng(13));
    const alphas = ternary.columnAlphas;
    for (let col = 0; col < 4; col++) {
      const expected = alphas[col] ** 2 * 2 * 0.01 ** 2;
      expect(Math.abs(uniform.readNoiseColumnVariance![col] / expected - 1)).toBeLessThan(1e-6);
      expect(Math.abs(uniform.readNoiseVariance[col] / expected - 1)).toBeLessThan(1e-6);
    }
    const stateDependent = withOverrides(DEFAULT_DEVICE_PROFILE, {
      readNoise: { model: 'state-dependent', lrsRelativeStd: 0.02, hrsRelativeStd: 0.01 },
    });
    expect(
      programTernaryArray(ternary, stateDependent, new CounterRng(13)).readNoiseColumnVariance,
    ).toBeNull();
  });

  it('reproduces a programmed array bit for bit from the same seed only', () => {
    const ternary = randomTernary(100, 50, 9);
    const profile = withOverrides(DEFAULT_DEVICE_PROFILE, {
      stuckAtFaults: { lrsRate: 0.05, hrsRate: 0.05 },
    });
    const first = programTernaryArray(ternary, profile, new CounterRng(9).derive('fc1'));
    const again = programTernaryArray(ternary, profile, new CounterRng(9).derive('fc1'));
    const otherSeed = programTernaryArray(ternary, profile, new CounterRng(10).derive('fc1'));
    const otherLayer = programTernaryArray(ternary, profile, new CounterRng(9).derive('fc2'));
    expect(Buffer.from(again.gPlusUs.buffer).equals(Buffer.from(first.gPlusUs.buffer))).toBe(true);
    expect(Array.from(again.minusFaults)).toEqual(Array.from(first.minusFaults));
    expect(Array.from(again.effectiveWeights)).toEqual(Array.from(first.effectiveWeights));
    expect(Array.from(otherSeed.gPlusUs)).not.toEqual(Array.from(first.gPlusUs));
    expect(Array.from(otherLayer.gPlusUs)).not.toEqual(Array.from(first.gPlusUs));
  });

  it('rejects codes outside {-1, 0, 1}', () => {
    const ternary: TernaryWeights = {
      rows: 1,
      cols: 2,
      codes: new Int8Array([1, 2]),
      columnAlphas: new Float32Array([1, 1]),
      scaleMode: 'per-layer',
    };
    expect(() => programTernaryArray(ternary, NOISELESS, new CounterRng(1))).toThrow(/code 1/);
  });
});

describe('realizeEffectiveWeights', () => {
  it('equals the dequantized ternary weights on a noiseless device', () => {
    const weights = new Float32Array(40 * 30);
    new CounterRng(11, 'trained').fillNormal(weights, 0, 0.1);
    const realized = realizeEffectiveWeights(weights, 40, 30, NOISELESS, new CounterRng(11));
    const expected = dequantizeTernary(quantizeTernary(weights, 40, 30));
    for (let index = 0; index < expected.length; index++) {
      expect(realized.effectiveWeights[index]).toBeCloseTo(expected[index], 6);
    }
  });

  it('perturbs each weight by the programming noise of its two cells', () => {
    const profile: DeviceProfile = withOverrides(NOISELESS, {
      conductance: UNCLIPPED_WINDOW,
      programmingNoise: { model: 'uniform', relativeStd: 0.05 },
    });
    const weights = new Float32Array(CELLS);
    new CounterRng(12, 'trained').fillNormal(weights);
    const realized = realizeEffectiveWeights(weights, SIDE, SIDE, profile, new CounterRng(12));
    const ideal = dequantizeTernary(quantizeTernary(weights, SIDE, SIDE));
    const alpha = realized.columnAlphas[0];
    const errors = new Float32Array(CELLS);
    for (let index = 0; index < CELLS; index++) {
      errors[index] = (realized.effectiveWeights[index] - ideal[index]) / alpha;
    }
    // Difference of two independent cells, each sigma = 0.05 windows.
    expectStd(errors, Math.SQRT2 * 0.05);
  });
});
