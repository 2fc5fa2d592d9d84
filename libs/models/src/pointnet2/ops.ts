import * as tf from '@tensorflow/tfjs';

/**
 * Tensor ops of the PointNet++ written for the wasm backend's performance profile (measured on
 * this project's 2-core box, batch 32, SA1 tensors of 16.7M values): reductions over leading axes
 * (tf.mean over [0, 1, 2]: 200 ms) are 30x slower than the same sum as a [1, M] x [M, C] matrix
 * product (6 ms); a broadcasting tf.equal (used by tf.max's gradient) takes 2 s; a transposed
 * BatchMatMul (matMul's gradient) is several times slower than transposing first. The ops below
 * compute the same values with gradients that avoid those paths.
 */

type GradSave = (tensors: tf.Tensor[]) => void;
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/** Sum over the rows of a [M, C] matrix as a matrix product: [C]. */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]));
}

/** a [M, K] x b [K, N]; the gradient transposes explicitly instead of using transposed matmuls. */
export const matMulTransposedGrad = tf.customGrad(((
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  save: GradSave,
) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [sa, sb] = saved as tf.Tensor2D[];
        return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
      }),
  };
}) as unknown as CustomGradFn) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * A 1x1 convolution (or dense layer) as a matrix product over the flattened leading axes:
 * x [..., in] with weights [1, 1, in, out] or [in, out] -> [..., out]. Same values as tf.conv2d.
 */
export function pointwiseMatMul(x: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  const inChannels = x.shape[x.shape.length - 1];
  const out = weights.shape[weights.shape.length - 1];
  const flat = tf.reshape(x, [-1, inChannels]) as tf.Tensor2D;
  const w = tf.reshape(weights, [inChannels, out]) as tf.Tensor2D;
  return tf.reshape(matMulTransposedGrad(flat, w), [...x.shape.slice(0, -1), out]);
}

/**
 * Maximum over one axis; the gradient goes to every element equal to the maximum (as tf.max's
 * does), with the mask computed as 1 + sign(x - max) instead of a broadcasting tf.equal.
 */
export function maxOverAxis(x: tf.Tensor, axis: number): tf.Tensor {
  const op = tf.customGrad(((input: tf.Tensor, save: GradSave) => {
    const kept = tf.max(input, axis, true);
    save([input, kept]);
    return {
      value: tf.squeeze(kept, [axis]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sx, sm] = saved;
          const mask = tf.add(tf.sign(tf.sub(sx, sm)), 1);
          return tf.mul(mask, tf.expandDims(dy, axis));
        }),
    };
  }) as unknown as CustomGradFn) as (input: tf.Tensor) => tf.Tensor;
  return op(x);
}

export interface BatchNormOutput {
  y: tf.Tensor;
  /** Batch statistics [C] (biased variance), kept: the caller disposes them. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Training-mode batch norm over every axis but the last, y = gamma (x - mean) / sqrt(var + eps) +
 * beta, with the statistics' reductions as matrix products and the analytic gradient
 * dx = gamma / sqrt(var + eps) (dy - sum(dy) / M - xhat sum(dy xhat) / M).
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): BatchNormOutput {
  const channels = x.shape[x.shape.length - 1];
  const rows = x.size / channels;
  let statistics: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const op = tf.customGrad(((
    input: tf.Tensor2D,
    g: tf.Tensor1D,
    b: tf.Tensor1D,
    save: GradSave,
  ) => {
    const ones = tf.ones([1, rows]) as tf.Tensor2D;
    const mean = tf.div(tf.matMul(ones, input), rows);
    const centred = tf.sub(input, mean);
    const variance = tf.div(tf.matMul(ones, tf.square(centred)), rows);
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(centred, inv);
    statistics = {
      mean: tf.keep(tf.reshape(mean, [channels])),
      variance: tf.keep(tf.reshape(variance, [channels])),
    };
    save([xhat, inv, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sxhat, sinv, sg] = saved;
          const onesRow = tf.ones([1, rows]) as tf.Tensor2D;
          const dbeta = tf.matMul(onesRow, dy);
          const dgamma = tf.matMul(onesRow, tf.mul(dy, sxhat) as tf.Tensor2D);
          const centredDy = tf.sub(
            tf.sub(dy, tf.div(dbeta, rows)),
            tf.mul(sxhat, tf.div(dgamma, rows)),
          );
          const dx = tf.mul(centredDy, tf.mul(sinv, sg));
          return [dx, tf.reshape(dgamma, [channels]), tf.reshape(dbeta, [channels])];
        }),
    };
  }) as unknown as CustomGradFn) as (
    input: tf.Tensor2D,
    g: tf.Tensor1D,
    b: tf.Tensor1D,
  ) => tf.Tensor2D;
  const y = tf.reshape(
    op(tf.reshape(x, [rows, channels]) as tf.Tensor2D, gamma as tf.Tensor1D, beta as tf.Tensor1D),
    x.shape,
  );
  if (!statistics) throw new Error('batchNormTraining: the forward pass did not run');
  return { y, mean: statistics.mean, variance: statistics.variance };
}
