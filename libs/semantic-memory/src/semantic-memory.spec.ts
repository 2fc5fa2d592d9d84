import { SeededRandom } from '@engram/datasets';
import { kMeans } from './kmeans';
import {
  buildSemanticMemory,
  binarizeQueries,
  TCAM_DONT_CARE,
  TCAM_ONE,
  TCAM_ZERO,
} from './memory';
import { decideExits } from './exit-policy';

function gaussianClusters(centres: number[][], perCluster: number, sigma: number, seed: number) {
  const random = new SeededRandom(seed);
  const dim = centres[0].length;
  const vectors = new Float32Array(centres.length * perCluster * dim);
  const labels = new Uint8Array(centres.length * perCluster);
  centres.forEach((centre, c) => {
    for (let p = 0; p < perCluster; p++) {
      const i = c * perCluster + p;
      labels[i] = c;
      for (let d = 0; d < dim; d++)
        vectors[i * dim + d] = centre[d] + sigma * random.nextGaussian();
    }
  });
  return { vectors, labels, dim };
}

describe('kMeans', () => {
  it('recovers well separated clusters', () => {
    const centres = [
      [5, 5],
      [-5, 5],
      [0, -6],
    ];
    const { vectors } = gaussianClusters(centres, 200, 0.5, 1);
    const { centroids } = kMeans(vectors, 600, 2, 3, 7);
    for (const centre of centres) {
      let best = Infinity;
      for (let k = 0; k < 3; k++) {
        best = Math.min(
          best,
          Math.hypot(centroids[2 * k] - centre[0], centroids[2 * k + 1] - centre[1]),
        );
      }
      expect(best).toBeLessThan(0.2);
    }
  });

  it('is deterministic for a seed', () => {
    const { vectors } = gaussianClusters(
      [
        [0, 0],
        [1, 1],
      ],
      50,
      1,
      2,
    );
    expect(kMeans(vectors, 100, 2, 4, 3).centroids).toEqual(
      kMeans(vectors, 100, 2, 4, 3).centroids,
    );
  });

  it('rejects more clusters than points', () => {
    expect(() => kMeans(new Float32Array(4), 2, 2, 3, 1)).toThrow(/cannot form 3 clusters/);
  });
});

describe('buildSemanticMemory', () => {
  const centres = [
    [2, -2, 0.0, 1],
    [-2, 2, 0.0, 1],
  ];
  const data = gaussianClusters(centres, 300, 0.3, 5);

  it('stores clear signs as 0/1 and near-zero dimensions as X', () => {
    const memory = buildSemanticMemory(data.vectors, data.labels, 4, 2, {
      prototypesPerClass: 1,
      dontCareMarginStd: 0.25,
      seed: 1,
    });
    // Dimensions 2 and 3 carry no class information: after centring they sit near zero.
    expect(Array.from(memory.rows)).toEqual([
      TCAM_ONE,
      TCAM_ZERO,
      TCAM_DONT_CARE,
      TCAM_DONT_CARE,
      TCAM_ZERO,
      TCAM_ONE,
      TCAM_DONT_CARE,
      TCAM_DONT_CARE,
    ]);
    expect(Array.from(memory.rowClass)).toEqual([0, 1]);
    expect(memory.dontCareFraction).toBeCloseTo(0.5);
  });

  it('has no X cells with a zero margin and K rows per class', () => {
    const memory = buildSemanticMemory(data.vectors, data.labels, 4, 2, {
      prototypesPerClass: 3,
      dontCareMarginStd: 0,
      seed: 1,
    });
    expect(memory.rows.length).toBe(2 * 3 * 4);
    expect(memory.rows.every((cell) => cell !== TCAM_DONT_CARE)).toBe(true);
    expect(Array.from(memory.rowClass)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('binarizes queries by sign after centring', () => {
    const memory = buildSemanticMemory(data.vectors, data.labels, 4, 2, {
      prototypesPerClass: 1,
      dontCareMarginStd: 0.25,
      seed: 1,
    });
    const bits = binarizeQueries(
      memory,
      Float32Array.from([3, -3, 0, 0, -3, 3, 0, 0]).map((v, i) => v + memory.mean[i % 4]),
      2,
    );
    expect(Array.from(bits)).toEqual([1, 0, 0, 0, 0, 1, 0, 0]);
  });
});

describe('decideExits', () => {
  const rowClass = Uint16Array.from([0, 0, 1, 2]);
  // Sample 0: class 0 best (0.1) vs class 1 (0.4): margin 0.3. Sample 1: class 2 0.30 vs class 1 0.32.
  const mismatch = Float32Array.from([0.5, 0.1, 0.4, 0.6, 0.9, 0.8, 0.32, 0.3]);

  it('applies the margin rule between the best and second-best class', () => {
    const d = decideExits(mismatch, 2, rowClass, 3, 'margin', 0.1);
    expect(Array.from(d.predictedClass)).toEqual([0, 2]);
    expect(d.margin[0]).toBeCloseTo(0.3);
    expect(d.margin[1]).toBeCloseTo(0.02);
    expect(Array.from(d.exits)).toEqual([1, 0]);
  });

  it('applies the absolute rule to the best mismatch', () => {
    const d = decideExits(mismatch, 2, rowClass, 3, 'absolute', 0.31);
    expect(Array.from(d.exits)).toEqual([1, 1]);
    expect(Array.from(decideExits(mismatch, 2, rowClass, 3, 'absolute', 0.2).exits)).toEqual([
      1, 0,
    ]);
  });

  it('never exits with an infinite threshold', () => {
    expect(Array.from(decideExits(mismatch, 2, rowClass, 3, 'margin', Infinity).exits)).toEqual([
      0, 0,
    ]);
  });
});
