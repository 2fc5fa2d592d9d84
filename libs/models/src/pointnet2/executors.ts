import * as tf from '@tensorflow/tfjs';
import { CimExecutor, applyWeightLayer } from '../layers/executor';
import { injectProgrammingNoise, ternarize, ternarizeSte } from '../layers/ternary';
import type { WeightLayer } from '../resnet/architecture';
import type { WeightMode } from '../training/executors';
import { pointwiseMatMul } from './ops';

/**
 * Applies a layer as a matrix product when it is one (dense, or a 1x1 stride-1 convolution: the
 * shared MLPs of PointNet++), which trains several times faster on wasm than tf.conv2d's
 * gradient; same values as applyWeightLayer.
 */
export function applyPointwise(layer: WeightLayer, x: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  if (layer.kind === 'dense' || (layer.kernel === 1 && layer.stride === 1)) {
    return pointwiseMatMul(x, weights);
  }
  return applyWeightLayer(layer, x, weights);
}

/**
 * The PointNet++ training executor: the same weights as TrainingExecutor (float, or ternary through
 * the straight-through estimator with fresh programming noise every step, the same noise seeds),
 * applied as matrix products.
 */
export class PointNetTrainingExecutor implements CimExecutor {
  private step = 0;

  constructor(
    private readonly weightOf: (layer: WeightLayer) => tf.Tensor,
    private readonly mode: WeightMode,
    private readonly noiseRelativeSigma: number,
    private readonly seed: number,
    private readonly layerIndex: Map<string, number>,
  ) {}

  setStep(step: number): void {
    this.step = step;
  }

  run(layer: WeightLayer, x: tf.Tensor): tf.Tensor {
    const w = this.weightOf(layer);
    if (this.mode === 'float') return applyPointwise(layer, x, w);
    const noiseSeed = this.seed + this.step * 1009 + (this.layerIndex.get(layer.name) ?? 0);
    const effective = injectProgrammingNoise(ternarizeSte(w), this.noiseRelativeSigma, noiseSeed);
    return applyPointwise(layer, x, effective);
  }
}

/** Noise-free evaluation executor (float weights or their ternary quantization), as matrix products. */
export class PointwiseQuantizedExecutor implements CimExecutor {
  private readonly cache = new Map<string, tf.Tensor>();

  constructor(
    private readonly weightOf: (layer: WeightLayer) => tf.Tensor,
    private readonly mode: WeightMode,
  ) {}

  run(layer: WeightLayer, x: tf.Tensor): tf.Tensor {
    let w = this.cache.get(layer.name);
    if (!w) {
      w = this.mode === 'float' ? this.weightOf(layer) : tf.keep(ternarize(this.weightOf(layer)));
      this.cache.set(layer.name, w);
    }
    return applyPointwise(layer, x, w);
  }

  dispose(): void {
    if (this.mode === 'ternary') for (const w of this.cache.values()) w.dispose();
    this.cache.clear();
  }
}
