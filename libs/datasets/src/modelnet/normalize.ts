import type { SeededRandom } from '../random';

/**
 * Centres a cloud on its centroid and scales it into the unit sphere (largest norm = 1), in place,
 * as PointNet/PointNet++ do: ModelNet coordinates are raw CAD units (from ~0.2 to >200,000).
 * A cloud whose points all coincide is only centred (it has no extent to scale).
 */
export function normalizeToUnitSphere(points: Float32Array): Float32Array {
  const count = points.length / 3;
  if (count === 0) return points;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let p = 0; p < count; p++) {
    cx += points[3 * p];
    cy += points[3 * p + 1];
    cz += points[3 * p + 2];
  }
  cx /= count;
  cy /= count;
  cz /= count;
  let maxSquaredNorm = 0;
  for (let p = 0; p < count; p++) {
    const x = points[3 * p] - cx;
    const y = points[3 * p + 1] - cy;
    const z = points[3 * p + 2] - cz;
    const squaredNorm = x * x + y * y + z * z;
    if (squaredNorm > maxSquaredNorm) maxSquaredNorm = squaredNorm; // not Math.max: slow global lookup under jest
  }
  const scale = maxSquaredNorm > 0 ? 1 / Math.sqrt(maxSquaredNorm) : 1;
  for (let p = 0; p < count; p++) {
    points[3 * p] = (points[3 * p] - cx) * scale;
    points[3 * p + 1] = (points[3 * p + 1] - cy) * scale;
    points[3 * p + 2] = (points[3 * p + 2] - cz) * scale;
  }
  return points;
}

/**
 * Returns exactly `count` points (x y z each) from a cloud: a seeded random subset (no repeats) when
 * the cloud has more, every point once plus seeded random repeats when it has fewer, a copy when equal.
 */
export function resamplePoints(
  points: Float32Array,
  count: number,
  random: SeededRandom,
): Float32Array {
  const available = points.length / 3;
  if (available === 0) throw new RangeError('cannot resample an empty point cloud');
  const out = new Float32Array(count * 3);
  if (available === count) {
    out.set(points);
    return out;
  }
  if (available > count) {
    // partial Fisher-Yates: the first `count` entries of a random permutation
    const order = new Uint32Array(available);
    for (let i = 0; i < available; i++) order[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + random.nextInt(available - i);
      const chosen = order[j];
      order[j] = order[i];
      order[i] = chosen;
      out.set(points.subarray(3 * chosen, 3 * chosen + 3), 3 * i);
    }
    return out;
  }
  out.set(points);
  for (let i = available; i < count; i++) {
    const chosen = random.nextInt(available);
    out.set(points.subarray(3 * chosen, 3 * chosen + 3), 3 * i);
  }
  return out;
}
