import { SeededRandom } from '@engram/datasets';
import {
  GroupingCache,
  ballQuery,
  farthestPointSample,
  flattenIndices,
  groupLevel,
} from './sampling';

function randomCloud(n: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: n * 3 }, () => 2 * random.nextFloat() - 1);
}

function distance2(xyz: Float32Array, i: number, j: number): number {
  const dx = xyz[3 * i] - xyz[3 * j];
  const dy = xyz[3 * i + 1] - xyz[3 * j + 1];
  const dz = xyz[3 * i + 2] - xyz[3 * j + 2];
  return dx * dx + dy * dy + dz * dz;
}

/** The definition: each next centroid maximizes the distance to its nearest chosen centroid. */
function bruteForceFps(xyz: Float32Array, n: number, npoint: number): number[] {
  const chosen = [0];
  while (chosen.length < npoint) {
    let best = 0;
    let bestDistance = -1;
    for (let j = 0; j < n; j++) {
      const nearest = Math.min(...chosen.map((c) => distance2(xyz, j, c)));
      if (nearest > bestDistance) {
        bestDistance = nearest;
        best = j;
      }
    }
    chosen.push(best);
  }
  return chosen;
}

/** The definition: all points within the radius, in index order, the first nsample, padded. */
function bruteForceBall(
  xyz: Float32Array,
  n: number,
  centre: number,
  radius: number,
  nsample: number,
): number[] {
  const inside = Array.from({ length: n }, (_, j) => j).filter(
    (j) => distance2(xyz, j, centre) < radius * radius,
  );
  const picked = inside.slice(0, nsample);
  while (picked.length < nsample) picked.push(inside[0]);
  return picked;
}

describe('farthest point sampling', () => {
  it('matches the brute-force definition', () => {
    for (const [n, npoint, seed] of [
      [50, 12, 1],
      [200, 64, 2],
      [33, 33, 3],
    ]) {
      const xyz = randomCloud(n, seed);
      expect(Array.from(farthestPointSample(xyz, n, npoint))).toEqual(
        bruteForceFps(xyz, n, npoint),
      );
    }
  });

  it('starts at point 0, picks distinct points, and reads a cloud at an offset', () => {
    const xyz = randomCloud(80, 4);
    const alone = farthestPointSample(xyz, 80, 20);
    expect(alone[0]).toBe(0);
    expect(new Set(alone).size).toBe(20);
    const padded = new Float32Array(3 * 10 + xyz.length);
    padded.set(xyz, 30);
    const out = new Int32Array(25);
    farthestPointSample(padded, 80, 20, out, { offset: 30, outOffset: 5 });
    expect(Array.from(out.subarray(5))).toEqual(Array.from(alone));
  });

  it('handles repeated points (resampled clouds) deterministically', () => {
    const base = randomCloud(10, 5);
    const xyz = new Float32Array(60);
    xyz.set(base);
    xyz.set(base, 30); // every point twice
    const picks = farthestPointSample(xyz, 20, 12);
    expect(Array.from(picks)).toEqual(bruteForceFps(xyz, 20, 12));
    // Ten distinct locations: the eleventh pick finds nothing farther than 0 and takes point 0.
    expect(new Set(Array.from(picks).map((i) => i % 10)).size).toBe(10);
  });

  it('rejects impossible requests', () => {
    expect(() => farthestPointSample(randomCloud(5, 1), 5, 6)).toThrow(/cannot sample 6/);
  });
});

describe('ball query', () => {
  it('matches the brute-force definition, with padding by the first neighbour', () => {
    const n = 300;
    const xyz = randomCloud(n, 6);
    const centroids = farthestPointSample(xyz, n, 40);
    for (const [radius, nsample] of [
      [0.2, 8],
      [0.5, 32],
      [1.5, 16],
    ]) {
      const out = ballQuery(xyz, n, centroids, radius, nsample);
      centroids.forEach((c, k) => {
        expect(Array.from(out.subarray(k * nsample, (k + 1) * nsample))).toEqual(
          bruteForceBall(xyz, n, c, radius, nsample),
        );
      });
    }
  });

  it('always contains the centroid itself (a lone point pads its whole group)', () => {
    const xyz = new Float32Array([0, 0, 0, 5, 5, 5, 0.01, 0, 0]);
    expect(Array.from(ballQuery(xyz, 3, [1], 0.1, 4))).toEqual([1, 1, 1, 1]);
    expect(Array.from(ballQuery(xyz, 3, [0], 0.1, 4))).toEqual([0, 2, 0, 0]);
  });
});

describe('groupLevel', () => {
  it('groups every cloud of a batch independently, and flattens indices per cloud', () => {
    const n = 64;
    const clouds = [randomCloud(n, 7), randomCloud(n, 8), randomCloud(n, 9)];
    const batch = new Float32Array(3 * n * 3);
    clouds.forEach((c, b) => batch.set(c, b * n * 3));
    const level = { npoint: 16, radius: 0.6, nsample: 8 };
    const grouping = groupLevel(batch, 3, n, level);
    clouds.forEach((c, b) => {
      const centroids = farthestPointSample(c, n, 16);
      expect(Array.from(grouping.centroids.subarray(b * 16, (b + 1) * 16))).toEqual(
        Array.from(centroids),
      );
      expect(Array.from(grouping.neighbours.subarray(b * 128, (b + 1) * 128))).toEqual(
        Array.from(ballQuery(c, n, centroids, 0.6, 8)),
      );
    });
    const flat = flattenIndices(grouping.neighbours, 16 * 8, n);
    expect(flat[2 * 128 + 5]).toBe(grouping.neighbours[2 * 128 + 5] + 2 * n);
    expect(() => groupLevel(batch, 2, n, level)).toThrow(/expected 2 x 64 x 3/);
  });
});

describe('GroupingCache', () => {
  const level = { npoint: 16, radius: 0.5, nsample: 8 };
  const n = 64;
  const clouds = [randomCloud(n, 1), randomCloud(n, 2), randomCloud(n, 3)];
  const batchOf = (...picked: Float32Array[]): Float32Array => {
    const xyz = new Float32Array(picked.length * n * 3);
    picked.forEach((cloud, i) => xyz.set(cloud, i * n * 3));
    return xyz;
  };

  it('returns exactly what groupLevel computes, computing each cloud once', () => {
    const cache = new GroupingCache();
    const first = batchOf(clouds[0], clouds[1]);
    expect(cache.group(first, 2, n, level)).toEqual(groupLevel(first, 2, n, level));
    expect([cache.hits, cache.misses]).toEqual([0, 2]);
    // Another batch composition: cloud 1 first, then a new cloud.
    const second = batchOf(clouds[1], clouds[2], clouds[0]);
    expect(cache.group(second, 3, n, level)).toEqual(groupLevel(second, 3, n, level));
    expect([cache.hits, cache.misses]).toEqual([2, 3]);
  });

  it('tells levels and moved points apart', () => {
    const cache = new GroupingCache();
    cache.group(clouds[0], 1, n, level);
    const wider = { ...level, radius: 0.7 };
    expect(cache.group(clouds[0], 1, n, wider)).toEqual(groupLevel(clouds[0], 1, n, wider));
    const moved = clouds[0].slice();
    moved[5] += 1e-6;
    expect(cache.group(moved, 1, n, level)).toEqual(groupLevel(moved, 1, n, level));
    expect(cache.misses).toBe(3);
  });

  it('stays within its bound', () => {
    const cache = new GroupingCache(2);
    for (const cloud of clouds) cache.group(cloud, 1, n, level);
    cache.group(clouds[2], 1, n, level);
    cache.group(clouds[0], 1, n, level);
    expect(cache.hits).toBe(1);
    expect(cache.misses).toBe(4);
  });
});
