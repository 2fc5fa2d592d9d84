import * as tf from '@tensorflow/tfjs';
import type { WeightLayer } from './weight-layer';

/**
 * Runs the weight layers of a network: the network code says what to compute, the executor says
 * on what (float weights, ternary weights with noise injection while training, or the simulated
 * crossbars of a programmed chip). Conv inputs are NHWC, dense inputs [batch, features].
 */
export interface CimExecutor {
  run(layer: WeightLayer, x: tf.Tensor): tf.Tensor;
}

/** Applies a layer's weights as given by `weightOf` with the layer's geometry. */
export function applyWeightLayer(layer: WeightLayer, x: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  if (layer.kind === 'conv') {
    return tf.conv2d(x as tf.Tensor4D, weights as tf.Tensor4D, layer.stride, 'same');
  }
  return tf.matMul(x as tf.Tensor2D, weights as tf.Tensor2D);
}

/** Float weights exactly as stored: the software reference. */
export class FloatExecutor implements CimExecutor {
  constructor(private readonly weightOf: (layer: WeightLayer) => tf.Tensor) {}

  run(layer: WeightLayer, x: tf.Tensor): tf.Tensor {
    return applyWeightLayer(layer, x, this.weightOf(layer));
  }
}
