import { layerMacs } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';
import { evaluate } from './evaluate';
import { runEvaluation, clearStaticOutcomeCache } from './measured-run';
import { modelContext } from './models/resnet-mnist/model-context';
import { writeTinyResNetArtifact, TINY_RESNET_SPEC } from './models/resnet-mnist/testing';
import { EvaluationConfig } from './types';

jest.setTimeout(120_000);

// The core's own engine: the onnx engine library runs the same runs (engine-equivalence.spec.ts).
const base: EvaluationConfig = {
  model: 'resnet-mnist',
  engine: 'tfjs',
  camThreshold: 0.05,
  memorySize: 2,
  seed: 7,
  sampleCount: 300,
};

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
  process.env.ENGRAM_MODELS_DIR = writeTinyResNetArtifact();
});

describe('evaluate on the tiny network', () => {
  it('reuses the static pass of a chip across thresholds without changing any result', async () => {
    const noisy = { ...base, device: { programmingNoise: 0.1, readNoise: 0.05 } };
    clearStaticOutcomeCache();
    const first = await runEvaluation({ ...noisy, camThreshold: 0.02 });
    const reused = await runEvaluation({ ...noisy, camThreshold: 0.2, memorySize: 4 });
    expect(reused.static).toBe(first.static);
    clearStaticOutcomeCache();
    const alone = await runEvaluation({ ...noisy, camThreshold: 0.2, memorySize: 4 });
    expect(alone.static).not.toBe(first.static);
    expect(Array.from(alone.static.predictions)).toEqual(Array.from(first.static.predictions));
    expect(Array.from(alone.dynamic.predictions)).toEqual(Array.from(reused.dynamic.predictions));
    expect(Array.from(alone.dynamic.exitIndex)).toEqual(Array.from(reused.dynamic.exitIndex));
    const otherChip = await runEvaluation({ ...noisy, camThreshold: 0.2, seed: 8 });
    expect(otherChip.static).not.toBe(alone.static);
  });

  it('equals the static network when the threshold never fires', async () => {
    const d = await runEvaluation({ ...base, camThreshold: Infinity, device: { readNoise: 0 } });
    expect(Array.from(d.dynamic.predictions)).toEqual(Array.from(d.static.predictions));
    expect(d.result.exitHistogram).toEqual([0, 0, 300]);
    expect(d.result.dynamicAccuracy).toBe(d.result.staticAccuracy);
  });

  it('runs no later stage when every sample leaves at exit 1', async () => {
    // The margin rule with threshold 0 lets every sample leave at the first exit.
    const d = await runEvaluation({ ...base, camThreshold: 0 });
    expect(d.result.exitHistogram).toEqual([300, 0, 0]);
    const layout = modelContext('resnet-mnist').ternaryNetwork.layout;
    const ran = [...d.dynamicLayerCalls.keys()].sort();
    const firstStage = [
      layout.stem,
      ...layout.stages[0].flatMap((b) => [b.conv1, b.conv2]),
      layout.exits[0].projection,
    ]
      .map((l) => l.name)
      .sort();
    expect(ran).toEqual(firstStage);
    const stage1Macs = firstStage.reduce(
      (sum, name) => sum + layerMacs(layout.weightLayers.find((l) => l.name === name)!),
      0,
    );
    expect(d.result.meanMacsPerSample).toBe(stage1Macs);
  });

  it('counts the analytic MACs of the static network', async () => {
    const r = await evaluate({ ...base, sampleCount: 50 });
    // Hand count for TINY_RESNET_SPEC: out positions x k^2 x in x out per layer.
    const expected =
      28 * 28 * 9 * 1 * 4 + // stem
      2 * (28 * 28 * 9 * 4 * 4) + // stage 1 block
      (14 * 14 * 9 * 4 * 8 + 14 * 14 * 9 * 8 * 8 + 14 * 14 * 4 * 8) + // stage 2 block + shortcut
      (7 * 7 * 9 * 8 * 16 + 7 * 7 * 9 * 16 * 16 + 7 * 7 * 8 * 16) + // stage 3 block + shortcut
      16 * 10; // classifier
    expect(r.staticMacsPerSample).toBe(expected);
    expect(TINY_RESNET_SPEC.exits).toHaveLength(2);
  });

  it('reproduces a run bit for bit with the same seed and differs with another', async () => {
    const noisy: EvaluationConfig = {
      ...base,
      sampleCount: 100,
      device: { programmingNoise: 0.1, readNoise: 0.05 },
    };
    const a = await runEvaluation(noisy);
    const b = await runEvaluation(noisy);
    const c = await runEvaluation({ ...noisy, seed: 8 });
    expect(Array.from(a.dynamic.predictions)).toEqual(Array.from(b.dynamic.predictions));
    expect(a.result.energyPerInferencePj).toBe(b.result.energyPerInferencePj);
    expect(a.result.dynamicAccuracy).toBe(b.result.dynamicAccuracy);
    const differs =
      a.result.exitHistogram.join() !== c.result.exitHistogram.join() ||
      Array.from(a.static.predictions).join() !== Array.from(c.static.predictions).join();
    expect(differs).toBe(true);
  });

  it('stores both reductions, the baseline, both breakdowns and the energy model version', async () => {
    const config: EvaluationConfig = {
      ...base,
      sampleCount: 200,
      camThreshold: 0.03,
      device: { readNoise: 0, tcamSenseNoise: 0, digitalBaseline: 'ternary-digital' },
    };
    const result = await evaluate(config);
    expect(result).toMatchObject({ energyModelVersion: 2, digitalBaseline: 'ternary-digital' });
    expect(result.energyReductionVsDigital).toBe(result.energyReductionVsDigitalStatic);
    expect(result.energyReductionVsDigitalStatic).toBeCloseTo(
      1 - result.energyPerInferencePj / result.digitalBaselineEnergyPerInferencePj,
      12,
    );
    expect(result.energyReductionVsDigitalDynamic).toBeCloseTo(
      1 - result.energyPerInferencePj / result.digitalDynamicEnergyPerInferencePj,
      12,
    );
    // Samples left early: the digital baseline with the same exits spends less than without.
    expect(result.exitHistogram[0]).toBeGreaterThan(0);
    expect(result.digitalDynamicEnergyPerInferencePj).toBeLessThan(
      result.digitalBaselineEnergyPerInferencePj,
    );
    expect(result.energyBreakdownPj['totalPj']).toBeCloseTo(result.energyPerInferencePj, 6);
    expect(result.digitalEnergyBreakdownPj['totalPj']).toBeCloseTo(
      result.digitalBaselineEnergyPerInferencePj,
      6,
    );
    expect(Object.keys(result.energyBreakdownPj)).toEqual([
      'crossbarArrayPj',
      'adcPj',
      'dacPj',
      'accumulatePj',
      'activationBufferPj',
      'digitalPj',
      'pointSamplingPj',
      'camSearchPj',
      'camReadoutPj',
      'totalPj',
    ]);
  });

  it('rejects an invalid configuration naming the field', async () => {
    await expect(evaluate({ ...base, memorySize: 0 })).rejects.toThrow(
      /^memorySize: must be an integer in \[1, 64\]/,
    );
    await expect(evaluate({ ...base, device: { adcBits: 40 } })).rejects.toThrow(
      /^device: .*adc\.bits/,
    );
    await expect(evaluate({ ...base, camThreshold: [0.1] })).rejects.toThrow(
      /^camThreshold: expected one threshold or 2/,
    );
  });
});
