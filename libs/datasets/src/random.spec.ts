import { deriveSeed, SeededRandom } from './random';

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs for another seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 100 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('draws uniform floats in [0, 1) and unbiased integers', () => {
    const random = new SeededRandom(7);
    const bins = new Array(10).fill(0);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = random.nextFloat();
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
      bins[random.nextInt(10)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('draws standard normals', () => {
    const random = new SeededRandom(3);
    const n = 100_000;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const x = random.nextGaussian();
      sum += x;
      sumSquares += x * x;
    }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSquares / n).toBeCloseTo(1, 1);
  });

  it('makes permutations of 0..n-1', () => {
    const order = new SeededRandom(5).permutation(1000);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
    expect(Array.from(order)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('rejects non-integer seeds and bad ranges', () => {
    expect(() => new SeededRandom(1.5)).toThrow(/integer/);
    expect(() => new SeededRandom(1).nextInt(0)).toThrow(RangeError);
  });
});

describe('deriveSeed', () => {
  it('depends on both the seed and the key', () => {
    expect(deriveSeed(1, 'chair/test/a.pcd')).toBe(deriveSeed(1, 'chair/test/a.pcd'));
    expect(deriveSeed(1, 'chair/test/a.pcd')).not.toBe(deriveSeed(2, 'chair/test/a.pcd'));
    expect(deriveSeed(1, 'chair/test/a.pcd')).not.toBe(deriveSeed(1, 'chair/test/b.pcd'));
  });
});
