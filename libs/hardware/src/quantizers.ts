/**
 * DAC and ADC transfer functions of the crossbar periphery. Both are uniform mid-tread quantizers
 * (zero is a level) with round-half-to-even, the rounding of tf.round and ONNX Round, so tensor
 * engines reproduce them with div -> clip -> round -> mul:
 *
 *   DAC, signed:   L = 2^(b-1) - 1, step = r / L, code = round(clip(x / step, -L, L)), x_q = code * step
 *   DAC, unsigned: L = 2^b - 1,     step = r / L, code = round(clip(x / step,  0, L)), x_q = code * step
 *   ADC (b bits):  L = 2^(b-1) - 1, step = R / L, code = round(clip(p / step, -L, L)), y = code * step
 *
 * The ADC has 2^b - 1 levels symmetric about zero (step 2R / (2^b - 2)), like aihwkit's
 * resolution 1 / (2^b - 2): one of the 2^b codes is unused so that zero and +-R are both exact.
 */

// Local aliases: global lookups (Math.*) are slow inside vm sandboxes such as jest's.
const { round } = Math;

/** Round half to even (banker's rounding). */
export function roundHalfToEven(value: number): number {
  const rounded = round(value);
  // Math.round sends exact halves up; move odd results of a tie back down to the even neighbour.
  return rounded - value === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/** Largest DAC code: 2^(b-1) - 1 for signed inputs, 2^b - 1 for unsigned. */
export function dacMaxCode(bits: number, signed: boolean): number {
  return signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
}

/** Largest ADC code magnitude: 2^(b-1) - 1 (codes -L..L). */
export function adcMaxCode(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/** DAC-quantized input: clipped to [-range, range] (signed) or [0, range] (unsigned). */
export function quantizeDacInput(
  value: number,
  range: number,
  maxCode: number,
  signed: boolean,
): number {
  const step = range / maxCode;
  const scaled = value / step;
  const low = signed ? -maxCode : 0;
  const clipped = scaled < low ? low : scaled > maxCode ? maxCode : scaled;
  return roundHalfToEven(clipped) * step;
}

/** ADC output for a partial sum: clipped to [-range, range], rounded to the nearest level. */
export function quantizeAdcOutput(partialSum: number, range: number, maxCode: number): number {
  if (range === 0) return 0;
  const step = range / maxCode;
  const scaled = partialSum / step;
  const clipped = scaled < -maxCode ? -maxCode : scaled > maxCode ? maxCode : scaled;
  return roundHalfToEven(clipped) * step;
}
