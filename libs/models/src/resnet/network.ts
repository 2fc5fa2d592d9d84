import * as tf from '@tensorflow/tfjs';
import { ParameterStore } from '../layers/parameters';
import {
  BATCH_NORM_EPSILON,
  ExitNetwork,
  ForwardContext,
  initialParameters,
} from '../layers/exit-network';
import { ResNetLayout, ResNetSpec, WeightLayer, resnetLayout } from './architecture';

// Shared with the PointNet++; public under this module's name since the ResNet came first.
export { weightName } from '../layers/exit-network';
export type { ForwardContext } from '../layers/exit-network';

const HEAD_BIAS = 'head.fc.b';

/**
 * The semantic-memory ResNet, split into the pieces that dynamic inference runs one at a time:
 * stem, stages, exit heads (pooling + CIM projection + batch norm) and the classifier.
 */
export class ResNetNetwork extends ExitNetwork<ResNetSpec, ResNetLayout, tf.Tensor4D> {
  readonly kind = 'resnet';

  constructor(spec: ResNetSpec, params: ParameterStore) {
    super(spec, params, resnetLayout(spec));
  }

  get stageCount(): number {
    return this.spec.stages.length;
  }

  begin(input: tf.Tensor, ctx: ForwardContext): tf.Tensor4D {
    return this.stem(input as tf.Tensor4D, ctx);
  }

  select(state: tf.Tensor4D, positions: tf.Tensor1D): tf.Tensor4D {
    return tf.gather(state, positions);
  }

  static create(spec: ResNetSpec, seed: number): ResNetNetwork {
    return new ResNetNetwork(
      spec,
      initialParameters(resnetLayout(spec), spec.numClasses, HEAD_BIAS, seed),
    );
  }

  private batchNorm(name: string, x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    if (ctx.batchNorm === 'running') return this.runningBatchNorm(name, x);
    const gamma = this.params.get(`${name}.gamma`);
    const beta = this.params.get(`${name}.beta`);
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

  /** Global average pooling and the final classifier (on the CIM, bias added digitally). */
  classify(features: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
    const pooled = tf.mean(features, [1, 2]) as tf.Tensor2D;
    return tf.add(
      ctx.executor.run(this.layout.head, pooled),
      this.params.get(HEAD_BIAS),
    ) as tf.Tensor2D;
  }
}
