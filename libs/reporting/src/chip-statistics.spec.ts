import { checkDisjointChipSets, chipInterval, studentT975 } from './chip-statistics';

describe('chip statistics', () => {
  it('computes the t interval of a small sample by hand', () => {
    // mean 3, squared deviations 4 + 1 + 0 + 1 + 4 = 10, sd = sqrt(10 / 4) = 1.5811,
    // half-width = t(0.975, 4) x sd / sqrt(5) = 2.776 x 1.5811 / 2.2361 = 1.9629.
    const ci = chipInterval([1, 2, 3, 4, 5]);
    expect(ci.n).toBe(5);
    expect(ci.mean).toBe(3);
    expect(ci.sd).toBeCloseTo(1.58114, 5);
    expect(ci.halfWidth95).toBeCloseTo(1.96291, 4);
    expect(ci.low95).toBeCloseTo(1.03709, 4);
    expect(ci.high95).toBeCloseTo(4.96291, 4);
  });

  it('uses the t quantile for 10 chips and approaches the normal one for many', () => {
    expect(studentT975(9)).toBe(2.262);
    expect(studentT975(1000)).toBeCloseTo(1.96, 2);
    expect(studentT975(31)).toBeGreaterThan(studentT975(1000));
    expect(studentT975(31)).toBeLessThan(studentT975(30));
    expect(() => studentT975(0)).toThrow(/positive integer/);
  });

  it('gives a zero-width interval when every chip agrees and refuses a single chip', () => {
    expect(chipInterval([0.5, 0.5, 0.5]).halfWidth95).toBe(0);
    expect(() => chipInterval([0.5])).toThrow(/at least 2 chips/);
  });

  it('accepts disjoint chip sets and refuses shared or repeated seeds', () => {
    expect(() => checkDisjointChipSets([1, 2, 3], [101, 102, 103])).not.toThrow();
    expect(() => checkDisjointChipSets([1, 2, 3], [3, 4])).toThrow(/both have 3/);
    expect(() => checkDisjointChipSets([1, 1], [2])).toThrow(/repeat a seed/);
  });
});
