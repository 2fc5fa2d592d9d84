/**
 * out[s, :] = sum of x[i, :] over the rows i with segmentIds[i] == s; ids outside
 * [0, numSegments) are dropped, as in TensorFlow. `out` must be zeroed and hold
 * numSegments x rowSize values.
 */
export function segmentSumInto(
  x: ArrayLike<number>,
  segmentIds: ArrayLike<number>,
  out: Float32Array | Int32Array,
): void {
  out.fill(0);
  if (segmentIds.length === 0) return;
  const rowSize = x.length / segmentIds.length;
  const numSegments = out.length / Math.max(rowSize, 1);
  for (let i = 0; i < segmentIds.length; i++) {
    const segment = segmentIds[i];
    if (segment < 0 || segment >= numSegments) continue;
    const src = i * rowSize;
    const dst = segment * rowSize;
    for (let k = 0; k < rowSize; k++) out[dst + k] += x[src + k];
  }
}
