import { SeededRandom } from '../random';
import { normalizeToUnitSphere, resamplePoints } from './normalize';

describe('normalizeToUnitSphere', () => {
  it('centres the cloud on its centroid and scales the farthest point to norm 1', () => {
    const random = new SeededRandom(1);
    const points = Float32Array.from(
      { length: 300 },
      (_, i) => 5000 + (i % 3) * 100 + random.nextFloat() * 2000,
    );
    normalizeToUnitSphere(points);
    const centroid = [0, 0, 0];
    let maxNorm = 0;
    for (let p = 0; p < 100; p++) {
      for (let axis = 0; axis < 3; axis++) centroid[axis] += points[3 * p + axis] / 100;
      maxNorm = Math.max(maxNorm, Math.hypot(points[3 * p], points[3 * p + 1], points[3 * p + 2]));
    }
    for (const c of centroid) expect(Math.abs(c)).toBeLessThan(1e-6);
    expect(maxNorm).toBeCloseTo(1, 6);
  });

  it('only centres a cloud whose points coincide', () => {
    expect(Array.from(normalizeToUnitSphere(Float32Array.from([2, 3, 4, 2, 3, 4])))).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
  });
});

describe('resamplePoints', () => {
  // point i is (i, i, i) so the chosen indices can be read back
  const cloud = (n: number) => Float32Array.from({ length: 3 * n }, (_, i) => Math.floor(i / 3));
  const indices = (points: Float32Array) =>
    Array.from({ length: points.length / 3 }, (_, p) => points[3 * p]);

  it('takes a seeded subset without repeats from a larger cloud', () => {
    const a = resamplePoints(cloud(100), 30, new SeededRandom(1));
    expect(a.length).toBe(90);
    expect(new Set(indices(a)).size).toBe(30);
    expect(resamplePoints(cloud(100), 30, new SeededRandom(1))).toEqual(a);
    expect(resamplePoints(cloud(100), 30, new SeededRandom(2))).not.toEqual(a);
  });

  it('keeps every point and repeats random ones for a smaller cloud', () => {
    const a = resamplePoints(cloud(10), 25, new SeededRandom(1));
    expect(new Set(indices(a)).size).toBe(10);
    expect(indices(a).slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(resamplePoints(cloud(10), 25, new SeededRandom(1))).toEqual(a);
  });

  it('copies a cloud of the requested size', () => {
    const source = cloud(5);
    const copy = resamplePoints(source, 5, new SeededRandom(1));
    expect(copy).toEqual(source);
    expect(copy).not.toBe(source);
    expect(() => resamplePoints(new Float32Array(0), 5, new SeededRandom(1))).toThrow(/empty/);
  });
});
