import { dequantizeTernary, quantizeTernary } from './ternary';

describe('quantizeTernary', () => {
  it('applies the TWN rule delta = 0.7 mean|w|, alpha = mean|w| above delta (per layer)', () => {
    // mean|w| = (0.1 + 0.5 + 1.0 + 0.2 + 0.9 + 0.3) / 6 = 0.5, delta = 0.35.
    const weights = new Float32Array([0.1, -0.5, 1.0, -0.2, -0.9, 0.3]);
    const ternary = quantizeTernary(weights, 2, 3);
    expect(Array.from(ternary.codes)).toEqual([0, -1, 1, 0, -1, 0]);
    // Kept magnitudes 0.5, 1.0, 0.9.
    expect(ternary.columnAlphas[0]).toBeCloseTo(0.8, 6);
    expect(Array.from(ternary.columnAlphas)).toEqual(Array(3).fill(ternary.columnAlphas[0]));
    expect(ternary.scaleMode).toBe('per-layer');
  });

  it('zeroes weights exactly at the threshold (strict inequality)', () => {
    // mean|w| = 1, delta = 0.7: |w| = 0.7 stays 0.
    const weights = new Float32Array([0.7, 1.3, -1.0, 1.0]);
    const ternary = quantizeTernary(weights, 2, 2, { thresholdFactor: 0.7 });
    expect(Array.from(ternary.codes)).toEqual([0, 1, -1, 1]);
    expect(ternary.columnAlphas[0]).toBeCloseTo(1.1, 6);
  });

  it('computes one threshold and scale per output column in per-column mode', () => {
    // Column 0: |w| = 1, 3 -> mean 2, delta 1.4, kept {3}. Column 1: |w| = 0.2, 0.2 -> all kept.
    const weights = new Float32Array([1, 0.2, -3, -0.2]);
    const ternary = quantizeTernary(weights, 2, 2, { scaleMode: 'per-column' });
    expect(Array.from(ternary.codes)).toEqual([0, 1, -1, -1]);
    expect(ternary.columnAlphas[0]).toBeCloseTo(3, 6);
    expect(ternary.columnAlphas[1]).toBeCloseTo(0.2, 6);
  });

  it('gives alpha 0 and all-zero codes for an all-zero matrix', () => {
    const ternary = quantizeTernary(new Float32Array(6), 3, 2, { scaleMode: 'per-column' });
    expect(Array.from(ternary.codes)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(ternary.columnAlphas)).toEqual([0, 0]);
  });

  it('rejects wrong shapes and non-finite weights', () => {
    expect(() => quantizeTernary(new Float32Array(5), 2, 3)).toThrow(
      /expected 2x3 = 6 values, got 5/,
    );
    expect(() => quantizeTernary(new Float32Array([0, NaN]), 1, 2)).toThrow(/not finite/);
  });
});

describe('dequantizeTernary', () => {
  it('returns alpha_j * code_ij in the same layout', () => {
    const ternary = quantizeTernary(new Float32Array([1, 0.2, -3, -0.2]), 2, 2, {
      scaleMode: 'per-column',
    });
    const weights = dequantizeTernary(ternary);
    expect(weights[0]).toBe(0);
    expect(weights[1]).toBeCloseTo(0.2, 6);
    expect(weights[2]).toBeCloseTo(-3, 6);
    expect(weights[3]).toBeCloseTo(-0.2, 6);
  });
});
