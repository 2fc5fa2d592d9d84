import { philox4x32 } from './philox';

// Fixed key that separates label hashing from number generation (digits of e, hex).
const HASH_KEY_0 = 0xb7e15162;
const HASH_KEY_1 = 0x8aed2a6a;
const LENGTH_MARKER = 0xffffffff;

/**
 * Hashes a label into a 64-bit stream identifier, chained from a parent stream identifier.
 * Each pair of UTF-16 code units is absorbed by one Philox block, so labels that differ anywhere
 * (including in length) give unrelated identifiers. Writes the two words to `out[0..1]`.
 */
export function deriveStreamWords(
  parentWord0: number,
  parentWord1: number,
  label: string,
  out: Uint32Array,
): void {
  const block = new Uint32Array(4);
  let word0 = parentWord0 >>> 0;
  let word1 = parentWord1 >>> 0;
  for (let index = 0; index < label.length; index += 2) {
    const low = label.charCodeAt(index);
    const high = index + 1 < label.length ? label.charCodeAt(index + 1) : 0;
    philox4x32(word0, word1, (low | (high << 16)) >>> 0, index, HASH_KEY_0, HASH_KEY_1, block);
    word0 = block[0];
    word1 = block[1];
  }
  philox4x32(word0, word1, label.length, LENGTH_MARKER, HASH_KEY_0, HASH_KEY_1, block);
  out[0] = block[0];
  out[1] = block[1];
}
