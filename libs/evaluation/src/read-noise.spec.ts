import { CounterRng } from '@engram/hardware';
import {
  READ_NOISE_BLOCK_SAMPLES,
  READ_NOISE_POOL_SIZE,
  ReadNoiseStream,
  readNoisePool,
  sampleRange,
} from './read-noise';

/** Element-wise equality without jest's deep equality (slow on millions of values). */
function same(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('read-noise pool and streams', () => {
  it('holds standard normals', () => {
    const pool = readNoisePool().subarray(0, READ_NOISE_POOL_SIZE);
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < pool.length; i += 7) {
      sum += pool[i];
      squares += pool[i] * pool[i];
    }
    const n = Math.ceil(pool.length / 7);
    expect(Math.abs(sum / n)).toBeLessThan(0.005);
    expect(Math.abs(squares / n - 1)).toBeLessThan(0.005);
  });

  it('is a function of the seed, layer, call, tile and sample only', () => {
    const a = new ReadNoiseStream(new CounterRng(5, 'run/read-noise'));
    const b = new ReadNoiseStream(new CounterRng(5, 'run/read-noise'));
    const c = new ReadNoiseStream(new CounterRng(6, 'run/read-noise'));
    const ids = sampleRange(0, 10);
    const first = Array.from(a.samples('s1.b0.conv1', 3, 1, 100, ids));
    expect(Array.from(b.samples('s1.b0.conv1', 3, 1, 100, ids))).toEqual(first);
    expect(Array.from(c.samples('s1.b0.conv1', 3, 1, 100, ids))).not.toEqual(first);
    expect(Array.from(a.samples('s1.b0.conv1', 4, 1, 100, ids))).not.toEqual(first);
    expect(Array.from(a.samples('s1.b0.conv1', 3, 0, 100, ids))).not.toEqual(first);
    expect(Array.from(a.samples('s1.b0.conv1', 3, 1, 100, sampleRange(1, 10)))).not.toEqual(first);
  });

  it('gives a sample the same values whatever other samples it is read with', () => {
    const stream = new ReadNoiseStream(new CounterRng(1, 'x'));
    // 40,000 values per sample: a block spans several 2^20-value parts.
    const perSample = 40_000;
    const batch = 2 * READ_NOISE_BLOCK_SAMPLES + 9;
    const whole = stream.call('layer', 0, 2, perSample, sampleRange(0, batch));
    const tile1 = (sample: number) =>
      whole.subarray((batch + sample) * perSample, (batch + sample + 1) * perSample);
    for (const ids of [
      sampleRange(0, batch),
      sampleRange(5, 70),
      sampleRange(READ_NOISE_BLOCK_SAMPLES, READ_NOISE_BLOCK_SAMPLES),
      sampleRange(batch - 3, 3),
      // What is left of a batch after an exit: gaps, runs across block edges, single samples.
      Int32Array.from([1, 2, 3, 17, 63, 64, 65, 100, batch - 1]),
      Int32Array.from([70]),
    ]) {
      const values = stream.samples('layer', 0, 1, perSample, ids);
      ids.forEach((sample, i) => {
        expect(same(values.subarray(i * perSample, (i + 1) * perSample), tile1(sample))).toBe(true);
      });
    }
    // A later batch of the pass reads its own samples' noise, not the first batch's again.
    const later = stream.samples('layer', 0, 1, perSample, sampleRange(batch, 2));
    expect(same(later.subarray(0, perSample), tile1(0))).toBe(false);
    // Distinct windows, not one repeated: the second part of a block differs from the first.
    const block = stream.samples(
      'layer',
      0,
      0,
      perSample,
      sampleRange(0, READ_NOISE_BLOCK_SAMPLES),
    );
    expect(same(block.subarray(1 << 20, (1 << 20) + 8), block.subarray(0, 8))).toBe(false);
  });
});
