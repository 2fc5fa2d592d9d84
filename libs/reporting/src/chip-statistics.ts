/**
 * Statistics over simulated chips: each chip (seed) is one draw of the device's programming
 * variation, so a figure's spread and confidence interval are taken over chips.
 */

/**
 * Two-sided 95% quantiles of Student's t distribution, t(0.975, df), for df = 1..30
 * (standard table values, e.g. NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2).
 */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** t(0.975, df); past the table, the normal quantile with the first-order correction. */
export function studentT975(degreesOfFreedom: number): number {
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom < 1) {
    throw new RangeError(`degrees of freedom must be a positive integer, got ${degreesOfFreedom}`);
  }
  if (degreesOfFreedom <= T_975.length) return T_975[degreesOfFreedom - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * degreesOfFreedom);
}

export interface ChipInterval {
  /** Number of chips. */
  n: number;
  mean: number;
  /** Sample standard deviation over the chips (n - 1 in the denominator). */
  sd: number;
  /** Half-width of the 95% confidence interval of the mean: t(0.975, n - 1) x sd / sqrt(n). */
  halfWidth95: number;
  low95: number;
  high95: number;
}

/** Mean, spread and 95% confidence interval of a figure measured once per chip. */
export function chipInterval(values: readonly number[]): ChipInterval {
  const n = values.length;
  if (n < 2) throw new RangeError(`a confidence interval needs at least 2 chips, got ${n}`);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const halfWidth95 = (studentT975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, halfWidth95, low95: mean - halfWidth95, high95: mean + halfWidth95 };
}

/**
 * Operating points are chosen on one set of chips and reported on another: refuses sets that
 * share a chip or repeat one.
 */
export function checkDisjointChipSets(
  selection: readonly number[],
  report: readonly number[],
): void {
  for (const [name, seeds] of [
    ['selection', selection],
    ['report', report],
  ] as const) {
    if (new Set(seeds).size !== seeds.length) {
      throw new Error(`the ${name} chips repeat a seed: ${seeds.join(', ')}`);
    }
  }
  const shared = selection.filter((s) => report.includes(s));
  if (shared.length) {
    throw new Error(
      `the chips that choose the operating point and the chips that report it must differ; both have ${shared.join(', ')}`,
    );
  }
}
