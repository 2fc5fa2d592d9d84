import type { SeededRandom } from '../random';

/**
 * ModelNet's up axis is +z (index 2): the official meshes (and the point clouds sampled from them)
 * stand on the x-y plane. Checked on the data: tables, beds and sofas are flat in z and widest in
 * x-y, chairs are tallest in z, and a table's centroid sits high in z (the heavy top is up).
 */
export const UP_AXIS = 2;

export interface AugmentOptions {
  /** Random rotation about the up axis (z), angle uniform in [0, 2 pi). Default true. */
  rotate?: boolean;
  /** Standard deviation of the per-coordinate Gaussian jitter. Default 0.01; 0 disables. */
  jitterSigma?: number;
  /** The jitter is clipped to [-clip, clip]. Default 0.05. */
  jitterClip?: number;
  /** Isotropic scale factor uniform in [min, max]. Default [0.8, 1.25]; [1, 1] disables. */
  scaleRange?: readonly [number, number];
}

/**
 * Training-time augmentation of a normalized cloud (x y z per point), seeded: rotation about the up
 * axis, then isotropic scaling, then clipped Gaussian jitter. Writes into `out` (a new array by default;
 * passing `points` augments in place).
 */
export function augmentPointCloud(
  points: Float32Array,
  random: SeededRandom,
  options: AugmentOptions = {},
  out: Float32Array = new Float32Array(points.length),
): Float32Array {
  const {
    rotate = true,
    jitterSigma = 0.01,
    jitterClip = 0.05,
    scaleRange = [0.8, 1.25],
  } = options;
  if (out !== points) out.set(points);
  if (rotate) rotateAboutUpAxis(out, random.nextFloat() * 2 * Math.PI);
  const [minScale, maxScale] = scaleRange;
  scalePoints(out, minScale + random.nextFloat() * (maxScale - minScale));
  if (jitterSigma > 0) jitterPoints(out, random, jitterSigma, jitterClip);
  return out;
}

/** Rotates in place by `angle` radians about the up axis (z): x and y turn, z is unchanged. */
export function rotateAboutUpAxis(points: Float32Array, angle: number): Float32Array {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  for (let p = 0; p < points.length; p += 3) {
    const x = points[p];
    const y = points[p + 1];
    points[p] = cos * x - sin * y;
    points[p + 1] = sin * x + cos * y;
  }
  return points;
}

/** Multiplies every coordinate by `factor`, in place. */
export function scalePoints(points: Float32Array, factor: number): Float32Array {
  for (let i = 0; i < points.length; i++) points[i] *= factor;
  return points;
}

/** Adds Gaussian noise N(0, sigma^2) clipped to [-clip, clip] to every coordinate, in place. */
export function jitterPoints(
  points: Float32Array,
  random: SeededRandom,
  sigma: number,
  clip: number,
): Float32Array {
  for (let i = 0; i < points.length; i++) {
    points[i] += Math.min(clip, Math.max(-clip, sigma * random.nextGaussian()));
  }
  return points;
}
