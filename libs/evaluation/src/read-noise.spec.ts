import { CounterRng } from '@engram/hardware';
import {
  READ_NOISE_BLOCK_SAMPLES,
  READ_NOISE_POOL_SIZE,
  ReadNoiseStream,
  readNoisePool,
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

  it('is a function of the seed, layer, call and tile only', () => {
    const a = new ReadNoiseStream(new CounterRng(5, 'run/read-noise'));
    const b = new ReadNoiseStream(new CounterRng(5, 'run/read-noise'));
    const c = new ReadNoiseStream(new CounterRng(6, 'run/read-noise'));
    const first = Array.from(a.tile('s1.b0.conv1', 3, 1, 100, 0, 10));
    expect(Array.from(b.tile('s1.b0.conv1', 3, 1, 100, 0, 10))).toEqual(first);
    expect(Array.from(c.tile('s1.b0.conv1', 3, 1, 100, 0, 10))).not.toEqual(first);
    expect(Array.from(a.tile('s1.b0.conv1', 4, 1, 100, 0, 10))).not.toEqual(first);
    expect(Array.from(a.tile('s1.b0.conv1', 3, 0, 100, 0, 10))).not.toEqual(first);
  });

  it('gives any range of samples the values of the whole call, across blocks and parts', () => {
    const stream = new ReadNoiseStream(new CounterRng(1, 'x'));
    // 40,000 values per sample: a block spans several 2^20-value parts.
    const perSample = 40_000;
    const batch = 2 * READ_NOISE_BLOCK_SAMPLES + 9;
    const whole = stream.call('layer', 0, 2, perSample, batch);
    for (const [start, count] of [
      [0, batch],
      [5, 70],
      [READ_NOISE_BLOCK_SAMPLES, READ_NOISE_BLOCK_SAMPLES],
      [batch - 3, 3],
    ]) {
      const tile1 = stream.tile('layer', 0, 1, perSample, start, count);
      const expected = whole.subarray(
        (batch + start) * perSample,
        (batch + start + count) * perSample,
      );
      expect(same(tile1, expected)).toBe(true);
    }
    // Distinct windows, not one repeated: the second part of a block differs from the first.
    const block = stream.tile('layer', 0, 0, perSample, 0, READ_NOISE_BLOCK_SAMPLES);
    expect(same(block.subarray(1 << 20, (1 << 20) + 8), block.subarray(0, 8))).toBe(false);
  });
});
