/** Sampling statistics for the physics specs (not part of the library's API). */

export function sampleMean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += values[index];
  return sum / values.length;
}

/** Unbiased sample standard deviation. */
export function sampleStd(values: ArrayLike<number>): number {
  const mean = sampleMean(values);
  let sum = 0;
  for (let index = 0; index < values.length; index++) {
    const deviation = values[index] - mean;
    sum += deviation * deviation;
  }
  return Math.sqrt(sum / (values.length - 1));
}

/**
 * Allowed relative error of a sample std of n Gaussian draws: the chi distribution gives
 * sd(s) / sigma ≈ 1 / sqrt(2 (n - 1)); `sigmas` of those.
 */
export function stdRelativeTolerance(n: number, sigmas = 5): number {
  return sigmas / Math.sqrt(2 * (n - 1));
}

/** Allowed absolute error of an observed fraction with success probability p over n trials. */
export function binomialTolerance(n: number, p: number, sigmas = 5): number {
  return sigmas * Math.sqrt((p * (1 - p)) / n);
}

/** Standard normal CDF (Abramowitz & Stegun 26.2.17 via erfc, |error| < 7.5e-8). */
export function standardNormalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const density = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
  const tail =
    density *
    t *
    (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - tail : tail;
}

export function standardNormalPdf(z: number): number {
  return Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
}

/** Mean and std of max(0, X) for X ~ N(mean, std^2): a Gaussian clipped at a zero floor. */
export function zeroFlooredNormalMoments(mean: number, std: number): { mean: number; std: number } {
  const alpha = -mean / std;
  const aboveFloor = 1 - standardNormalCdf(alpha);
  const density = standardNormalPdf(alpha);
  const firstMoment = mean * aboveFloor + std * density;
  const secondMoment = (mean * mean + std * std) * aboveFloor + mean * std * density;
  return { mean: firstMoment, std: Math.sqrt(secondMoment - firstMoment * firstMoment) };
}

export function extent(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < values.length; index++) {
    if (values[index] < min) min = values[index];
    if (values[index] > max) max = values[index];
  }
  return { min, max };
}
