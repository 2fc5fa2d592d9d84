import type { DeviceProfile } from '@engram/hardware';
import { initTensorEngine } from '@engram/tensor';
import type { EvaluationConfig, EvaluationResult } from '@engram/contracts';
import {
  DEFAULT_DONT_CARE_MARGIN_STD,
  EvaluationModel,
  InferenceOutcome,
  chipKey,
  deriveOutcome,
  deviceProfileFor,
  evaluateChipRuns,
  loadEvaluationModel,
  programEngineChip,
  runEngineInference,
  traceChip,
} from '@engram/evaluation';
import {
  runEvaluation,
  tinyPointNetContext,
  writeTinyResNetArtifact,
} from '@engram/evaluation/testing';
import './index';

// Issue #16's acceptance on the tiny networks: a run derived from its chip's one hardware pass
// has exactly the predictions, exit decisions and counts of real dynamic inference, for both
// models, both engines and several configurations (read and sense noise on: both are keyed by
// sample, so a sample sees the same draws in the pass and in a dynamic run). The trained networks
// are checked the same way on 1,000 digits and 200 clouds (chip-runs-trained.spec.ts).

jest.setTimeout(300_000);

interface Case {
  name: string;
  device: EvaluationConfig['device'];
  memorySize: number;
  thresholds: number[];
  exitRule: 'margin' | 'absolute';
}

const CASES: Case[] = [
  {
    name: 'default device',
    device: {},
    memorySize: 2,
    thresholds: [0.04, 0.04],
    exitRule: 'margin',
  },
  {
    name: 'strong programming and read noise, K=4',
    device: { programmingNoise: 0.1, readNoise: 0.1 },
    memorySize: 4,
    thresholds: [0.02, 0.1],
    exitRule: 'margin',
  },
  {
    name: 'absolute rule, 5-bit ADC, K=1',
    device: { adcBits: 5, readNoise: 0.05 },
    memorySize: 1,
    thresholds: [0.3, 0.35],
    exitRule: 'absolute',
  },
  {
    name: 'exit 1 disabled',
    device: { readNoise: 0.05 },
    memorySize: 2,
    thresholds: [Infinity, 0.05],
    exitRule: 'margin',
  },
];

function expectSameOutcome(derived: InferenceOutcome, real: InferenceOutcome): void {
  expect(Array.from(derived.predictions)).toEqual(Array.from(real.predictions));
  expect(Array.from(derived.exitIndex)).toEqual(Array.from(real.exitIndex));
  expect(derived.counts).toEqual(real.counts);
}

/** Real dynamic and static inference on a chip, and both derived from one traced pass. */
async function bothWays(
  model: EvaluationModel,
  profile: DeviceProfile,
  engine: 'onnx' | 'tfjs',
  c: Case,
  count: number,
): Promise<{ real: InferenceOutcome[]; derived: InferenceOutcome[] }> {
  const options = {
    seed: 7,
    memories: model.memory(c.memorySize, DEFAULT_DONT_CARE_MARGIN_STD, 0),
    thresholds: c.thresholds,
    exitRule: c.exitRule,
  };
  const programmed = await programEngineChip(model, profile, options, engine, { chunk: 13 });
  try {
    const real: InferenceOutcome[] = [];
    for (const dynamic of [true, false]) {
      real.push(
        await runEngineInference(
          programmed.engine,
          programmed.chip,
          model.batches('test', count),
          count,
          dynamic,
        ),
      );
    }
    const trace = await traceChip(programmed.engine, model.batches('test', count), count);
    const derived = [true, false].map((dynamic) =>
      deriveOutcome(trace, programmed.chip, model.network, dynamic),
    );
    return { real, derived };
  } finally {
    await programmed.engine.dispose();
  }
}

describe('runs derived from a chip pass on the tiny PointNet++', () => {
  let context: ReturnType<typeof tinyPointNetContext>;
  beforeAll(async () => {
    await initTensorEngine({ log: () => undefined });
    context = tinyPointNetContext(3);
  });
  afterAll(() => context.dispose());

  for (const engine of ['onnx', 'tfjs'] as const) {
    it.each(CASES)(`equal real dynamic inference on ${engine}: $name`, async (c) => {
      const profile = deviceProfileFor({
        model: 'pointnet2-modelnet10',
        camThreshold: 0,
        memorySize: 1,
        seed: 0,
        device: c.device,
      });
      const count = context.sampleCount('test');
      const { real, derived } = await bothWays(context, profile, engine, c, count);
      expectSameOutcome(derived[0], real[0]);
      expectSameOutcome(derived[1], real[1]);
      if (Number.isFinite(c.thresholds[1])) {
        // Exits were exercised: some samples left early (the selections ran).
        expect(real[0].exitIndex.some((e) => e < 2)).toBe(true);
      }
    });
  }
});

describe('runs derived from a chip pass on the tiny ResNet', () => {
  let model: EvaluationModel;
  const COUNT = 300;
  beforeAll(async () => {
    await initTensorEngine({ log: () => undefined });
    process.env.ENGRAM_MODELS_DIR = writeTinyResNetArtifact();
    model = await loadEvaluationModel('resnet-mnist');
  });

  for (const engine of ['onnx', 'tfjs'] as const) {
    it.each(CASES)(`equal real dynamic inference on ${engine}: $name`, async (c) => {
      const profile = deviceProfileFor({
        model: 'resnet-mnist',
        camThreshold: 0,
        memorySize: 1,
        seed: 0,
        device: c.device,
      });
      const { real, derived } = await bothWays(model, profile, engine, c, COUNT);
      expectSameOutcome(derived[0], real[0]);
      expectSameOutcome(derived[1], real[1]);
    });
  }

  /** The metrics of a result; how it was made and its wall times aside. */
  const metrics = (r: EvaluationResult) =>
    Object.fromEntries(
      Object.entries(r).filter(
        ([key]) =>
          ![
            'timing',
            'wallTimeMs',
            'dynamicWallTimeMs',
            'staticWallTimeMs',
            'chipPassWallTimeMs',
          ].includes(key),
      ),
    );

  it('gives evaluateChipRuns the metrics of measured runs, one pass for a chip', async () => {
    const devices: EvaluationConfig['device'][] = [
      { readNoise: 0.05 },
      { readNoise: 0.05, tcamSenseNoise: 0.2 },
      { readNoise: 0.05, digitalBaseline: 'ternary-digital' },
    ];
    const configs: EvaluationConfig[] = CASES.filter((c) => c.exitRule === 'margin').map(
      (c, i) => ({
        model: 'resnet-mnist',
        engine: 'onnx',
        seed: 3,
        sampleCount: COUNT,
        memorySize: c.memorySize,
        camThreshold: c.thresholds,
        exitRule: c.exitRule,
        // One chip: the crossbars' device is the same; TCAM and energy knobs may differ.
        device: devices[i],
      }),
    );
    expect(new Set(configs.map(chipKey)).size).toBe(1);
    const progress: [number, number][] = [];
    const derived = await evaluateChipRuns(configs, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(progress[0]).toEqual([0, COUNT + configs.length]);
    expect(progress[progress.length - 1]).toEqual([COUNT + configs.length, COUNT + configs.length]);
    for (let i = 0; i < configs.length; i++) {
      const measured = (await runEvaluation({ ...configs[i], timing: 'measured' })).result;
      expect(metrics(derived[i])).toEqual(metrics(measured));
      expect(derived[i]).toMatchObject({
        timing: 'derived',
        dynamicWallTimeMs: null,
        staticWallTimeMs: null,
      });
      expect(derived[i].chipPassWallTimeMs).toBeGreaterThan(0);
      expect(measured).toMatchObject({ timing: 'measured', chipPassWallTimeMs: null });
    }
  });

  it('keys a chip by what touches the crossbars only', () => {
    const base: EvaluationConfig = {
      model: 'resnet-mnist',
      camThreshold: 0.1,
      memorySize: 2,
      seed: 1,
    };
    const key = chipKey(base);
    expect(
      chipKey({ ...base, camThreshold: [0.2, 0.3], memorySize: 8, exitRule: 'absolute' }),
    ).toBe(key);
    expect(chipKey({ ...base, device: { digitalBaseline: 'int8-mac-only' } })).toBe(key);
    expect(chipKey({ ...base, seed: 2 })).not.toBe(key);
    expect(chipKey({ ...base, device: { programmingNoise: 0.2 } })).not.toBe(key);
    expect(chipKey({ ...base, device: { adcBits: 6 } })).not.toBe(key);
    expect(chipKey({ ...base, sampleCount: 100 })).not.toBe(key);
    expect(chipKey({ ...base, split: 'validation' })).not.toBe(key);
  });
});
