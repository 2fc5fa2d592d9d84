import { SeededRandom } from '../random';
import { augmentPointCloud, jitterPoints, rotateAboutUpAxis, UP_AXIS } from './augment';

function randomCloud(seed: number, n = 256): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: 3 * n }, () => random.nextFloat() * 2 - 1);
}

describe('augmentPointCloud', () => {
  it('is deterministic per seed and leaves the input untouched', () => {
    const points = randomCloud(1);
    const before = Float32Array.from(points);
    const a = augmentPointCloud(points, new SeededRandom(9));
    expect(augmentPointCloud(points, new SeededRandom(9))).toEqual(a);
    expect(augmentPointCloud(points, new SeededRandom(10))).not.toEqual(a);
    expect(points).toEqual(before);
  });

  it('without jitter, only rotates about z and scales within 0.8..1.25', () => {
    const points = randomCloud(2);
    for (let seed = 0; seed < 20; seed++) {
      const out = augmentPointCloud(points, new SeededRandom(seed), { jitterSigma: 0 });
      const scale = out[2] / points[2];
      expect(scale).toBeGreaterThanOrEqual(0.8);
      expect(scale).toBeLessThanOrEqual(1.25);
      for (let p = 0; p < points.length / 3; p++) {
        const before = Math.hypot(points[3 * p], points[3 * p + 1]);
        const after = Math.hypot(out[3 * p], out[3 * p + 1]);
        if (
          Math.abs(after - scale * before) > 1e-5 ||
          Math.abs(out[3 * p + 2] - scale * points[3 * p + 2]) > 1e-5
        ) {
          throw new Error(`point ${p} is not a scaled rotation about z (seed ${seed})`);
        }
      }
    }
  });

  it('augments in place when out is the input', () => {
    const points = randomCloud(3);
    expect(augmentPointCloud(points, new SeededRandom(1), {}, points)).toBe(points);
  });
});

describe('rotateAboutUpAxis', () => {
  it('preserves norms and the up coordinate (z)', () => {
    expect(UP_AXIS).toBe(2);
    const points = randomCloud(4);
    const rotated = rotateAboutUpAxis(Float32Array.from(points), 1.234);
    let changed = 0;
    for (let p = 0; p < points.length / 3; p++) {
      const [x, y, z] = [points[3 * p], points[3 * p + 1], points[3 * p + 2]];
      const [rx, ry, rz] = [rotated[3 * p], rotated[3 * p + 1], rotated[3 * p + 2]];
      expect(Math.hypot(rx, ry, rz)).toBeCloseTo(Math.hypot(x, y, z), 5);
      expect(rz).toBe(z);
      if (Math.abs(rx - x) > 1e-3) changed++;
    }
    expect(changed).toBeGreaterThan(0);
    expect(
      Array.from(rotateAboutUpAxis(Float32Array.from([1, 0, 0.5]), Math.PI / 2)).map(
        (v) => Math.round(v * 1e6) / 1e6,
      ),
    ).toEqual([0, 1, 0.5]);
  });
});

describe('jitterPoints', () => {
  it('adds Gaussian noise of the requested sigma, clipped', () => {
    const n = 30_000;
    const noise = jitterPoints(new Float32Array(n), new SeededRandom(5), 0.01, 0.05);
    let sumSquares = 0;
    let maxAbs = 0;
    for (const v of noise) {
      sumSquares += v * v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    expect(Math.sqrt(sumSquares / n)).toBeCloseTo(0.01, 3);
    expect(maxAbs).toBeLessThanOrEqual(0.05);
    const clipped = jitterPoints(new Float32Array(n), new SeededRandom(5), 1, 0.05);
    expect(Math.max(...clipped)).toBeCloseTo(0.05, 6);
    expect(Math.min(...clipped)).toBeCloseTo(-0.05, 6);
  });
});
