import {
  adcMaxCode,
  dacMaxCode,
  quantizeAdcOutput,
  quantizeDacInput,
  roundHalfToEven,
} from './quantizers';

describe('roundHalfToEven', () => {
  it('rounds exact halves to the even neighbour, like tf.round and ONNX Round', () => {
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5].map(roundHalfToEven)).toEqual([
      -2, -2, -0, 0, 2, 2, 4,
    ]);
    expect([-1.6, -0.4, 0.49, 0.51, 2.7].map(roundHalfToEven)).toEqual([-2, -0, 0, 1, 3]);
  });
});

describe('ADC quantizer', () => {
  it('has 2^b - 1 levels symmetric about zero with step R / (2^(b-1) - 1)', () => {
    const bits = 3;
    const levels = new Set<number>();
    for (let value = -2; value <= 2; value += 0.001)
      levels.add(quantizeAdcOutput(value, 1, adcMaxCode(bits)));
    const sorted = [...levels].map((level) => (level === 0 ? 0 : level)).sort((a, b) => a - b);
    expect(new Set(sorted).size).toBe(2 ** bits - 1);
    expect(sorted[0]).toBe(-1);
    expect(sorted[sorted.length - 1]).toBe(1);
    expect(sorted[1] - sorted[0]).toBeCloseTo(1 / 3, 12);
  });

  it('rounds ties to even and clips at the range', () => {
    // Step 1 with R = 3, 3 bits.
    expect([0.5, 1.5, -0.5, -1.5, 2.5, 3.4, -7].map((p) => quantizeAdcOutput(p, 3, 3))).toEqual([
      0, 2, -0, -2, 2, 3, -3,
    ]);
    expect(quantizeAdcOutput(5, 0, 3)).toBe(0);
  });
});

describe('DAC quantizer', () => {
  it('uses 2^b - 1 steps for unsigned and 2^(b-1) - 1 per side for signed inputs', () => {
    expect(dacMaxCode(8, false)).toBe(255);
    expect(dacMaxCode(8, true)).toBe(127);
    expect(quantizeDacInput(0.3, 1, 1, false)).toBe(0);
    expect(quantizeDacInput(0.7, 1, 1, false)).toBe(1);
    expect(quantizeDacInput(-0.7, 1, 1, false)).toBe(0);
  });
});
