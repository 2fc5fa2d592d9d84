import { DeviceProfile, withOverrides } from '@engram/hardware';
import { initTensorEngine } from '@engram/tensor';
import type { EvaluationConfig } from '@engram/contracts';
import {
  DEFAULT_DONT_CARE_MARGIN_STD,
  deviceProfileFor,
  EvaluationModel,
  InferenceOutcome,
  loadEvaluationModel,
  MnistModelContext,
  programEngineChip,
  runEngineInference,
} from '@engram/evaluation';
import { OnnxEngineOptions, OnnxResNetEngine } from './index';
import { writeTinyResNetArtifact, runEvaluation } from '@engram/evaluation/testing';

// The acceptance of the fast engine: for the same artifact, seed and configuration, onnxruntime
// and the TensorFlow.js reference give the same predictions and the same exit decisions. Both
// read the same read-noise draws (read-noise.ts), so they agree sample by sample with noise on.

jest.setTimeout(120_000);

const COUNT = 300;
let model: EvaluationModel;

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
  process.env.ENGRAM_MODELS_DIR = writeTinyResNetArtifact();
  model = await loadEvaluationModel('resnet-mnist');
});

async function run(
  profile: DeviceProfile,
  engine: 'onnx' | 'tfjs',
  dynamic: boolean,
  onnx: OnnxEngineOptions = {},
  threshold = 0.05,
): Promise<InferenceOutcome> {
  const memories = model.memory(2, DEFAULT_DONT_CARE_MARGIN_STD, 0);
  const programmed = await programEngineChip(
    model,
    profile,
    { seed: 7, memories, thresholds: [threshold, threshold], exitRule: 'margin' },
    engine,
    onnx,
  );
  try {
    return await runEngineInference(
      programmed.engine,
      programmed.chip,
      model.batches('test', COUNT),
      COUNT,
      dynamic,
    );
  } finally {
    await programmed.engine.dispose();
  }
}

function expectSameOutcome(a: InferenceOutcome, b: InferenceOutcome): void {
  let samePrediction = 0;
  let sameExit = 0;
  for (let i = 0; i < a.predictions.length; i++) {
    if (a.predictions[i] === b.predictions[i]) samePrediction++;
    if (a.exitIndex[i] === b.exitIndex[i]) sameExit++;
  }
  expect(samePrediction / a.predictions.length).toBeGreaterThanOrEqual(0.999);
  expect(sameExit).toBe(a.exitIndex.length);
  expect(b.counts).toEqual(a.counts);
}

const profileOf = (device: EvaluationConfig['device']) =>
  deviceProfileFor({ model: 'resnet-mnist', camThreshold: 0, memorySize: 1, seed: 0, device });

describe('onnx and tfjs engines on the tiny ResNet', () => {
  const cases: [string, DeviceProfile, OnnxEngineOptions][] = [
    ['the default device (read noise on)', profileOf({}), {}],
    [
      'strong programming and read noise, 20-row tiles, small chunks',
      profileOf({ programmingNoise: 0.1, readNoise: 0.1, tileRows: 20 }),
      { chunk: 7 },
    ],
    [
      'per-cell read noise, 5-bit ADC, 6-bit DAC, masked tiles, weights as inputs',
      withOverrides(profileOf({ adcBits: 5, dacBits: 6, tileRows: 32 }), {
        readNoise: { model: 'state-dependent', lrsRelativeStd: 0.05, hrsRelativeStd: 0.02 },
      }),
      { strategy: 'masked', params: 'inputs' },
    ],
    [
      "the 'full-scale' ADC policy, cropped rectangles",
      withOverrides(profileOf({ tileRows: 24 }), { adc: { rangePolicy: 'full-scale' } }),
      { strategy: 'rect' },
    ],
  ];

  it.each(cases)('agree on %s', async (_, profile, options) => {
    for (const dynamic of [true, false]) {
      const reference = await run(profile, 'tfjs', dynamic);
      expectSameOutcome(reference, await run(profile, 'onnx', dynamic, options));
    }
  });

  it('give the same evaluation and record the engine', async () => {
    const config: EvaluationConfig = {
      model: 'resnet-mnist',
      camThreshold: 0.04,
      memorySize: 2,
      seed: 3,
      sampleCount: 200,
      device: { programmingNoise: 0.05 },
    };
    const onnx = await runEvaluation(config);
    const tfjs = await runEvaluation({ ...config, engine: 'tfjs' });
    expect(onnx.result.engine).toBe('onnx');
    expect(tfjs.result.engine).toBe('tfjs');
    const metrics = (r: typeof onnx.result) => ({
      ...r,
      engine: undefined,
      wallTimeMs: undefined,
      dynamicWallTimeMs: undefined,
      staticWallTimeMs: undefined,
    });
    expect(metrics(onnx.result)).toEqual(metrics(tfjs.result));
    expect([...onnx.dynamicLayerCalls].sort()).toEqual([...tfjs.dynamicLayerCalls].sort());
  });

  it('runs the software network as plain float graphs (ideal mode)', async () => {
    const context = model as unknown as MnistModelContext;
    const engine = new OnnxResNetEngine(context.floatNetwork, null, null, profileOf({}), null, {
      ideal: true,
    });
    const software = model.softwarePredictions('test', COUNT);
    let same = 0;
    for (const { x, offset } of model.batches('test', COUNT)) {
      let state = await engine.begin(x, offset);
      x.dispose();
      for (let s = 0; s < engine.stageCount; s++) state = await engine.stage(s, state);
      const logits = await engine.classify(state);
      for (let i = 0; i < logits.length / 10; i++) {
        const row = Array.from(logits.subarray(i * 10, (i + 1) * 10));
        if (row.indexOf(Math.max(...row)) === software[offset + i]) same++;
      }
    }
    await engine.dispose();
    expect(same / COUNT).toBeGreaterThanOrEqual(0.999);
  });

  it('rejects an unknown engine naming the field', async () => {
    await expect(
      runEvaluation({
        model: 'resnet-mnist',
        camThreshold: 0,
        memorySize: 1,
        seed: 0,
        engine: 'x',
      }),
    ).rejects.toThrow(/^engine: unknown engine x \(available: onnx, tfjs\)/);
  });
});
