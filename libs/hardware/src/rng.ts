import { philox4x32 } from './philox';
import { deriveStreamWords } from './stream-key';

// Local aliases: global lookups (Math.*) are slow inside vm sandboxes such as jest's.
const { sqrt, log, cos, sin } = Math;

const TWO_POW_32 = 4294967296;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const TWO_PI = 2 * Math.PI;

/**
 * Counter-based random number generator: Philox4x32-10 keyed by the seed, with a 128-bit counter
 * made of a 64-bit block index and a 64-bit stream identifier hashed from the stream key.
 *
 * Every draw is a pure function of (seed, stream key, position), so a run with the same
 * configuration reproduces bit for bit, and `derive(label)` gives a substream that depends only on
 * (seed, parent stream, label) — never on how many numbers other streams have consumed. Give each
 * layer, array and purpose its own derived stream (`runRng.derive('layer1/programming')`).
 */
export class CounterRng {
  readonly seed: number;
  private readonly keyLow: number;
  private readonly keyHigh: number;
  // Written once, by the constructor or by derive() on a fresh instance.
  private streamWord0: number;
  private streamWord1: number;
  private blockLow = 0;
  private blockHigh = 0;
  private readonly block = new Uint32Array(4);
  private wordIndex = 4;
  private cachedNormal = 0;
  private hasCachedNormal = false;

  /**
   * @param seed a safe integer (negative allowed); it is the Philox key.
   * @param streamKey names the stream; different keys give independent streams.
   */
  constructor(seed: number, streamKey = '') {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`CounterRng: seed must be a safe integer, got ${seed}`);
    }
    const words = new Uint32Array(2);
    deriveStreamWords(0, 0, streamKey, words);
    this.seed = seed;
    this.keyLow = seed >>> 0;
    this.keyHigh = Math.floor(seed / TWO_POW_32) >>> 0;
    this.streamWord0 = words[0];
    this.streamWord1 = words[1];
  }

  /** An independent substream identified by (seed, this stream, label). */
  derive(label: string): CounterRng {
    const child = new CounterRng(this.seed);
    const words = new Uint32Array(2);
    deriveStreamWords(this.streamWord0, this.streamWord1, label, words);
    child.streamWord0 = words[0];
    child.streamWord1 = words[1];
    return child;
  }

  /** Next raw 32-bit word of the stream. */
  nextUint32(): number {
    if (this.wordIndex === 4) {
      this.refill();
    }
    return this.block[this.wordIndex++];
  }

  /** Uniform double in [0, 1) with 53 random bits (two words). */
  uniform(): number {
    const high27 = this.nextUint32() >>> 5;
    const low26 = this.nextUint32() >>> 6;
    return (high27 * TWO_POW_26 + low26) / TWO_POW_53;
  }

  /** Standard normal by Box-Muller; the second value of each pair is cached for the next call. */
  normal(): number {
    if (this.hasCachedNormal) {
      this.hasCachedNormal = false;
      return this.cachedNormal;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const radius = sqrt(-2 * log(1 - this.uniform()));
    const angle = TWO_PI * this.uniform();
    this.cachedNormal = radius * sin(angle);
    this.hasCachedNormal = true;
    return radius * cos(angle);
  }

  /** Fills `out` with uniforms in [min, max); identical to calling uniform() per element. */
  fillUniform(out: Float32Array | Float64Array, min = 0, max = 1): void {
    const span = max - min;
    for (let index = 0; index < out.length; index++) {
      out[index] = min + span * this.uniform();
    }
  }

  /** Fills `out` with N(mean, std^2) draws; identical to calling normal() per element. */
  fillNormal(out: Float32Array | Float64Array, mean = 0, std = 1): void {
    let index = 0;
    const length = out.length;
    if (length > 0 && this.hasCachedNormal) {
      out[index++] = mean + std * this.normal();
    }
    const block = this.block;
    while (index + 1 < length) {
      let first: number;
      let second: number;
      if (this.wordIndex === 4) {
        // Fast path: a whole fresh block is exactly the two uniforms of one pair.
        this.refill();
        first = ((block[0] >>> 5) * TWO_POW_26 + (block[1] >>> 6)) / TWO_POW_53;
        second = ((block[2] >>> 5) * TWO_POW_26 + (block[3] >>> 6)) / TWO_POW_53;
        this.wordIndex = 4;
      } else {
        first = this.uniform();
        second = this.uniform();
      }
      const radius = sqrt(-2 * log(1 - first));
      const angle = TWO_PI * second;
      out[index++] = mean + std * radius * cos(angle);
      out[index++] = mean + std * radius * sin(angle);
    }
    if (index < length) {
      out[index] = mean + std * this.normal();
    }
  }

  private refill(): void {
    philox4x32(
      this.blockLow,
      this.blockHigh,
      this.streamWord0,
      this.streamWord1,
      this.keyLow,
      this.keyHigh,
      this.block,
    );
    this.blockLow = (this.blockLow + 1) >>> 0;
    if (this.blockLow === 0) {
      this.blockHigh = (this.blockHigh + 1) >>> 0;
    }
    this.wordIndex = 0;
  }
}
