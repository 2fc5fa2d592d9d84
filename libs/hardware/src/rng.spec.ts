import { philox4x32 } from './philox';
import { CounterRng } from './rng';
import { extent, sampleMean, sampleStd, stdRelativeTolerance } from './testing/statistics';

const SAMPLES = 200_000;

function draws(rng: CounterRng, count: number): Float64Array {
  const values = new Float64Array(count);
  for (let index = 0; index < count; index++) values[index] = rng.uniform();
  return values;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const meanA = sampleMean(a);
  const meanB = sampleMean(b);
  let covariance = 0;
  for (let index = 0; index < a.length; index++) {
    covariance += (a[index] - meanA) * (b[index] - meanB);
  }
  return covariance / (a.length - 1) / (sampleStd(a) * sampleStd(b));
}

describe('philox4x32', () => {
  // Random123 kat_vectors: counter (4 words), key (2 words) -> output (4 words).
  it.each([
    [
      [0, 0, 0, 0],
      [0, 0],
      [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
    ],
    [
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
    ],
    [
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    ],
  ])('matches the Random123 known answer for counter %j key %j', (counter, key, expected) => {
    const out = new Uint32Array(4);
    philox4x32(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
    expect(Array.from(out)).toEqual(expected);
  });
});

describe('CounterRng', () => {
  it('reproduces a stream bit for bit from the same seed and stream key', () => {
    const first = draws(new CounterRng(42, 'layer'), 1000);
    const second = draws(new CounterRng(42, 'layer'), 1000);
    expect(Buffer.from(first.buffer).equals(Buffer.from(second.buffer))).toBe(true);
  });

  it('gives different streams for different seeds and stream keys', () => {
    const reference = draws(new CounterRng(42, 'layer'), 100);
    const otherSeed = draws(new CounterRng(43, 'layer'), 100);
    const otherKey = draws(new CounterRng(42, 'layer2'), 100);
    const highSeed = draws(new CounterRng(42 + 2 ** 32, 'layer'), 100);
    for (const other of [otherSeed, otherKey, highSeed]) {
      const equal = reference.filter((value, index) => value === other[index]).length;
      expect(equal).toBe(0);
    }
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => new CounterRng(1.5)).toThrow(/safe integer/);
    expect(() => new CounterRng(Number.NaN)).toThrow(/safe integer/);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12 within sampling error', () => {
    const values = draws(new CounterRng(7), SAMPLES);
    expect(extent(values).min).toBeGreaterThanOrEqual(0);
    expect(extent(values).max).toBeLessThan(1);
    expect(Math.abs(sampleMean(values) - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / SAMPLES));
    // Var(s^2) of a uniform = (mu4 - sigma^4) / n with mu4 = 1/80.
    const varianceTolerance = 5 * Math.sqrt((1 / 80 - 1 / 144) / SAMPLES);
    expect(Math.abs(sampleStd(values) ** 2 - 1 / 12)).toBeLessThan(varianceTolerance);
  });

  it('draws standard normals with mean 0, std 1 and kurtosis 3 within sampling error', () => {
    const values = new Float64Array(SAMPLES);
    new CounterRng(11, 'normals').fillNormal(values);
    expect(Math.abs(sampleMean(values))).toBeLessThan(5 / Math.sqrt(SAMPLES));
    expect(Math.abs(sampleStd(values) - 1)).toBeLessThan(stdRelativeTolerance(SAMPLES));
    let fourthMoment = 0;
    for (const value of values) fourthMoment += value ** 4;
    // E[z^8] = 105, so the mean of z^4 has sd sqrt((105 - 9) / n).
    expect(Math.abs(fourthMoment / SAMPLES - 3)).toBeLessThan(5 * Math.sqrt(96 / SAMPLES));
  });

  it('scales fillNormal and fillUniform draws to the requested distribution', () => {
    const normals = new Float32Array(SAMPLES);
    new CounterRng(5).fillNormal(normals, 3, 0.5);
    expect(Math.abs(sampleMean(normals) - 3)).toBeLessThan(5 * (0.5 / Math.sqrt(SAMPLES)));
    expect(Math.abs(sampleStd(normals) / 0.5 - 1)).toBeLessThan(stdRelativeTolerance(SAMPLES));
    const uniforms = new Float64Array(SAMPLES);
    new CounterRng(5).fillUniform(uniforms, -2, 2);
    expect(extent(uniforms).min).toBeGreaterThanOrEqual(-2);
    expect(extent(uniforms).max).toBeLessThan(2);
    expect(Math.abs(sampleMean(uniforms))).toBeLessThan(5 * Math.sqrt(16 / 12 / SAMPLES));
  });

  it.each([false, true])(
    'fills exactly the values successive normal() calls return (mid-block start: %s)',
    (midBlockStart) => {
      const filler = new CounterRng(3, 'fill');
      const caller = new CounterRng(3, 'fill');
      // One uniform leaves the stream half-way through a Philox block (the slow path).
      if (midBlockStart) expect(filler.uniform()).toBe(caller.uniform());
      const filled: number[] = [];
      for (const length of [1, 4, 3, 0, 6]) {
        const buffer = new Float64Array(length);
        filler.fillNormal(buffer);
        filled.push(...buffer);
      }
      const called = Array.from({ length: filled.length }, () => caller.normal());
      expect(filled).toEqual(called);
    },
  );

  it('derives substreams that are reproducible, label-specific and independent of parent use', () => {
    const parent = new CounterRng(99, 'run');
    const fresh = draws(parent.derive('layer1'), 1000);
    draws(parent, 5000);
    const afterUse = draws(parent.derive('layer1'), 1000);
    expect(Array.from(afterUse)).toEqual(Array.from(fresh));

    const layer1 = draws(new CounterRng(99, 'run').derive('layer1'), SAMPLES);
    const layer2 = draws(new CounterRng(99, 'run').derive('layer2'), SAMPLES);
    const nested = draws(new CounterRng(99, 'run').derive('layer').derive('1'), SAMPLES);
    expect(Math.abs(correlation(layer1, layer2))).toBeLessThan(5 / Math.sqrt(SAMPLES));
    expect(Math.abs(correlation(layer1, nested))).toBeLessThan(5 / Math.sqrt(SAMPLES));
    expect(layer1.filter((value, index) => value === layer2[index]).length).toBe(0);
    const otherSeed = draws(new CounterRng(100, 'run').derive('layer1'), 1000);
    expect(otherSeed.filter((value, index) => value === layer1[index]).length).toBe(0);
  });
});
