import { SeededRandom } from '../random';
import { parseOff } from './off';
import { sampleSurface, triangleArea } from './sampling';

describe('sampleSurface', () => {
  // the unit square (z = 0) as a quad (0,0.5) (1,0) (1,1) (0,1), fan-triangulated into areas 0.5 and
  // 0.25, plus the triangle (0,0) (1,0) (0,0.5) of area 0.25
  const square = parseOff('OFF\n5 2 0\n0 0 0\n1 0 0\n1 1 0\n0 1 0\n0 0.5 0\n3 0 1 4\n4 4 1 2 3\n');

  it('chooses triangles in proportion to their area and keeps every point on the surface', () => {
    expect([0, 1, 2].map((t) => triangleArea(square.vertices, ...triangleOf(t)))).toEqual([
      0.25, 0.5, 0.25,
    ]);
    const n = 40_000;
    const points = sampleSurface(square, n, new SeededRandom(11));
    const perTriangle = [0, 0, 0];
    let offSurface = 0;
    for (let i = 0; i < n; i++) {
      const [x, y, z] = [points[3 * i], points[3 * i + 1], points[3 * i + 2]];
      if (z !== 0 || x < 0 || x > 1 || y < 0 || y > 1) offSurface++;
      perTriangle[y < 0.5 * (1 - x) ? 0 : y > 0.5 + 0.5 * x ? 2 : 1]++;
    }
    expect(offSurface).toBe(0);
    // expected fractions = area / total area; 4 binomial sigmas at n = 40,000 are under 1 %
    [0.25, 0.5, 0.25].forEach((fraction, t) => {
      expect(Math.abs(perTriangle[t] / n - fraction)).toBeLessThan(0.01);
    });
  });

  function triangleOf(t: number): [number, number, number] {
    return [square.triangles[3 * t], square.triangles[3 * t + 1], square.triangles[3 * t + 2]];
  }

  it('samples uniformly inside a triangle (sqrt barycentric trick)', () => {
    const triangle = parseOff('OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n');
    const n = 40_000;
    const points = sampleSurface(triangle, n, new SeededRandom(2));
    // the sub-triangle x + y < 0.5 holds a quarter of the area
    let near = 0;
    for (let i = 0; i < n; i++) if (points[3 * i] + points[3 * i + 1] < 0.5) near++;
    expect(near / n).toBeGreaterThan(0.24);
    expect(near / n).toBeLessThan(0.26);
  });

  it('never picks zero-area triangles and is deterministic per seed', () => {
    const withDegenerate = parseOff('OFF\n4 2 0\n0 0 0\n1 0 0\n0 1 0\n5 5 5\n3 3 3 3\n3 0 1 2\n');
    const a = sampleSurface(withDegenerate, 1000, new SeededRandom(4));
    expect(a.every((v, i) => (i % 3 === 2 ? v === 0 : v >= 0 && v <= 1))).toBe(true);
    expect(sampleSurface(withDegenerate, 1000, new SeededRandom(4))).toEqual(a);
    expect(sampleSurface(withDegenerate, 1000, new SeededRandom(5))).not.toEqual(a);
  });

  it('rejects a mesh without area', () => {
    const flat = parseOff('OFF\n3 1 0\n0 0 0\n1 0 0\n2 0 0\n3 0 1 2\n');
    expect(() => sampleSurface(flat, 10, new SeededRandom(1), 'flat.off')).toThrow(
      "flat.off: cannot sample the surface: the mesh's total area is 0",
    );
  });
});
