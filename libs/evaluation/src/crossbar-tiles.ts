import * as tf from '@tensorflow/tfjs';
import type { WeightLayer } from '@engram/models';
import { applyWeightLayer, layerRows } from '@engram/models';

/**
 * A layer's crossbar matrix [rows = k*k*in][cols = out] (rows in TensorFlow's filter order
 * kh, kw, in) split into row tiles, arranged so that ONE conv (or matmul) yields every tile's
 * partial sums: the tiles are stacked along the output axis, tile t's copy of the weights having
 * the other tiles' rows zeroed. Same arithmetic as per-tile products, one wide kernel call.
 */
export interface TiledLayer {
  layer: WeightLayer;
  tileCount: number;
  /** [rowStart, rowEnd) of every tile. */
  rowRanges: [number, number][];
  /** Conv: [k, k, in, T * out]; dense: [in, T * out]. */
  weights: tf.Tensor;
  /** Per-cell read-noise variance stacked the same way, or null. */
  variance: tf.Tensor | null;
  /**
   * Ones on each tile's rows, T output columns: with a per-column variance v_j the read-noise
   * variance of tile t's partial sum is (sum of x^2 over the tile's rows) x v_j.
   */
  rowOnes: tf.Tensor;
}

function stack(layer: WeightLayer, values: Float32Array, rowRanges: [number, number][]): tf.Tensor {
  const rows = layerRows(layer);
  const cols = layer.outChannels;
  const tiles = rowRanges.length;
  const stacked = new Float32Array(rows * tiles * cols);
  rowRanges.forEach(([start, end], t) => {
    for (let r = start; r < end; r++) {
      stacked.set(values.subarray(r * cols, (r + 1) * cols), r * tiles * cols + t * cols);
    }
  });
  return shaped(layer, stacked, tiles * cols);
}

function shaped(layer: WeightLayer, values: Float32Array, outColumns: number): tf.Tensor {
  return layer.kind === 'conv'
    ? tf.tensor4d(values, [layer.kernel, layer.kernel, layer.inChannels, outColumns])
    : tf.tensor2d(values, [layer.inChannels, outColumns]);
}

export function rowTileRanges(layer: WeightLayer, tileRows: number): [number, number][] {
  const rows = layerRows(layer);
  const ranges: [number, number][] = [];
  for (let start = 0; start < rows; start += tileRows)
    ranges.push([start, Math.min(rows, start + tileRows)]);
  return ranges;
}

export function buildTiledLayer(
  layer: WeightLayer,
  effectiveWeights: Float32Array,
  readNoiseVariance: Float32Array | null,
  tileRows: number,
): TiledLayer {
  const rows = layerRows(layer);
  if (effectiveWeights.length !== rows * layer.outChannels) {
    throw new RangeError(
      `${layer.name}: expected ${rows} x ${layer.outChannels} weights, got ${effectiveWeights.length}`,
    );
  }
  const rowRanges = rowTileRanges(layer, tileRows);
  const ones = new Float32Array(rows * rowRanges.length);
  rowRanges.forEach(([start, end], t) => {
    for (let r = start; r < end; r++) ones[r * rowRanges.length + t] = 1;
  });
  return {
    layer,
    tileCount: rowRanges.length,
    rowRanges,
    weights: stack(layer, effectiveWeights, rowRanges),
    variance: readNoiseVariance ? stack(layer, readNoiseVariance, rowRanges) : null,
    rowOnes: shaped(layer, ones, rowRanges.length),
  };
}

/**
 * Applies a stacked kernel and splits its output per tile: [..., T, columns] where columns is
 * the layer's outputs (or 1 for rowOnes).
 */
export function perTile(tiled: TiledLayer, x: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
  const out = applyWeightLayer(tiled.layer, x, kernel);
  const columns = out.shape[out.shape.length - 1] / tiled.tileCount;
  return tf.reshape(out, [...out.shape.slice(0, -1), tiled.tileCount, columns]);
}

export function disposeTiledLayer(tiled: TiledLayer): void {
  tiled.weights.dispose();
  tiled.variance?.dispose();
  tiled.rowOnes.dispose();
}
