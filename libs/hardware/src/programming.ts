/**
 * Programming a ternary weight matrix into differential RRAM pairs.
 *
 * Mapping (per weight, G+ and G- on two columns of the array):
 *   +1 -> (G_LRS, G_HRS),   0 -> (G_HRS, G_HRS),   -1 -> (G_HRS, G_LRS).
 * Then, in this order:
 *   1. programming noise, once per programmed array: G = target + sigma(state) * N(0, 1), clipped
 *      to the physical range [0, conductance.maxUs];
 *   2. stuck-at faults: each cell independently stuck at exactly G_LRS (probability lrsRate) or
 *      G_HRS (probability hrsRate), replacing its programmed value;
 *   3. drift of the healthy cells to the read time: G *= (t_read / t0)^-nu (no drift compensation).
 * Effective weight W_ij = (G+_ij - G-_ij) / (G_LRS - G_HRS) * alpha_j.
 * Read noise is not drawn here (it is per read, see crossbar.ts): each cell contributes an
 * independent N(0, sigma_read(state)^2) per read, so the weight's read-noise variance is
 *   v_ij = alpha_j^2 * (sigma+^2 + sigma-^2) / (G_LRS - G_HRS)^2,
 * where a cell's state is its target state, or its stuck state if it is faulty.
 *
 * Random draws come from substreams of the given rng ('programming-noise' then
 * 'stuck-at-faults'), so changing a fault rate leaves the noise realization untouched and vice
 * versa (common random numbers across a sweep).
 */
import { stateSigmasUs } from './conductance-noise';
import type { CrossbarOperand } from './crossbar-operand';
import type { DeviceProfile } from './profile';
import type { CounterRng } from './rng';
import { quantizeTernary, type TernaryOptions, type TernaryWeights } from './ternary';

// Local aliases: global lookups (Math.*) are slow inside vm sandboxes such as jest's.
const { min, max } = Math;

/** Per-cell fault state stored in ProgrammedArray.plusFaults / minusFaults. */
export const CellFault = Object.freeze({ healthy: 0, stuckAtLrs: 1, stuckAtHrs: 2 } as const);

export interface ProgrammedArray extends CrossbarOperand {
  readonly codes: Int8Array;
  readonly columnAlphas: Float32Array;
  /** Conductances at the read time, µS, [rows][cols]. */
  readonly gPlusUs: Float32Array;
  readonly gMinusUs: Float32Array;
  /** CellFault value per cell. */
  readonly plusFaults: Uint8Array;
  readonly minusFaults: Uint8Array;
  readonly windowUs: number;
  /** Read-noise variance per weight in weight units squared (see file comment). */
  readonly readNoiseVariance: Float32Array;
  /** Per-column read-noise variance when it does not depend on the cell states, else null. */
  readonly readNoiseColumnVariance: Float32Array | null;
}

function drawFaults(faults: Uint8Array, lrsRate: number, hrsRate: number, rng: CounterRng): void {
  const stuckRate = lrsRate + hrsRate;
  for (let index = 0; index < faults.length; index++) {
    const draw = rng.uniform();
    if (draw < lrsRate) {
      faults[index] = CellFault.stuckAtLrs;
    } else if (draw < stuckRate) {
      faults[index] = CellFault.stuckAtHrs;
    }
  }
}

export function programTernaryArray(
  ternary: TernaryWeights,
  profile: DeviceProfile,
  rng: CounterRng,
): ProgrammedArray {
  const { rows, cols, codes, columnAlphas } = ternary;
  const cellCount = rows * cols;
  if (codes.length !== cellCount || columnAlphas.length !== cols) {
    throw new RangeError(
      `programTernaryArray: codes must hold ${cellCount} values and columnAlphas ${cols}`,
    );
  }
  const { hrsUs, lrsUs, maxUs } = profile.conductance;
  const windowUs = lrsUs - hrsUs;
  const programming = stateSigmasUs(profile.programmingNoise, windowUs);

  // Standard normals first, turned into conductances in place (no scratch arrays).
  const gPlusUs = new Float32Array(cellCount);
  const gMinusUs = new Float32Array(cellCount);
  const noiseRng = rng.derive('programming-noise');
  noiseRng.fillNormal(gPlusUs);
  noiseRng.fillNormal(gMinusUs);
  for (let index = 0; index < cellCount; index++) {
    const code = codes[index];
    if (code !== 1 && code !== 0 && code !== -1) {
      throw new RangeError(`programTernaryArray: code ${index} must be -1, 0 or 1, got ${code}`);
    }
    const plus =
      code === 1
        ? lrsUs + programming.lrsSigmaUs * gPlusUs[index]
        : hrsUs + programming.hrsSigmaUs * gPlusUs[index];
    const minus =
      code === -1
        ? lrsUs + programming.lrsSigmaUs * gMinusUs[index]
        : hrsUs + programming.hrsSigmaUs * gMinusUs[index];
    gPlusUs[index] = min(maxUs, max(0, plus));
    gMinusUs[index] = min(maxUs, max(0, minus));
  }

  const plusFaults = new Uint8Array(cellCount);
  const minusFaults = new Uint8Array(cellCount);
  const { lrsRate, hrsRate } = profile.stuckAtFaults;
  if (lrsRate + hrsRate > 0) {
    const faultRng = rng.derive('stuck-at-faults');
    drawFaults(plusFaults, lrsRate, hrsRate, faultRng);
    drawFaults(minusFaults, lrsRate, hrsRate, faultRng);
  }

  const driftFactor = profile.drift
    ? Math.pow(
        profile.drift.readTimeSeconds / profile.drift.referenceTimeSeconds,
        -profile.drift.nu,
      )
    : 1;
  const reading = stateSigmasUs(profile.readNoise, windowUs);
  const lrsReadVariance = reading.lrsSigmaUs * reading.lrsSigmaUs;
  const hrsReadVariance = reading.hrsSigmaUs * reading.hrsSigmaUs;
  const effectiveWeights = new Float32Array(cellCount);
  const readNoiseVariance = new Float32Array(cellCount);
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      const index = row * cols + col;
      const code = codes[index];
      let plusIsLrs = code === 1;
      let minusIsLrs = code === -1;
      const plusFault = plusFaults[index];
      const minusFault = minusFaults[index];
      if (plusFault === CellFault.healthy) {
        gPlusUs[index] *= driftFactor;
      } else {
        plusIsLrs = plusFault === CellFault.stuckAtLrs;
        gPlusUs[index] = plusIsLrs ? lrsUs : hrsUs;
      }
      if (minusFault === CellFault.healthy) {
        gMinusUs[index] *= driftFactor;
      } else {
        minusIsLrs = minusFault === CellFault.stuckAtLrs;
        gMinusUs[index] = minusIsLrs ? lrsUs : hrsUs;
      }
      const alpha = columnAlphas[col];
      effectiveWeights[index] = ((gPlusUs[index] - gMinusUs[index]) / windowUs) * alpha;
      const cellVarianceUs2 =
        (plusIsLrs ? lrsReadVariance : hrsReadVariance) +
        (minusIsLrs ? lrsReadVariance : hrsReadVariance);
      readNoiseVariance[index] = (alpha * alpha * cellVarianceUs2) / (windowUs * windowUs);
    }
  }

  // With equal LRS and HRS read sigma, v_ij depends on the column's alpha only.
  let readNoiseColumnVariance: Float32Array | null = null;
  if (lrsReadVariance === hrsReadVariance) {
    readNoiseColumnVariance = new Float32Array(cols);
    for (let col = 0; col < cols; col++) {
      const alpha = columnAlphas[col];
      readNoiseColumnVariance[col] = (alpha * alpha * 2 * lrsReadVariance) / (windowUs * windowUs);
    }
  }

  return {
    rows,
    cols,
    codes,
    columnAlphas,
    gPlusUs,
    gMinusUs,
    plusFaults,
    minusFaults,
    windowUs,
    effectiveWeights,
    readNoiseVariance,
    readNoiseColumnVariance,
  };
}

/**
 * Ternarizes trained weights and programs them: the noisy array one layer really holds in one
 * run. Pass a per-layer stream, e.g. `runRng.derive(layerName)`, so the realization depends on
 * (run seed, layer name) only.
 */
export function realizeEffectiveWeights(
  weights: Float32Array,
  rows: number,
  cols: number,
  profile: DeviceProfile,
  rng: CounterRng,
  options: TernaryOptions = {},
): ProgrammedArray {
  return programTernaryArray(quantizeTernary(weights, rows, cols, options), profile, rng);
}
