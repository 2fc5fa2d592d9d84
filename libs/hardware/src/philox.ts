/**
 * Philox4x32-10 block function (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011), in 32-bit integer arithmetic. Verified against the Random123 known-answer vectors.
 */

// Local aliases: global lookups (Math.*) are slow inside vm sandboxes such as jest's.
const { imul } = Math;

const MULTIPLIER_0 = 0xd2511f53;
const MULTIPLIER_1 = 0xcd9e8d57;
const KEY_BUMP_0 = 0x9e3779b9;
const KEY_BUMP_1 = 0xbb67ae85;
const ROUNDS = 10;

/** High 32 bits of the 64-bit product of two unsigned 32-bit integers. */
function mulHigh32(a: number, b: number): number {
  // Split into 16-bit halves: every partial product stays below 2^32, so doubles hold it exactly.
  const aLow = a & 0xffff;
  const aHigh = a >>> 16;
  const bLow = b & 0xffff;
  const bHigh = b >>> 16;
  const lowLow = aLow * bLow;
  const highLow = aHigh * bLow;
  const lowHigh = aLow * bHigh;
  const carry = ((lowLow >>> 16) + (highLow & 0xffff) + (lowHigh & 0xffff)) >>> 16;
  return (aHigh * bHigh + (highLow >>> 16) + (lowHigh >>> 16) + carry) >>> 0;
}

/**
 * Encrypts the 128-bit counter (c0..c3) under the 64-bit key (k0, k1) and writes the four output
 * words to `out[0..3]`.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      key0 = (key0 + KEY_BUMP_0) >>> 0;
      key1 = (key1 + KEY_BUMP_1) >>> 0;
    }
    const high0 = mulHigh32(MULTIPLIER_0, x0);
    const low0 = imul(MULTIPLIER_0, x0) >>> 0;
    const high1 = mulHigh32(MULTIPLIER_1, x2);
    const low1 = imul(MULTIPLIER_1, x2) >>> 0;
    x0 = (high1 ^ x1 ^ key0) >>> 0;
    x1 = low1;
    x2 = (high0 ^ x3 ^ key1) >>> 0;
    x3 = low0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}
