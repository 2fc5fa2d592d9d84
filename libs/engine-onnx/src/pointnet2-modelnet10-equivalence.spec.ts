import { resolveModelNetRoot } from '@engram/datasets';
import { describeTrainedEquivalence } from './trained-equivalence';

// The engines on the trained pointnet2-modelnet10 artifact (skipped when it or the ModelNet10
// data is absent): the same predictions on >= 99% of 100 test clouds (one cloud may differ by
// float rounding at a DAC or ADC step), the same exit decisions and counts, read noise on, at
// thresholds where some clouds leave early. ENGRAM_EQUIVALENCE_SAMPLES=908 compares the whole
// test set (measured 2026-11-27: 908 of 908 equal, dynamic and static);
// ENGRAM_EQUIVALENCE_MODELS_DIR points it at another models folder (e.g. a provisional artifact).

jest.setTimeout(3_600_000);

describeTrainedEquivalence({
  model: 'pointnet2-modelnet10',
  defaultCount: 100,
  minAgreement: 0.99,
  camThreshold: [0.1, 0.08],
  memorySize: 4,
  seed: 11,
  missingData: () => {
    try {
      resolveModelNetRoot();
      return null;
    } catch {
      return 'no ModelNet folder';
    }
  },
});
