import * as tf from '@tensorflow/tfjs';
import { applyWeightLayer } from '../layers/executor';
import type { WeightLayer } from '../layers/weight-layer';
import { QuantizedExecutor, WeightMode } from '../training/executors';
import { pointwiseMatMul } from './ops';

/**
 * Applies a layer as a matrix product when it is one (dense, or a 1x1 stride-1 convolution: the
 * shared MLPs of PointNet++), which trains several times faster on wasm than tf.conv2d's
 * gradient; same values as applyWeightLayer. The PointNet++ trainer's executors use it.
 */
export function applyPointwise(layer: WeightLayer, x: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  if (layer.kind === 'dense' || (layer.kernel === 1 && layer.stride === 1)) {
    return pointwiseMatMul(x, weights);
  }
  return applyWeightLayer(layer, x, weights);
}

/** Noise-free evaluation executor (float weights or their ternary quantization), as matrix products. */
export class PointwiseQuantizedExecutor extends QuantizedExecutor {
  constructor(weightOf: (layer: WeightLayer) => tf.Tensor, mode: WeightMode) {
    super(weightOf, mode, applyPointwise);
  }
}
