import * as tf from '@tensorflow/tfjs';

/**
 * Tensor ops of the PointNet++ written for the wasm backend's performance profile (measured on
 * this project's 2-core box at SA1 sizes, 131,072-262,144 rows of 32-64 channels): reductions over
 * leading axes (tf.mean over [0, 1, 2], or a ones-vector matMul, whose large operand XNNPACK
 * repacks every call) cost ~100 ms where a global average pooling of the same values costs ~3 ms;
 * tf.max's gradient uses a broadcasting tf.equal (2 s on 16.7M values); tf.sign is 25x slower than
 * tf.step; a transposed BatchMatMul (matMul's default gradient) is slower than transposing first;
 * and customGrad gradients not wrapped in tf.tidy keep their intermediates until the end of
 * backprop. The ops below compute the same values with gradients that avoid those paths.
 */

type GradSave = (tensors: tf.Tensor[]) => void;
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

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
 * Maximum over the second-to-last axis ([..., S, C] -> [..., C]: the neighbours of a group, or
 * the points of a cloud), as a max pooling (5x faster than tf.max over a middle axis on wasm).
 * The gradient goes to every element equal to the maximum, as tf.max's does, with the mask
 * 1 - step(max - x) instead of tf.max's broadcasting tf.equal (2 s on 16.7M values).
 */
export function maxOverNeighbours(x: tf.Tensor): tf.Tensor {
  const [s, c] = x.shape.slice(-2);
  const lead = x.shape.slice(0, -2);
  const rows = lead.reduce((a, b) => a * b, 1);
  const op = tf.customGrad(((input: tf.Tensor3D, save: GradSave) => {
    const pooled = tf.maxPool(
      tf.reshape(input, [rows, s, 1, c]) as tf.Tensor4D,
      [s, 1],
      [s, 1],
      'valid',
    );
    const kept = tf.reshape(pooled, [rows, 1, c]);
    save([input, kept]);
    return {
      value: tf.reshape(kept, [rows, c]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sx, sm] = saved;
          const below = tf.step(tf.sub(sm, sx));
          const grad = tf.expandDims(dy, 1);
          return tf.sub(grad, tf.mul(below, grad));
        }),
    };
  }) as unknown as CustomGradFn) as (input: tf.Tensor3D) => tf.Tensor2D;
  return tf.reshape(op(tf.reshape(x, [rows, s, c]) as tf.Tensor3D), [...lead, c]);
}

/** Mean over the second-to-last axis ([..., S, C] -> [..., C]) as an average pooling. */
export function meanOverNeighbours(x: tf.Tensor): tf.Tensor {
  const [s, c] = x.shape.slice(-2);
  const lead = x.shape.slice(0, -2);
  const rows = lead.reduce((a, b) => a * b, 1);
  const pooled = tf.avgPool(tf.reshape(x, [rows, s, 1, c]) as tf.Tensor4D, [s, 1], [s, 1], 'valid');
  return tf.reshape(pooled, [...lead, c]);
}

export interface BatchNormOutput {
  y: tf.Tensor;
  /** Batch statistics [C] (biased variance), kept: the caller disposes them. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** The largest divisor of m that is at most `limit`. */
function divisorAtMost(m: number, limit: number): number {
  for (let w = Math.min(m, limit); w > 1; w--) if (m % w === 0) return w;
  return 1;
}

/**
 * Means of the columns of x [M, C] as [1, C], by one global average pooling over x viewed as a
 * [1, M / W, W, C] map: on wasm (XNNPACK) this reads x once, where tf.mean(x, 0) transposes it and
 * a ones-vector matMul repacks x as a weight matrix (30x slower on 262,144 x 64 values).
 */
export function columnMeans(x: tf.Tensor2D): tf.Tensor2D {
  const [rows, channels] = x.shape;
  const width = divisorAtMost(rows, 1024);
  const height = rows / width;
  const map = tf.reshape(x, [1, height, width, channels]) as tf.Tensor4D;
  return tf.reshape(tf.avgPool(map, [height, width], 1, 'valid'), [1, channels]);
}

/**
 * Training-mode batch norm over every axis but the last, y = gamma (x - mean) / sqrt(var + eps) +
 * beta, optionally followed by ReLU, as one op: the statistics are global average poolings
 * (columnMeans) and the gradient is the analytic one, with dz = dy (masked by ReLU):
 * dx = gamma / sqrt(var + eps) (dz - mean(dz) - xhat mean(dz xhat)).
 * Keeps two full-size tensors for the backward pass (xhat and the output).
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  relu = false,
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
    const mean = columnMeans(input);
    const centred = tf.sub(input, mean);
    const variance = columnMeans(tf.square(centred) as tf.Tensor2D);
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(centred, inv);
    statistics = {
      mean: tf.keep(tf.reshape(mean, [channels])),
      variance: tf.keep(tf.reshape(variance, [channels])),
    };
    const affine = tf.add(tf.mul(xhat, g), b);
    const value = relu ? tf.relu(affine) : affine;
    save([xhat, value, inv, g]);
    return {
      value,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sxhat, sy, sinv, sg] = saved;
          // ReLU's gradient mask: step(y) (tf.sign is 25x slower on wasm).
          const dz = (relu ? tf.mul(dy, tf.step(sy)) : dy) as tf.Tensor2D;
          const meanDz = columnMeans(dz);
          const meanDzXhat = columnMeans(tf.mul(dz, sxhat) as tf.Tensor2D);
          const dx = tf.mul(
            tf.sub(tf.sub(dz, meanDz), tf.mul(sxhat, meanDzXhat)),
            tf.mul(sinv, sg),
          );
          return [
            dx,
            tf.reshape(tf.mul(meanDzXhat, rows), [channels]),
            tf.reshape(tf.mul(meanDz, rows), [channels]),
          ];
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
