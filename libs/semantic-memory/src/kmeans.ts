import { SeededRandom } from '@engram/datasets';

export interface KMeansResult {
  /** k x dim centroids, row-major. */
  centroids: Float32Array;
  /** Cluster of every input vector. */
  assignment: Uint32Array;
  iterations: number;
}

function squaredDistance(
  a: Float32Array,
  aOffset: number,
  b: Float32Array,
  bOffset: number,
  dim: number,
): number {
  let sum = 0;
  for (let d = 0; d < dim; d++) {
    const diff = a[aOffset + d] - b[bOffset + d];
    sum += diff * diff;
  }
  return sum;
}

/**
 * Seeded k-means (k-means++ seeding, then Lloyd iterations until assignments stop changing).
 * An empty cluster is re-seeded with the point farthest from its centroid, so exactly k
 * centroids come back whenever there are at least k distinct points.
 */
export function kMeans(
  vectors: Float32Array,
  count: number,
  dim: number,
  k: number,
  seed: number,
  maxIterations = 50,
): KMeansResult {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (count < k) throw new RangeError(`k-means: ${count} vectors cannot form ${k} clusters`);
  const random = new SeededRandom(seed);
  const centroids = new Float32Array(k * dim);
  const nearest = new Float64Array(count).fill(Infinity);
  // k-means++: each next centroid is drawn with probability proportional to squared distance.
  let chosen = random.nextInt(count);
  for (let c = 0; c < k; c++) {
    centroids.set(vectors.subarray(chosen * dim, (chosen + 1) * dim), c * dim);
    let total = 0;
    for (let i = 0; i < count; i++) {
      nearest[i] = Math.min(nearest[i], squaredDistance(vectors, i * dim, centroids, c * dim, dim));
      total += nearest[i];
    }
    if (c + 1 === k) break;
    let target = random.nextFloat() * total;
    chosen = count - 1;
    for (let i = 0; i < count; i++) {
      target -= nearest[i];
      if (target <= 0) {
        chosen = i;
        break;
      }
    }
  }
  const assignment = new Uint32Array(count);
  const sums = new Float64Array(k * dim);
  const sizes = new Uint32Array(k);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = iterations === 0;
    for (let i = 0; i < count; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        const distance = squaredDistance(vectors, i * dim, centroids, c * dim, dim);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
      if (assignment[i] !== best) changed = true;
      assignment[i] = best;
      nearest[i] = bestDistance;
    }
    if (!changed) break;
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < count; i++) {
      const c = assignment[i];
      sizes[c]++;
      for (let d = 0; d < dim; d++) sums[c * dim + d] += vectors[i * dim + d];
    }
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) {
        let far = 0;
        for (let i = 1; i < count; i++) if (nearest[i] > nearest[far]) far = i;
        centroids.set(vectors.subarray(far * dim, (far + 1) * dim), c * dim);
        nearest[far] = 0;
        continue;
      }
      for (let d = 0; d < dim; d++) centroids[c * dim + d] = sums[c * dim + d] / sizes[c];
    }
  }
  return { centroids, assignment, iterations };
}
