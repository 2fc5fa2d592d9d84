import { describeTrainedEquivalence } from './trained-equivalence';

// The engines on the committed resnet-mnist artifact (skipped when it is absent): the same
// predictions and exit decisions on >= 99.9% of 500 test images (all of them in practice) and
// the same counts, read noise on, at a threshold where about half the samples leave early.
// ENGRAM_EQUIVALENCE_SAMPLES=10000 compares the whole test set (the agreement is printed).

jest.setTimeout(3_600_000);

describeTrainedEquivalence({
  model: 'resnet-mnist',
  defaultCount: 500,
  minAgreement: 0.999,
  camThreshold: [0.1, 0.1],
  memorySize: 4,
  seed: 11,
});
