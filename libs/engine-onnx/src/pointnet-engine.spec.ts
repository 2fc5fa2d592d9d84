import { DeviceProfile, withOverrides } from '@engram/hardware';
import { initTensorEngine } from '@engram/tensor';
import type { EvaluationConfig } from '@engram/contracts';
import {
  DEFAULT_DONT_CARE_MARGIN_STD,
  defaultEngine,
  deviceProfileFor,
  InferenceOutcome,
  ModelNetModelContext,
  programEngineChip,
  runEngineInference,
} from '@engram/evaluation';
import { tinyPointNetContext, enginesFor } from '@engram/evaluation/testing';
import { OnnxEngineOptions, OnnxPointNetEngine } from './index';

// The acceptance of the onnxruntime engine for PointNet++: for the same artifact, seed and
// configuration it gives the TensorFlow.js reference's predictions, exit decisions and counts,
// dynamic and static, with read noise on (both read the same windows of read-noise.ts).

jest.setTimeout(300_000);

let context: ModelNetModelContext;
let count: number;

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
  context = tinyPointNetContext(3);
  count = context.sampleCount('test');
});

afterAll(() => context.dispose());

interface Run {
  outcome: InferenceOutcome;
  layerCalls: Map<string, number>;
}

async function run(
  profile: DeviceProfile,
  engine: 'onnx' | 'tfjs',
  dynamic: boolean,
  thresholds: number[],
  onnx: OnnxEngineOptions = {},
): Promise<Run> {
  const memories = context.memory(2, DEFAULT_DONT_CARE_MARGIN_STD, 0);
  const programmed = await programEngineChip(
    context,
    profile,
    { seed: 7, memories, thresholds, exitRule: 'margin' },
    engine,
    onnx,
  );
  try {
    const outcome = await runEngineInference(
      programmed.engine,
      programmed.chip,
      context.batches('test', count),
      count,
      dynamic,
    );
    return { outcome, layerCalls: new Map(programmed.engine.layerCalls) };
  } finally {
    await programmed.engine.dispose();
  }
}

function expectSameRun(reference: Run, onnx: Run): void {
  const a = reference.outcome;
  const b = onnx.outcome;
  expect(Array.from(b.predictions)).toEqual(Array.from(a.predictions));
  expect(Array.from(b.exitIndex)).toEqual(Array.from(a.exitIndex));
  expect(b.counts).toEqual(a.counts);
  expect([...onnx.layerCalls].sort()).toEqual([...reference.layerCalls].sort());
}

const profileOf = (device: EvaluationConfig['device']) =>
  deviceProfileFor({
    model: 'pointnet2-modelnet10',
    camThreshold: 0,
    memorySize: 1,
    seed: 0,
    device,
  });

describe('onnx and tfjs engines on the tiny PointNet++', () => {
  it('make onnx the default engine of PointNet++', () => {
    expect(enginesFor(context)).toEqual(['onnx', 'tfjs']);
    expect(defaultEngine(context)).toBe('onnx');
  });

  const cases: [string, DeviceProfile, OnnxEngineOptions][] = [
    ['the default device (read noise on)', profileOf({}), {}],
    [
      'strong programming and read noise, 12-row tiles, small chunks',
      profileOf({ programmingNoise: 0.1, readNoise: 0.1, tileRows: 12 }),
      { chunk: 7 },
    ],
    [
      'per-cell read noise, 5-bit ADC, 6-bit DAC, 10-row tiles, masked tiles, weights as inputs',
      withOverrides(profileOf({ adcBits: 5, dacBits: 6, tileRows: 10 }), {
        readNoise: { model: 'state-dependent', lrsRelativeStd: 0.05, hrsRelativeStd: 0.02 },
      }),
      { strategy: 'masked', params: 'inputs' },
    ],
    [
      "the 'full-scale' ADC policy, 16-row tiles",
      withOverrides(profileOf({ tileRows: 16 }), { adc: { rangePolicy: 'full-scale' } }),
      { strategy: 'rect' },
    ],
  ];

  it.each(cases)('agree on %s', async (_, profile, options) => {
    const thresholds = [0.04, 0.04];
    let early = 0;
    for (const dynamic of [true, false]) {
      const reference = await run(profile, 'tfjs', dynamic, thresholds);
      const onnx = await run(profile, 'onnx', dynamic, thresholds, options);
      expectSameRun(reference, onnx);
      if (dynamic) early = onnx.outcome.exitIndex.filter((e) => e < 2).length;
    }
    // Some clouds leave early and some do not: the exit decisions and selections were exercised.
    expect(early).toBeGreaterThan(0);
    expect(early).toBeLessThan(count);
  });

  it('agree when every cloud leaves at exit 1, and when none leaves', async () => {
    const profile = profileOf({});
    for (const thresholds of [
      [0, 0],
      [Infinity, Infinity],
    ]) {
      const reference = await run(profile, 'tfjs', true, thresholds);
      expectSameRun(reference, await run(profile, 'onnx', true, thresholds));
    }
  });

  it('compute the same logits and semantic vectors, which the read noise changes', async () => {
    const outputs = async (profile: DeviceProfile, engineName: 'onnx' | 'tfjs') => {
      const memories = context.memory(2, DEFAULT_DONT_CARE_MARGIN_STD, 0);
      const { engine } = await programEngineChip(
        context,
        profile,
        { seed: 5, memories, thresholds: [0, 0], exitRule: 'margin' },
        engineName,
        { chunk: 13 },
      );
      const values: number[] = [];
      engine.beginPass();
      for (const { x, offset } of context.batches('test', count)) {
        let state = await engine.begin(x, offset);
        x.dispose();
        for (let s = 0; s < engine.stageCount; s++) {
          const next = await engine.stage(s, state);
          engine.release(state);
          state = next;
          const e = engine.exits.findIndex((exit) => exit.afterStage === s);
          if (e >= 0) values.push(...(await engine.exitSemantic(e, state)));
        }
        values.push(...(await engine.classify(state)));
        engine.release(state);
      }
      await engine.dispose();
      return values;
    };
    const maxDifference = (a: number[], b: number[]) =>
      a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const noisy = profileOf({ readNoise: 0.05 });
    const reference = await outputs(noisy, 'tfjs');
    const onnx = await outputs(noisy, 'onnx');
    const quiet = await outputs(profileOf({ readNoise: 0 }), 'onnx');
    const scale = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(onnx).toHaveLength(reference.length);
    expect(maxDifference(onnx, reference)).toBeLessThan(1e-4 * scale);
    expect(maxDifference(quiet, reference)).toBeGreaterThan(1e-2 * scale);
  });

  it('runs the software network as plain float graphs (ideal mode)', async () => {
    const engine = new OnnxPointNetEngine(context.floatNetwork, null, null, profileOf({}), null, {
      ideal: true,
    });
    const software = context.softwarePredictions('test', count);
    const predictions: number[] = [];
    for (const { x, offset } of context.batches('test', count)) {
      let state = await engine.begin(x, offset);
      x.dispose();
      for (let s = 0; s < engine.stageCount; s++) state = await engine.stage(s, state);
      const logits = await engine.classify(state);
      const classes = engine.numClasses;
      for (let i = 0; i < logits.length / classes; i++) {
        const row = Array.from(logits.subarray(i * classes, (i + 1) * classes));
        predictions.push(row.indexOf(Math.max(...row)));
      }
    }
    await engine.dispose();
    expect(predictions).toEqual(Array.from(software));
  });
});
