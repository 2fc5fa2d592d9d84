import { DatasetFormatError } from '../errors';
import type { SeededRandom } from '../random';
import type { TriangleMesh } from './off';

/**
 * Samples `count` points uniformly on a mesh's surface: a triangle is chosen with probability
 * proportional to its area (binary search in the cumulative areas), then a point uniformly inside it
 * with the square-root barycentric trick (Osada et al. 2002):
 * p = (1 - sqrt(r1)) A + sqrt(r1) (1 - r2) B + sqrt(r1) r2 C.
 * Returns x y z per point.
 */
export function sampleSurface(
  mesh: TriangleMesh,
  count: number,
  random: SeededRandom,
  fileName = '<mesh>',
): Float32Array {
  const { vertices, triangles } = mesh;
  const triangleCount = triangles.length / 3;
  const cumulativeArea = new Float64Array(triangleCount);
  let total = 0;
  for (let t = 0; t < triangleCount; t++) {
    total += triangleArea(vertices, triangles[3 * t], triangles[3 * t + 1], triangles[3 * t + 2]);
    cumulativeArea[t] = total;
  }
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new DatasetFormatError(
      fileName,
      `cannot sample the surface: the mesh's total area is ${total}`,
    );
  }

  const points = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const t = firstGreater(cumulativeArea, random.nextFloat() * total);
    const a = 3 * triangles[3 * t];
    const b = 3 * triangles[3 * t + 1];
    const c = 3 * triangles[3 * t + 2];
    const s = Math.sqrt(random.nextFloat());
    const r = random.nextFloat();
    const wa = 1 - s;
    const wb = s * (1 - r);
    const wc = s * r;
    for (let axis = 0; axis < 3; axis++) {
      points[3 * i + axis] =
        wa * vertices[a + axis] + wb * vertices[b + axis] + wc * vertices[c + axis];
    }
  }
  return points;
}

/** Area of triangle (a, b, c): half the norm of the cross product of two edges. */
export function triangleArea(vertices: Float64Array, a: number, b: number, c: number): number {
  const abx = vertices[3 * b] - vertices[3 * a];
  const aby = vertices[3 * b + 1] - vertices[3 * a + 1];
  const abz = vertices[3 * b + 2] - vertices[3 * a + 2];
  const acx = vertices[3 * c] - vertices[3 * a];
  const acy = vertices[3 * c + 1] - vertices[3 * a + 1];
  const acz = vertices[3 * c + 2] - vertices[3 * a + 2];
  const cx = aby * acz - abz * acy;
  const cy = abz * acx - abx * acz;
  const cz = abx * acy - aby * acx;
  return 0.5 * Math.sqrt(cx * cx + cy * cy + cz * cz);
}

/**
 * Index of the first cumulative area greater than `value` (upper bound). Zero-area triangles share
 * their predecessor's cumulative value and so are never chosen.
 */
function firstGreater(cumulative: Float64Array, value: number): number {
  let low = 0;
  let high = cumulative.length - 1; // the last entry is the total > value, so the answer exists
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle] > value) high = middle;
    else low = middle + 1;
  }
  return low;
}
