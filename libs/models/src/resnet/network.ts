import * as tf from '@tensorflow/tfjs';
import { ParameterStore } from '../layers/parameters';
import { CimExecutor } from '../layers/executor';
import { ResNetLayout, ResNetSpec, WeightLayer, resnetLayout } from './architecture';
import type { DynamicNetwork, ExitPoint } from '../dynamic-network';

export const BATCH_NORM_EPSILON = 1e-5;

export type BatchNormMode = 'batch' | 'running';

/** Batch statistics observed in a training step, used to update the running averages. */
export type BatchStatistics = Map<string, { mean: tf.Tensor; variance: tf.Tensor }>;

export interface ForwardContext {
  executor: CimExecutor;
  batchNorm: BatchNormMode;
  /** Filled in 'batch' mode. */
  statistics?: BatchStatistics;
}

export interface ExitOutput {
  /** Real-valued semantic vector [batch, semanticDim]; centred and binarized for the TCAM. */
  semantic: tf.Tensor2D;
}

/** Seeded He-normal initialization for a weight of the given fan-in. */
function heNormal(shape: number[], fanIn: number, seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed);
}

function weightShape(layer: WeightLayer): number[] {
  return layer.kind === 'conv'
    ? [layer.kernel, layer.kernel, layer.inChannels, layer.outChannels]
    : [layer.inChannels, layer.outChannels];
}

export function weightName(layer: WeightLayer): string {
  return `${layer.name}.w`;
}

/**
 * The semantic-memory ResNet, split into the pieces that dynamic inference runs one at a time:
 * stem, stages, exit heads (pooling + CIM projection + batch norm) and the classifier.
 */
export class ResNetNetwork implements DynamicNetwork<tf.Tensor4D> {
  readonly kind = 'resnet';
  readonly layout: ResNetLayout;

  constructor(
    readonly spec: ResNetSpec,
    readonly params: ParameterStore,
  ) {
    this.layout = resnetLayout(spec);
  }

  get exits(): readonly ExitPoint[] {
    return this.spec.exits;
  }

  get stageCount(): number {
    return this.spec.stages.length;
  }

  get numClasses(): number {
    return this.spec.numClasses;
  }

  get weightLayers(): readonly WeightLayer[] {
    return this.layout.weightLayers;
  }

  begin(input: tf.Tensor, ctx: ForwardContext): tf.Tensor4D {
    return this.stem(input as tf.Tensor4D, ctx);
  }

  select(state: tf.Tensor4D, positions: tf.Tensor1D): tf.Tensor4D {
    return tf.gather(state, positions);
  }

  static create(spec: ResNetSpec, seed: number): ResNetNetwork {
    const layout = resnetLayout(spec);
    const params = new ParameterStore();
    let next = seed;
    for (const layer of layout.weightLayers) {
      const fanIn = layer.kernel * layer.kernel * layer.inChannels;
      params.add(weightName(layer), heNormal(weightShape(layer), fanIn, next++), true);
      if (layer.batchNorm) addBatchNorm(params, layer.batchNorm, layer.outChannels);
    }
    params.add('head.fc.b', tf.zeros([spec.numClasses]), true);
    layout.exits.forEach((exit) => {
      const dim = exit.projection.outChannels;
      params.add(`${exit.auxClassifier}.w`, heNormal([dim, spec.numClasses], dim, next++), true);
      params.add(`${exit.auxClassifier}.b`, tf.zeros([spec.numClasses]), true);
    });
    return new ResNetNetwork(spec, params);
  }

  weight(layer: WeightLayer): tf.Variable {
    return this.params.get(weightName(layer));
  }

  private batchNorm(name: string, x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const gamma = this.params.get(`${name}.gamma`);
    const beta = this.params.get(`${name}.beta`);
    if (ctx.batchNorm === 'running') {
      // Inference: a per-channel affine on the digital side.
      const scale = tf.mul(
        gamma,
        tf.rsqrt(tf.add(this.params.get(`${name}.var`), BATCH_NORM_EPSILON)),
      );
      const shift = tf.sub(beta, tf.mul(this.params.get(`${name}.mean`), scale));
      return tf.add(tf.mul(x, scale), shift);
    }
    // Written from primitive ops: on wasm this trains faster than tf.batchNorm's gradient.
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const mean = tf.mean(x, axes);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), axes);
    ctx.statistics?.set(name, { mean, variance });
    return tf.add(
      tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON))), gamma),
      beta,
    );
  }

  private convBn(layer: WeightLayer, x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return this.batchNorm(layer.batchNorm as string, ctx.executor.run(layer, x), ctx);
  }

  /** Input [batch, H, W, C] (normalized) -> stem features. */
  stem(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.relu(this.convBn(this.layout.stem, x, ctx)) as tf.Tensor4D;
  }

  stage(index: number, x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    let out: tf.Tensor = x;
    for (const block of this.layout.stages[index]) {
      const residual = block.shortcut ? this.convBn(block.shortcut, out, ctx) : out;
      const hidden = tf.relu(this.convBn(block.conv1, out, ctx));
      out = tf.relu(tf.add(this.convBn(block.conv2, hidden, ctx), residual));
    }
    return out as tf.Tensor4D;
  }

  /** Pools a stage's features to the exit's grid and projects them on the CIM. */
  exitSemantic(exitIndex: number, features: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    const exit = this.layout.exits[exitIndex];
    const pooled = tf.avgPool(features, exit.pool.kernel, exit.pool.stride, 'valid');
    const flat = tf.reshape(pooled, [features.shape[0], -1]);
    return this.batchNorm(
      exit.projection.batchNorm as string,
      ctx.executor.run(exit.projection, flat),
      ctx,
    ) as tf.Tensor2D;
  }

  /** Auxiliary classifier of an exit (training only: at inference the TCAM decides). */
  exitLogits(exitIndex: number, semantic: tf.Tensor2D): tf.Tensor2D {
    const name = this.layout.exits[exitIndex].auxClassifier;
    return tf.add(
      tf.matMul(tf.tanh(semantic), this.params.get(`${name}.w`)),
      this.params.get(`${name}.b`),
    );
  }

  /** Global average pooling and the final classifier (on the CIM, bias added digitally). */
  classify(features: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    const pooled = tf.mean(features, [1, 2]) as tf.Tensor2D;
    return tf.add(
      ctx.executor.run(this.layout.head, pooled),
      this.params.get('head.fc.b'),
    ) as tf.Tensor2D;
  }

  /** The static network end to end, with every exit head evaluated (training and reference). */
  forwardAll(
    x: tf.Tensor4D,
    ctx: ForwardContext,
  ): { logits: tf.Tensor2D; exitLogits: tf.Tensor2D[]; semantics: tf.Tensor2D[] } {
    let features = this.stem(x, ctx);
    const semantics: tf.Tensor2D[] = [];
    const exitLogits: tf.Tensor2D[] = [];
    const exitsAfter = new Map(this.spec.exits.map((e, i) => [e.afterStage, i]));
    for (let s = 0; s < this.spec.stages.length; s++) {
      features = this.stage(s, features, ctx);
      const exitIndex = exitsAfter.get(s);
      if (exitIndex !== undefined) {
        const semantic = this.exitSemantic(exitIndex, features, ctx);
        semantics.push(semantic);
        exitLogits.push(this.exitLogits(exitIndex, semantic));
      }
    }
    return { logits: this.classify(features, ctx), exitLogits, semantics };
  }

  dispose(): void {
    this.params.dispose();
  }
}

function addBatchNorm(params: ParameterStore, name: string, channels: number): void {
  params.add(`${name}.gamma`, tf.ones([channels]), true);
  params.add(`${name}.beta`, tf.zeros([channels]), true);
  params.add(`${name}.mean`, tf.zeros([channels]), false);
  params.add(`${name}.var`, tf.ones([channels]), false);
}
