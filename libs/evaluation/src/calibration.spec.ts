import { CounterRng, DEFAULT_DEVICE_PROFILE, withOverrides } from '@engram/hardware';
import { initTensorEngine } from '@engram/tensor';
import { programNetwork } from './hardware-executor';
import { loadEvaluationModel } from './model-registry';
import { writeTinyResNetArtifact } from './models/resnet-mnist/testing';
import { EvaluationModel } from './evaluation-model';
import { programEngineChip } from './engine-chip';
import { DEFAULT_DONT_CARE_MARGIN_STD } from './run-setup';
import { traceChip } from './chip-trace';

// adc.calibrationData: 'chip' calibrates the DAC and ADC ranges on the programmed chip (its
// noisy weights), 'artifact' on the noise-free ternary network.

jest.setTimeout(120_000);

let model: EvaluationModel;

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
  process.env.ENGRAM_MODELS_DIR = writeTinyResNetArtifact();
  model = await loadEvaluationModel('resnet-mnist');
});

const noisy = (programmingNoise: number, calibrationData: 'artifact' | 'chip') =>
  withOverrides(DEFAULT_DEVICE_PROFILE, {
    programmingNoise: { model: 'uniform', relativeStd: programmingNoise },
    readNoise: { model: 'uniform', relativeStd: 0 },
    adc: { calibrationData },
  });

describe('per-chip calibration', () => {
  it('equals the artifact calibration on a noise-free chip and follows the chip otherwise', () => {
    const artifact = model.calibration(noisy(0, 'artifact'));
    const arraysOf = (profile: ReturnType<typeof noisy>, seed: number) =>
      programNetwork(model.network, profile, new CounterRng(seed, 'calibration-spec'));
    const clean = model.chipCalibration(noisy(0, 'chip'), arraysOf(noisy(0, 'chip'), 1));
    for (const [layer, ranges] of artifact) {
      const chip = clean.get(layer)!;
      expect(chip.inputSigned).toBe(ranges.inputSigned);
      expect(chip.inputRange).toBeCloseTo(ranges.inputRange, 4);
      expect(chip.adcRange).toBeCloseTo(ranges.adcRange, 4);
    }
    const chipA = model.chipCalibration(noisy(0.2, 'chip'), arraysOf(noisy(0.2, 'chip'), 1));
    const chipB = model.chipCalibration(noisy(0.2, 'chip'), arraysOf(noisy(0.2, 'chip'), 2));
    const adc = (c: typeof artifact) => [...c.values()].map((r) => r.adcRange);
    expect(adc(chipA)).not.toEqual(adc(artifact));
    expect(adc(chipA)).not.toEqual(adc(chipB));
  });

  it('is what a chip programmed with the option computes with', async () => {
    const exitValues = async (calibrationData: 'artifact' | 'chip') => {
      const { engine } = await programEngineChip(
        model,
        noisy(0.2, calibrationData),
        {
          seed: 4,
          memories: model.memory(1, DEFAULT_DONT_CARE_MARGIN_STD, 0),
          thresholds: [Infinity, Infinity],
          exitRule: 'margin',
        },
        'tfjs',
      );
      try {
        const n = 50;
        return Array.from((await traceChip(engine, model.batches('test', n), n)).semantics[0]);
      } finally {
        await engine.dispose();
      }
    };
    expect(await exitValues('chip')).not.toEqual(await exitValues('artifact'));
  });
});
