import * as tf from '@tensorflow/tfjs';

/**
 * T^2 x the mean over the batch of KL(softmax(teacher / T) || softmax(student / T)): the
 * distillation term (its gradient is the soft cross-entropy's; the KL reads as 0 when they agree).
 */
export function distillationLoss(teacher: tf.Tensor2D, student: tf.Tensor2D, temperature: number): tf.Tensor {
  const teacherLog = tf.logSoftmax(tf.div(teacher, temperature));
  const studentLog = tf.logSoftmax(tf.div(student, temperature));
  const perSample = tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, studentLog)), 1);
  return tf.mul(tf.mean(perSample), temperature * temperature);
}
