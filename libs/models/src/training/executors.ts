import * as tf from '@tensorflow/tfjs';
import { applyWeightLayer, CimExecutor } from '../layers/executor';
import { injectProgrammingNoise, ternarize, ternarizeSte } from '../layers/ternary';
import type { WeightLayer } from '../layers/weight-layer';

export type WeightMode = 'float' | 'ternary';

/** How an executor applies a layer's (effective) weights to its input. */
export type LayerApply = (layer: WeightLayer, x: tf.Tensor, weights: tf.Tensor) => tf.Tensor;

/**
 * The executor used while training: float weights, or ternary weights through the straight-through
 * estimator with fresh programming noise every step (hardware-aware training). `apply` is how the
 * weights are applied (the PointNet++ uses matrix products: same values, faster gradients).
 */
export class TrainingExecutor implements CimExecutor {
  private step = 0;

  constructor(
    private readonly weightOf: (layer: WeightLayer) => tf.Tensor,
    private readonly mode: WeightMode,
    private readonly noiseRelativeSigma: number,
    private readonly seed: number,
    private readonly layerIndex: Map<string, number>,
    private readonly apply: LayerApply = applyWeightLayer,
  ) {}

  setStep(step: number): void {
    this.step = step;
  }

  run(layer: WeightLayer, x: tf.Tensor): tf.Tensor {
    const w = this.weightOf(layer);
    if (this.mode === 'float') return this.apply(layer, x, w);
    const noiseSeed = this.seed + this.step * 1009 + (this.layerIndex.get(layer.name) ?? 0);
    const effective = injectProgrammingNoise(ternarizeSte(w), this.noiseRelativeSigma, noiseSeed);
    return this.apply(layer, x, effective);
  }
}

/** Noise-free evaluation executor: float weights or their ternary quantization. */
export class QuantizedExecutor implements CimExecutor {
  private readonly cache = new Map<string, tf.Tensor>();

  constructor(
    private readonly weightOf: (layer: WeightLayer) => tf.Tensor,
    private readonly mode: WeightMode,
    private readonly apply: LayerApply = applyWeightLayer,
  ) {}

  run(layer: WeightLayer, x: tf.Tensor): tf.Tensor {
    let w = this.cache.get(layer.name);
    if (!w) {
      w = this.mode === 'float' ? this.weightOf(layer) : tf.keep(ternarize(this.weightOf(layer)));
      this.cache.set(layer.name, w);
    }
    return this.apply(layer, x, w);
  }

  dispose(): void {
    if (this.mode === 'ternary') for (const w of this.cache.values()) w.dispose();
    this.cache.clear();
  }
}
