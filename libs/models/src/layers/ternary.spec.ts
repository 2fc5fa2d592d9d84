import * as tf from '@tensorflow/tfjs';
import { initTensorEngine } from '@engram/tensor';
import { injectProgrammingNoise, ternarize, ternarizeSte } from './ternary';

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
});

describe('ternarize', () => {
  it('maps each output channel to {-alpha, 0, +alpha} with the TWN threshold', () => {
    // Column 0: mean|w| = 0.5, delta = 0.35: 0.1 -> 0, others kept, alpha = mean(0.6, 0.8) = 0.7.
    const w = tf.tensor2d([
      [0.1, 2],
      [-0.6, -2],
      [0.8, 0.1],
    ]);
    const q = ternarize(w).arraySync() as number[][];
    expect(q.map((r) => r[0])).toEqual([0, expect.closeTo(-0.7, 6), expect.closeTo(0.7, 6)]);
    // Column 1: mean|w| = 1.3667, delta = 0.9567: alpha = 2.
    expect(q.map((r) => r[1])).toEqual([2, -2, 0]);
  });

  it('passes gradients straight through', () => {
    const w = tf.tensor2d([
      [0.3, -0.2],
      [0.05, 0.9],
    ]);
    const g = tf.grad((x: tf.Tensor) =>
      tf.sum(
        tf.mul(
          ternarizeSte(x),
          tf.tensor2d([
            [1, 2],
            [3, 4],
          ]),
        ),
      ),
    )(w);
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4]);
  });

  it('injects programming noise of std sqrt(2) sigma alpha, reproducibly per seed', () => {
    const w = ternarize(tf.randomNormal([64, 256], 0, 1, 'float32', 1));
    const a = injectProgrammingNoise(w, 0.1, 5);
    const b = injectProgrammingNoise(w, 0.1, 5);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const alpha = tf.max(tf.abs(w), 0).dataSync();
    const diff = tf.sub(a, w).arraySync() as number[][];
    let sum = 0;
    let n = 0;
    for (const row of diff) row.forEach((d, j) => ((sum += (d / alpha[j]) ** 2), n++));
    expect(Math.sqrt(sum / n)).toBeCloseTo(Math.SQRT2 * 0.1, 2);
  });
});
