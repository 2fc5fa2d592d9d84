import { SeededRandom, normalizeToUnitSphere } from '@engram/datasets';
import type { PointCloudSet } from './data';

/**
 * Seeded synthetic clouds of four shape classes (sphere surface, box surface, flat disk, thin
 * rod), each randomly stretched and normalized to the unit sphere: data with a class structure
 * for tests that must not depend on the ModelNet files.
 */
export function syntheticClouds(count: number, numPoints: number, seed: number): PointCloudSet {
  const random = new SeededRandom(seed);
  const points = new Float32Array(count * numPoints * 3);
  const labels = new Uint8Array(count);
  const cloud = new Float32Array(numPoints * 3);
  for (let i = 0; i < count; i++) {
    const label = i % 4;
    labels[i] = label;
    const stretch = [0.7 + 0.6 * random.nextFloat(), 0.7 + 0.6 * random.nextFloat(), 1];
    for (let p = 0; p < numPoints; p++) {
      let v: number[];
      const g = [random.nextGaussian(), random.nextGaussian(), random.nextGaussian()];
      const norm = Math.hypot(g[0], g[1], g[2]) || 1;
      if (label === 0) v = g.map((x) => x / norm);
      else if (label === 1) {
        const face = random.nextInt(3);
        v = [2 * random.nextFloat() - 1, 2 * random.nextFloat() - 1, 2 * random.nextFloat() - 1];
        v[face] = random.nextFloat() < 0.5 ? -1 : 1;
      } else if (label === 2) {
        const r = Math.sqrt(random.nextFloat());
        const a = 2 * Math.PI * random.nextFloat();
        v = [r * Math.cos(a), r * Math.sin(a), 0.02 * random.nextGaussian()];
      } else {
        v = [0.05 * g[0], 0.05 * g[1], 2 * random.nextFloat() - 1];
      }
      for (let d = 0; d < 3; d++) cloud[p * 3 + d] = v[d] * stretch[d];
    }
    points.set(normalizeToUnitSphere(cloud), i * numPoints * 3);
  }
  return {
    points,
    labels,
    count,
    numPoints,
    sourceIndices: Uint32Array.from({ length: count }, (_, k) => k),
  };
}
