import * as tf from '@tensorflow/tfjs';
import { adcMaxCode, dacMaxCode } from '@engram/hardware';

/**
 * The crossbar periphery as tensor ops, exactly the hardware library's quantizers
 * (div -> clip -> round half to even -> mul; tf.round rounds half to even).
 */
export function dacQuantize(x: tf.Tensor, range: number, bits: number, signed: boolean): tf.Tensor {
  const maxCode = dacMaxCode(bits, signed);
  const step = range / maxCode;
  return tf.mul(tf.round(tf.clipByValue(tf.div(x, step), signed ? -maxCode : 0, maxCode)), step);
}

/** ADC of stacked tile partial sums [..., T, out] with one range per tile ([T, 1]). */
export function adcQuantizePerTile(
  partialSums: tf.Tensor,
  rangePerTile: tf.Tensor,
  bits: number,
): tf.Tensor {
  const maxCode = adcMaxCode(bits);
  const step = tf.div(rangePerTile, maxCode);
  return tf.mul(tf.round(tf.clipByValue(tf.div(partialSums, step), -maxCode, maxCode)), step);
}
