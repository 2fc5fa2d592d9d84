import * as tf from '@tensorflow/tfjs';
import { distillationLoss } from './distillation';

describe('distillationLoss', () => {
  it('is zero when the student matches the teacher', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0, -1, 4],
    ]);
    expect(distillationLoss(logits, logits, 4).dataSync()[0]).toBeCloseTo(0, 6);
  });

  it('is T^2 x the batch mean of KL(teacher || student) at temperature T', () => {
    // T = 2: teacher logits [0, 2 ln 3] -> softmax([0, ln 3]) = [1/4, 3/4];
    // student logits [0, 0] -> [1/2, 1/2]. KL = 1/4 ln(1/2) + 3/4 ln(3/2) = 0.130812.
    const teacher = tf.tensor2d([[0, 2 * Math.log(3)]]);
    const student = tf.tensor2d([[0, 0]]);
    const kl = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
    expect(distillationLoss(teacher, student, 2).dataSync()[0]).toBeCloseTo(4 * kl, 5);
  });
});
