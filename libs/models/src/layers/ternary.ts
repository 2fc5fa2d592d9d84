import * as tf from '@tensorflow/tfjs';

/** Ternary threshold rule of Ternary Weight Networks (Li & Liu, 2016): delta = 0.7 x mean|w|. */
export const TERNARY_THRESHOLD_FACTOR = 0.7;

/**
 * Ternarizes per output channel (the last axis): codes in {-1, 0, +1} times a per-channel scale
 * alpha = mean |w| over the weights above the threshold. Same rule as the hardware library.
 */
export function ternarize(w: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const reduceAxes = w.shape.slice(0, -1).map((_, i) => i);
    const absW = tf.abs(w);
    const delta = tf.mul(tf.mean(absW, reduceAxes, true), TERNARY_THRESHOLD_FACTOR);
    const mask = tf.cast(tf.greater(absW, delta), 'float32');
    const kept = tf.sum(mask, reduceAxes, true);
    const alpha = tf.div(tf.sum(tf.mul(absW, mask), reduceAxes, true), tf.maximum(kept, 1));
    return tf.mul(tf.mul(tf.sign(w), mask), alpha);
  });
}

/** Ternarization with a straight-through gradient: forward ternary, backward identity. */
export const ternarizeSte = tf.customGrad(((w: tf.Tensor) => ({
  value: ternarize(w),
  gradFunc: (dy: tf.Tensor) => dy,
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (w: tf.Tensor) => tf.Tensor;

/**
 * Programming-noise injection for hardware-aware training. A differential pair realizes
 * w = (G+ - G-) / (G_LRS - G_HRS) x alpha; independent Gaussian noise of relative std sigma on
 * each cell gives the effective weight a std of sqrt(2) x sigma x alpha. alpha is taken per
 * output channel from the ternary weights (their largest magnitude). The noise is a constant of
 * the step, so the gradient passes straight through.
 */
export function injectProgrammingNoise(
  wTernary: tf.Tensor,
  relativeSigma: number,
  seed: number,
): tf.Tensor {
  if (relativeSigma <= 0) return wTernary;
  const noise = tf.randomNormal(wTernary.shape, 0, Math.SQRT2 * relativeSigma, 'float32', seed);
  return addScaledNoiseSte(wTernary, noise);
}

const addScaledNoiseSte = tf.customGrad(((w: tf.Tensor, noise: tf.Tensor) => {
  const value = tf.tidy(() => {
    const reduceAxes = w.shape.slice(0, -1).map((_, i) => i);
    const alpha = tf.max(tf.abs(w), reduceAxes, true);
    return tf.add(w, tf.mul(noise, alpha));
  });
  return { value, gradFunc: (dy: tf.Tensor) => [dy, tf.zerosLike(noise)] };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (
  w: tf.Tensor,
  noise: tf.Tensor,
) => tf.Tensor;
