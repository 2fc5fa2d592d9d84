import { PredictionCache } from './evaluation-model';

describe('PredictionCache', () => {
  it('computes once per key and serves prefixes of the longest list', () => {
    const cache = new PredictionCache();
    let calls = 0;
    const compute = (n: number) => () => {
      calls++;
      return Uint16Array.from({ length: n }, (_, i) => i % 7);
    };
    expect(Array.from(cache.get('test/float', 10, compute(10)))).toEqual(
      Array.from({ length: 10 }, (_, i) => i % 7),
    );
    expect(Array.from(cache.get('test/float', 4, compute(4)))).toEqual([0, 1, 2, 3]);
    expect(calls).toBe(1);
    cache.get('test/float', 12, compute(12));
    cache.get('test/ternary', 4, compute(4));
    expect(calls).toBe(3);
  });

  it('hands out copies, so a caller cannot corrupt the cache', () => {
    const cache = new PredictionCache();
    const first = cache.get('k', 3, () => Uint16Array.from([1, 2, 3]));
    first[0] = 9;
    expect(Array.from(cache.get('k', 3, () => new Uint16Array(3)))).toEqual([1, 2, 3]);
  });
});
