import { CounterRng } from '@engram/hardware';

/**
 * Standard normals of the crossbar read noise, shared by every inference engine.
 *
 * A run reads about 250,000 partial sums per MNIST image (every row tile of every column at every
 * output position), so drawing each N(0, 1) with the run's counter-based generator (about 20 M
 * draws/s in JavaScript) would cost more than the inference itself. Instead every process holds
 * one pool of 2^23 standard normals drawn once from a fixed stream, and the noise of a layer call
 * is read from it in windows: one window per (row tile, block of READ_NOISE_BLOCK_SAMPLES
 * consecutive sample indices of the pass), read in parts of 2^20 values, each part starting at an
 * offset drawn from the run's read-noise stream keyed by (layer, call of that layer for the
 * sample, tile, block, part). Consequences:
 *
 * - a run is reproducible from its seed in any process, and every engine reads exactly the same
 *   noise for the same layer call, so engines agree sample by sample even with read noise on;
 * - every read's noise is an exact N(0, 1) draw and the reads of one part are independent
 *   (distinct pool entries); reads of different parts may reuse a pool entry (a given pair of
 *   reads shares one with probability 2^-23), a negligible dependence for accuracy statistics;
 * - the realization depends on the sample, never on the batch: a sample sees the same noise in a
 *   static pass and in a dynamic pass whose batches shrink at every exit, which is what lets a
 *   run's dynamic outcome be derived exactly from one static pass (chip-runs.ts).
 *
 * Within a window the values follow the layer's output for those samples in the ONNX engine's
 * order: conv [sample][out][y][x], dense [sample][...][out].
 */
export const READ_NOISE_POOL_SIZE = 1 << 23;
/** Samples per noise window: a chunk of this many samples reads its noise without a copy. */
export const READ_NOISE_BLOCK_SAMPLES = 64;
/** Windows are read in parts of this many values, each at its own pool offset. */
const WINDOW_PART = 1 << 20;
const POOL_SEED = 0x5eed;

let sharedPool: Float32Array | undefined;

/**
 * The process's pool: READ_NOISE_POOL_SIZE normals, then the first WINDOW_PART repeated so that
 * a part starting anywhere in the pool is contiguous.
 */
export function readNoisePool(): Float32Array {
  if (!sharedPool) {
    const pool = new Float32Array(READ_NOISE_POOL_SIZE + WINDOW_PART);
    new CounterRng(POOL_SEED, 'engram/read-noise-pool').fillNormal(
      pool.subarray(0, READ_NOISE_POOL_SIZE),
    );
    pool.copyWithin(READ_NOISE_POOL_SIZE, 0, WINDOW_PART);
    sharedPool = pool;
  }
  return sharedPool;
}

/** The read-noise draws of one run (one programmed chip). */
export class ReadNoiseStream {
  private readonly pool = readNoisePool();

  /** @param rng the run's read-noise stream (runRng.derive('read-noise')). */
  constructor(private readonly rng: CounterRng) {}

  /**
   * Samples from `sample` to the end of its block (1 to READ_NOISE_BLOCK_SAMPLES): consecutive
   * samples that stay inside one block read their noise without a copy.
   */
  samplesToBlockEnd(sample: number): number {
    return READ_NOISE_BLOCK_SAMPLES - (sample % READ_NOISE_BLOCK_SAMPLES);
  }

  /** Pool offset of part `part` of the window keyed by `key`. */
  private partOffset(key: string, part: number): number {
    // The top 23 bits of one word: a uniform offset in [0, 2^23).
    return this.rng.derive(part === 0 ? key : `${key}#${part}`).nextUint32() >>> 9;
  }

  /**
   * Values [skip, skip + length) of the window keyed by `key`: a sequence of parts of
   * WINDOW_PART values, each at its own offset in the pool (so no window repeats itself). Without
   * a copy when the range lies in one part.
   */
  private window(key: string, skip: number, length: number): Float32Array {
    const first = Math.floor(skip / WINDOW_PART);
    const last = Math.floor((skip + length - 1) / WINDOW_PART);
    if (first === last) {
      const offset = this.partOffset(key, first) + skip - first * WINDOW_PART;
      return this.pool.subarray(offset, offset + length);
    }
    const out = new Float32Array(length);
    for (let part = first; part <= last; part++) {
      const from = Math.max(skip, part * WINDOW_PART);
      const to = Math.min(skip + length, (part + 1) * WINDOW_PART);
      const offset = this.partOffset(key, part) + from - part * WINDOW_PART;
      out.set(this.pool.subarray(offset, offset + to - from), from - skip);
    }
    return out;
  }

  /**
   * Standard normals of row tile `tile` for the samples `ids` (global sample indices of the pass)
   * at call `call` of `layer` for those samples, `perSample` values per sample (the tile's partial
   * sums of one sample), [ids.length][perSample]. Keyed by sample, never by batch position: a
   * sample reads the same noise in a static pass and in a dynamic pass whose batch shrank at an
   * exit. Without a copy when the ids are consecutive within one block.
   */
  samples(
    layer: string,
    call: number,
    tile: number,
    perSample: number,
    ids: ArrayLike<number>,
  ): Float32Array {
    const count = ids.length;
    if (count === 0) return new Float32Array(0);
    const block = READ_NOISE_BLOCK_SAMPLES;
    const key = (b: number) => `${layer}/${call}/${tile}/${b}`;
    const first = ids[0];
    const firstBlock = Math.floor(first / block);
    if (
      ids[count - 1] === first + count - 1 &&
      Math.floor((first + count - 1) / block) === firstBlock &&
      consecutive(ids)
    ) {
      return this.window(
        key(firstBlock),
        (first - firstBlock * block) * perSample,
        count * perSample,
      );
    }
    const out = new Float32Array(count * perSample);
    for (let i = 0; i < count;) {
      // The longest run of consecutive ids from i within one block: one window read.
      const b = Math.floor(ids[i] / block);
      let j = i + 1;
      while (j < count && ids[j] === ids[j - 1] + 1 && Math.floor(ids[j] / block) === b) j++;
      out.set(
        this.window(key(b), (ids[i] - b * block) * perSample, (j - i) * perSample),
        i * perSample,
      );
      i = j;
    }
    return out;
  }

  /** Every tile's normals for the samples `ids` of a call, tile-major: [tiles][ids][perSample]. */
  call(
    layer: string,
    call: number,
    tiles: number,
    perSample: number,
    ids: ArrayLike<number>,
  ): Float32Array {
    const out = new Float32Array(tiles * ids.length * perSample);
    for (let t = 0; t < tiles; t++) {
      out.set(this.samples(layer, call, t, perSample, ids), t * ids.length * perSample);
    }
    return out;
  }
}

function consecutive(ids: ArrayLike<number>): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[i - 1] + 1) return false;
  return true;
}

/** The ids [first, first + count): the samples of a batch as the pass loads it. */
export function sampleRange(first: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => first + i);
}
