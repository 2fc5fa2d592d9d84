import type { ConductanceNoiseModel } from './profile';

/** Gaussian sigma, in µS, of a cell in the low- and in the high-resistance state. */
export interface StateSigmasUs {
  readonly lrsSigmaUs: number;
  readonly hrsSigmaUs: number;
}

export function stateSigmasUs(model: ConductanceNoiseModel, windowUs: number): StateSigmasUs {
  if (model.model === 'uniform') {
    const sigmaUs = model.relativeStd * windowUs;
    return { lrsSigmaUs: sigmaUs, hrsSigmaUs: sigmaUs };
  }
  return {
    lrsSigmaUs: model.lrsRelativeStd * windowUs,
    hrsSigmaUs: model.hrsRelativeStd * windowUs,
  };
}
