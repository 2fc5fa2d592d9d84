import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import { emptyOperationCounts } from './operation-counts';
import type { DeviceProfile } from './profile';
import { withOverrides } from './profile-overrides';
import { CounterRng } from './rng';
import { programTernaryCam, TCAM_DONT_CARE } from './tcam';
import { stdRelativeTolerance } from './testing/statistics';

const ROWS = 40;
const WIDTH = 128;

function tcamProfile(programmingStd: number, senseStd: number): DeviceProfile {
  return withOverrides(DEFAULT_DEVICE_PROFILE, {
    tcam: {
      programmingNoise: { model: 'uniform', relativeStd: programmingStd },
      senseNoiseRelativeStd: senseStd,
    },
  });
}

const NOISELESS = tcamProfile(0, 0);

/** Random stored words: 10% X, the rest 0/1. */
function randomPatterns(rows: number, width: number, seed: number): Uint8Array {
  const rng = new CounterRng(seed, 'patterns');
  const patterns = new Uint8Array(rows * width);
  for (let index = 0; index < patterns.length; index++) {
    const draw = rng.uniform();
    patterns[index] = draw < 0.1 ? TCAM_DONT_CARE : draw < 0.55 ? 1 : 0;
  }
  return patterns;
}

/** Queries near stored rows: a random row with `flips` random bit flips (X bits random). */
function nearbyQueries(
  patterns: Uint8Array,
  batch: number,
  flips: number,
  seed: number,
): Uint8Array {
  const rng = new CounterRng(seed, 'queries');
  const queries = new Uint8Array(batch * WIDTH);
  for (let query = 0; query < batch; query++) {
    const row = Math.floor(rng.uniform() * ROWS);
    for (let bit = 0; bit < WIDTH; bit++) {
      const stored = patterns[row * WIDTH + bit];
      queries[query * WIDTH + bit] =
        stored === TCAM_DONT_CARE ? (rng.uniform() < 0.5 ? 1 : 0) : stored;
    }
    for (let flip = 0; flip < flips; flip++) {
      queries[query * WIDTH + Math.floor(rng.uniform() * WIDTH)] ^= 1;
    }
  }
  return queries;
}

/** Hamming distance over non-X bits divided by their number, by brute force. */
function normalizedHamming(
  patterns: Uint8Array,
  row: number,
  queries: Uint8Array,
  query: number,
): number {
  let mismatches = 0;
  let care = 0;
  for (let bit = 0; bit < WIDTH; bit++) {
    const stored = patterns[row * WIDTH + bit];
    if (stored === TCAM_DONT_CARE) continue;
    care++;
    if (stored !== queries[query * WIDTH + bit]) mismatches++;
  }
  return mismatches / Math.max(1, care);
}

function bruteForceNearest(patterns: Uint8Array, queries: Uint8Array, batch: number): Int32Array {
  const nearest = new Int32Array(batch);
  for (let query = 0; query < batch; query++) {
    let best = Infinity;
    for (let row = 0; row < ROWS; row++) {
      const distance = normalizedHamming(patterns, row, queries, query);
      if (distance < best) {
        best = distance;
        nearest[query] = row;
      }
    }
  }
  return nearest;
}

describe('ternary CAM', () => {
  it('senses the normalized Hamming distance, best row and margin exactly without noise', () => {
    const patterns = randomPatterns(ROWS, WIDTH, 1);
    const batch = 300;
    const queries = nearbyQueries(patterns, batch, 40, 1);
    const cam = programTernaryCam(patterns, ROWS, WIDTH, NOISELESS, new CounterRng(1));
    const result = cam.search(queries, batch, { threshold: 0.25, senseNoise: false });
    let wrongDistance = 0;
    let wrongBest = 0;
    let wrongMargin = 0;
    let wrongMatch = 0;
    for (let query = 0; query < batch; query++) {
      const distances = Array.from({ length: ROWS }, (_, row) =>
        normalizedHamming(patterns, row, queries, query),
      );
      distances.forEach((distance, row) => {
        if (result.mismatch[query * ROWS + row] !== Math.fround(distance)) wrongDistance++;
      });
      const sorted = [...distances].sort((a, b) => a - b);
      if (result.bestRow[query] !== distances.indexOf(sorted[0])) wrongBest++;
      if (result.margin[query] !== Math.fround(sorted[1] - sorted[0])) wrongMargin++;
      if (result.matched[query] !== (sorted[0] <= 0.25 ? 1 : 0)) wrongMatch++;
    }
    expect({ wrongDistance, wrongBest, wrongMargin, wrongMatch }).toEqual({
      wrongDistance: 0,
      wrongBest: 0,
      wrongMargin: 0,
      wrongMatch: 0,
    });
    // The queries exercise both outcomes of the threshold.
    const matches = result.matched.reduce((sum, value) => sum + value, 0);
    expect(matches).toBeGreaterThan(0);
    expect(matches).toBeLessThan(batch);
  });

  it('never counts an X cell as a mismatch', () => {
    // Row 0 cares about 8 bits only; row 1 is all X.
    const patterns = new Uint8Array(2 * WIDTH).fill(TCAM_DONT_CARE);
    for (let bit = 0; bit < 8; bit++) patterns[bit] = bit % 2;
    const cam = programTernaryCam(patterns, 2, WIDTH, NOISELESS, new CounterRng(2));
    const batch = 200;
    const queries = new Uint8Array(batch * WIDTH);
    const rng = new CounterRng(2, 'queries');
    for (let index = 0; index < queries.length; index++)
      queries[index] = rng.uniform() < 0.5 ? 1 : 0;
    // The first 8 bits match row 0 except bit 0.
    for (let query = 0; query < batch; query++) {
      for (let bit = 0; bit < 8; bit++) queries[query * WIDTH + bit] = bit === 0 ? 1 : bit % 2;
    }
    const result = cam.search(queries, batch, { threshold: 0, senseNoise: false });
    for (let query = 0; query < batch; query++) {
      expect(result.mismatch[query * 2]).toBe(1 / 8);
      expect(result.mismatch[query * 2 + 1]).toBe(0);
    }
    expect(cam.careBits[0]).toBe(8);
    expect(cam.careBits[1]).toBe(0);
  });

  it('retrieves the true nearest row less often as programming noise grows', () => {
    const patterns = randomPatterns(ROWS, WIDTH, 3);
    const batch = 2000;
    // 62 flips of 128 bits: the stored source row is only a little nearer than the others.
    const queries = nearbyQueries(patterns, batch, 62, 3);
    const nearest = bruteForceNearest(patterns, queries, batch);
    const accuracies = [0, 0.1, 0.2, 0.3, 0.45, 0.6].map((level) => {
      const cam = programTernaryCam(
        patterns,
        ROWS,
        WIDTH,
        tcamProfile(level, 0),
        new CounterRng(3),
      );
      const result = cam.search(queries, batch, { threshold: 0.5, senseNoise: false });
      let correct = 0;
      for (let query = 0; query < batch; query++)
        if (result.bestRow[query] === nearest[query]) correct++;
      return correct / batch;
    });
    expect(accuracies[0]).toBe(1);
    for (let level = 1; level < accuracies.length; level++) {
      expect(accuracies[level]).toBeLessThan(accuracies[level - 1]);
    }
    expect(accuracies[accuracies.length - 1]).toBeLessThan(0.85);
  });

  it('adds sense noise of std senseNoiseRelativeStd / careBits to the normalized mismatch', () => {
    const patterns = randomPatterns(ROWS, WIDTH, 4);
    const batch = 1000;
    const queries = nearbyQueries(patterns, batch, 30, 4);
    const senseStd = 0.5;
    const cam = programTernaryCam(
      patterns,
      ROWS,
      WIDTH,
      tcamProfile(0, senseStd),
      new CounterRng(4),
    );
    const noiseless = cam.search(queries, batch, { threshold: 0, senseNoise: false });
    const noisy = cam.search(queries, batch, {
      threshold: 0,
      senseNoise: true,
      rng: new CounterRng(4, 'search'),
    });
    let sumSquares = 0;
    for (let index = 0; index < batch * ROWS; index++) {
      const care = cam.careBits[index % ROWS];
      const z = ((noisy.mismatch[index] - noiseless.mismatch[index]) * care) / senseStd;
      sumSquares += z * z;
    }
    const n = batch * ROWS;
    expect(Math.abs(Math.sqrt(sumSquares / n) - 1)).toBeLessThan(stdRelativeTolerance(n));
  });

  it('reproduces programming and noisy searches bit for bit from the same seed only', () => {
    const patterns = randomPatterns(ROWS, WIDTH, 5);
    const queries = nearbyQueries(patterns, 100, 30, 5);
    const profile = DEFAULT_DEVICE_PROFILE;
    const search = (programSeed: number, searchSeed: number): Float32Array =>
      programTernaryCam(patterns, ROWS, WIDTH, profile, new CounterRng(programSeed)).search(
        queries,
        100,
        { threshold: 0.3, senseNoise: true, rng: new CounterRng(searchSeed, 'search') },
      ).mismatch;
    const first = search(5, 5);
    expect(Buffer.from(search(5, 5).buffer).equals(Buffer.from(first.buffer))).toBe(true);
    expect(Array.from(search(6, 5))).not.toEqual(Array.from(first));
    expect(Array.from(search(5, 6))).not.toEqual(Array.from(first));
    const cellsA = programTernaryCam(patterns, ROWS, WIDTH, profile, new CounterRng(5)).cellAUs;
    const cellsB = programTernaryCam(patterns, ROWS, WIDTH, profile, new CounterRng(6)).cellAUs;
    expect(Array.from(cellsA)).not.toEqual(Array.from(cellsB));
  });

  it('counts bit-searches and handles 10,000 queries x 40 rows x 128 bits quickly', () => {
    const patterns = randomPatterns(ROWS, WIDTH, 7);
    const batch = 10_000;
    const queries = nearbyQueries(patterns, batch, 20, 7);
    const cam = programTernaryCam(patterns, ROWS, WIDTH, DEFAULT_DEVICE_PROFILE, new CounterRng(7));
    const counters = emptyOperationCounts();
    const started = performance.now();
    const result = cam.search(queries, batch, {
      threshold: 0.2,
      senseNoise: true,
      rng: new CounterRng(7, 'search'),
      counters,
    });
    const elapsedMs = performance.now() - started;
    expect(counters.camBitSearches).toBe(batch * ROWS * WIDTH);
    expect(result.mismatch.length).toBe(batch * ROWS);
    // About 51 million bit comparisons; generous bound for a loaded shared machine.
    expect(elapsedMs).toBeLessThan(2000);
  });

  it('gives an infinite margin with a single row and rejects invalid symbols', () => {
    const cam = programTernaryCam(new Uint8Array([1, 0, 2]), 1, 3, NOISELESS, new CounterRng(8));
    const result = cam.search(new Uint8Array([1, 1, 0]), 1, { threshold: 0.6, senseNoise: false });
    expect(result.mismatch[0]).toBe(0.5);
    expect(result.margin[0]).toBe(Infinity);
    expect(result.matched[0]).toBe(1);
    expect(() =>
      programTernaryCam(new Uint8Array([3]), 1, 1, NOISELESS, new CounterRng(8)),
    ).toThrow(/must be 0, 1 or 2/);
    expect(() =>
      cam.search(new Uint8Array([1, 2, 0]), 1, { threshold: 0, senseNoise: false }),
    ).toThrow(/query bits must be 0 or 1/);
    expect(() =>
      cam.search(new Uint8Array([1, 1, 0]), 1, { threshold: 0, senseNoise: true }),
    ).toThrow(/no rng/);
  });
});
