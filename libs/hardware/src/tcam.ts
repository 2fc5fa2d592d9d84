/**
 * Memristor ternary CAM (2T2R cell per bit, as in the Eva-CAM ReRAM-2T2R TCAM).
 *
 * Stored bit -> cell pair (A, B):  1 -> (LRS, HRS),  0 -> (HRS, LRS),  X -> (HRS, HRS).
 * Each cell is programmed once with Gaussian noise (profile.tcam.programmingNoise, clipped to
 * [0, conductance.maxUs]). A query bit activates one cell of the pair: 0 activates A, 1 activates
 * B. A mismatching bit therefore conducts through an LRS cell, a matching bit leaks through an HRS
 * cell, and X leaks through an HRS cell either way.
 *
 * Sensed mismatch of row r for query q:
 *   m_qr = (sum_b G_activated,rb - width * G_HRS + e_qr) / (max(1, careBits_r) * (G_LRS - G_HRS))
 * with careBits_r the number of non-X bits and e_qr ~ N(0, (senseNoiseRelativeStd * window)^2)
 * drawn per search. Without noise m_qr is the Hamming distance over non-X bits divided by their
 * number, in [0, 1]. The best row is the smallest m (lowest index on ties), the margin is the
 * second-smallest minus the smallest (Infinity with one row), and a query matches when the best
 * m <= threshold.
 *
 * Search cost per query and row is width/4 table look-ups: for every row the summed conductance of
 * each 4-bit query pattern is precomputed per nibble position.
 */
import { stateSigmasUs } from './conductance-noise';
import { checkMatrixShape } from './matrix-shape';
import type { OperationCounts } from './operation-counts';
import type { DeviceProfile } from './profile';
import type { CounterRng } from './rng';

// Local aliases: global lookups (Math.*) are slow inside vm sandboxes such as jest's.
const { min, max } = Math;

/** Stored "don't care" value in TCAM patterns (0 and 1 are the bit values). */
export const TCAM_DONT_CARE = 2;

const NIBBLE_PATTERNS = 16;

export interface TcamSearchOptions {
  /** Largest sensed mismatch that still counts as a match. */
  readonly threshold: number;
  /** Draw sense-amplifier noise per (query, row); needs `rng` or `queryRng`. */
  readonly senseNoise: boolean;
  /** One stream for the whole batch, read query after query. */
  readonly rng?: CounterRng | null;
  /**
   * A stream per query (wins over `rng`): a query's noise then does not depend on which other
   * queries share its batch, as dynamic inference needs (its batches shrink from exit to exit).
   */
  readonly queryRng?: ((query: number) => CounterRng) | null;
  readonly counters?: OperationCounts;
}

export interface TcamSearchResult {
  readonly batch: number;
  readonly rows: number;
  /** Sensed mismatch, [batch][rows]. */
  readonly mismatch: Float32Array;
  readonly bestRow: Int32Array;
  readonly margin: Float32Array;
  /** 1 when the best row's mismatch is <= threshold. */
  readonly matched: Uint8Array;
}

export class ProgrammedTcam {
  readonly nibbles: number;
  /** Per row: sum over bits of (G_A - G_HRS), the excess conductance of the all-zeros query. */
  private readonly baseExcessUs: Float64Array;
  /** Per row and nibble position: excess added by each 4-bit query pattern (16 entries). */
  private readonly nibbleExcessUs: Float64Array;
  private readonly mismatchScale: Float64Array;

  constructor(
    readonly rows: number,
    readonly width: number,
    readonly patterns: Uint8Array,
    /** Conductance activated by a query bit 0, µS, [rows][width]. */
    readonly cellAUs: Float32Array,
    /** Conductance activated by a query bit 1, µS, [rows][width]. */
    readonly cellBUs: Float32Array,
    readonly careBits: Int32Array,
    readonly hrsUs: number,
    readonly windowUs: number,
    readonly senseNoiseUs: number,
  ) {
    this.nibbles = Math.ceil(width / 4);
    this.baseExcessUs = new Float64Array(rows);
    this.nibbleExcessUs = new Float64Array(rows * this.nibbles * NIBBLE_PATTERNS);
    this.mismatchScale = new Float64Array(rows);
    for (let row = 0; row < rows; row++) {
      this.mismatchScale[row] = 1 / (max(1, careBits[row]) * windowUs);
      let base = 0;
      for (let bit = 0; bit < width; bit++) {
        base += cellAUs[row * width + bit] - hrsUs;
      }
      this.baseExcessUs[row] = base;
      for (let nibble = 0; nibble < this.nibbles; nibble++) {
        const tableOffset = (row * this.nibbles + nibble) * NIBBLE_PATTERNS;
        for (let pattern = 1; pattern < NIBBLE_PATTERNS; pattern++) {
          const lowestBit = 31 - Math.clz32(pattern & -pattern);
          const bit = nibble * 4 + lowestBit;
          // Switching a query bit from 0 to 1 moves the current from cell A to cell B.
          const delta = bit < width ? cellBUs[row * width + bit] - cellAUs[row * width + bit] : 0;
          this.nibbleExcessUs[tableOffset + pattern] =
            this.nibbleExcessUs[tableOffset + (pattern & (pattern - 1))] + delta;
        }
      }
    }
  }

  /** Searches `batch` binary queries ([batch][width], values 0/1) against every stored row. */
  search(queries: Uint8Array, batch: number, options: TcamSearchOptions): TcamSearchResult {
    const { rows, width, nibbles } = this;
    if (!Number.isInteger(batch) || batch < 0 || queries.length !== batch * width) {
      throw new RangeError(
        `tcam search: queries must hold batch (${batch}) x width (${width}) values, got ${queries.length}`,
      );
    }
    if (!Number.isFinite(options.threshold)) {
      throw new RangeError(`tcam search: threshold must be finite, got ${options.threshold}`);
    }
    const queryRng = options.senseNoise ? (options.queryRng ?? null) : null;
    const rng = options.senseNoise && !queryRng ? options.rng : null;
    if (options.senseNoise && !rng && !queryRng) {
      throw new RangeError('tcam search: senseNoise is on but no rng was given');
    }
    const mismatch = new Float32Array(batch * rows);
    const bestRow = new Int32Array(batch);
    const margin = new Float32Array(batch);
    const matched = new Uint8Array(batch);
    const queryNibbles = new Uint8Array(nibbles);
    const senseNoise = new Float64Array(rows);
    const baseExcessUs = this.baseExcessUs;
    const nibbleExcessUs = this.nibbleExcessUs;
    const rowStride = nibbles * NIBBLE_PATTERNS;

    for (let query = 0; query < batch; query++) {
      queryNibbles.fill(0);
      const queryOffset = query * width;
      for (let bit = 0; bit < width; bit++) {
        const value = queries[queryOffset + bit];
        if (value > 1) {
          throw new RangeError(`tcam search: query bits must be 0 or 1, got ${value}`);
        }
        queryNibbles[bit >> 2] |= value << (bit & 3);
      }
      if (queryRng) queryRng(query).fillNormal(senseNoise, 0, this.senseNoiseUs);
      else if (rng) rng.fillNormal(senseNoise, 0, this.senseNoiseUs);

      let best = Infinity;
      let secondBest = Infinity;
      let bestIndex = 0;
      for (let row = 0; row < rows; row++) {
        let excess = baseExcessUs[row] + senseNoise[row];
        const rowOffset = row * rowStride;
        for (let nibble = 0; nibble < nibbles; nibble++) {
          excess += nibbleExcessUs[rowOffset + nibble * NIBBLE_PATTERNS + queryNibbles[nibble]];
        }
        const sensed = excess * this.mismatchScale[row];
        mismatch[query * rows + row] = sensed;
        if (sensed < best) {
          secondBest = best;
          best = sensed;
          bestIndex = row;
        } else if (sensed < secondBest) {
          secondBest = sensed;
        }
      }
      bestRow[query] = bestIndex;
      margin[query] = secondBest - best;
      matched[query] = best <= options.threshold ? 1 : 0;
    }

    if (options.counters) {
      options.counters.camBitSearches += batch * rows * width;
      options.counters.camRowReadouts += batch * rows;
    }
    return { batch, rows, mismatch, bestRow, margin, matched };
  }
}

/**
 * Programs `rows` stored words of `width` symbols (0, 1 or TCAM_DONT_CARE), [rows][width]. Noise
 * comes from rng.derive('tcam-programming'): cell A of every bit, then cell B.
 */
export function programTernaryCam(
  patterns: Uint8Array,
  rows: number,
  width: number,
  profile: DeviceProfile,
  rng: CounterRng,
): ProgrammedTcam {
  checkMatrixShape(patterns.length, rows, width, 'programTernaryCam');
  const { hrsUs, lrsUs, maxUs } = profile.conductance;
  const windowUs = lrsUs - hrsUs;
  const sigmas = stateSigmasUs(profile.tcam.programmingNoise, windowUs);
  const cellCount = rows * width;
  const cellAUs = new Float32Array(cellCount);
  const cellBUs = new Float32Array(cellCount);
  const noiseRng = rng.derive('tcam-programming');
  noiseRng.fillNormal(cellAUs);
  noiseRng.fillNormal(cellBUs);
  const careBits = new Int32Array(rows);
  for (let index = 0; index < cellCount; index++) {
    const stored = patterns[index];
    if (stored > TCAM_DONT_CARE) {
      throw new RangeError(
        `programTernaryCam: symbol ${index} must be 0, 1 or 2 (X), got ${stored}`,
      );
    }
    if (stored !== TCAM_DONT_CARE) careBits[Math.floor(index / width)] += 1;
    const aIsLrs = stored === 1;
    const bIsLrs = stored === 0;
    const cellA = aIsLrs
      ? lrsUs + sigmas.lrsSigmaUs * cellAUs[index]
      : hrsUs + sigmas.hrsSigmaUs * cellAUs[index];
    const cellB = bIsLrs
      ? lrsUs + sigmas.lrsSigmaUs * cellBUs[index]
      : hrsUs + sigmas.hrsSigmaUs * cellBUs[index];
    cellAUs[index] = min(maxUs, max(0, cellA));
    cellBUs[index] = min(maxUs, max(0, cellB));
  }
  // Reference levels as float32 holds them, so a noiseless cell's excess is exactly 0 or 1 window
  // and equal Hamming distances give bit-identical mismatches.
  const storedHrsUs = Math.fround(hrsUs);
  const storedWindowUs = Math.fround(lrsUs) - storedHrsUs;
  const senseNoiseUs = profile.tcam.senseNoiseRelativeStd * windowUs;
  return new ProgrammedTcam(
    rows,
    width,
    patterns.slice(),
    cellAUs,
    cellBUs,
    careBits,
    storedHrsUs,
    storedWindowUs,
    senseNoiseUs,
  );
}
