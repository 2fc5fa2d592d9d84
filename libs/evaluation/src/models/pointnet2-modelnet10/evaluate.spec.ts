import { pointNetMacs } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';
import { evaluateOnEngine } from '../../measured-run';
import { loadEvaluationModel } from '../../model-registry';
import { ModelUnavailableError } from '../../errors';
import { ModelNetModelContext } from './model-context';
import { tinyPointNetContext } from './testing';

jest.setTimeout(120_000);

let context: ModelNetModelContext;

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
  context = tinyPointNetContext(5);
});

afterAll(() => context.dispose());

describe('evaluate on PointNet++ (the evaluation function shared with the ResNet)', () => {
  const config = {
    model: 'pointnet2-modelnet10' as const,
    // The core's own engine: the onnx engine library runs the same runs (pointnet-engine.spec.ts).
    engine: 'tfjs',
    memorySize: 2,
    seed: 3,
    sampleCount: 30,
    device: { programmingNoise: 0.05, readNoise: 0 },
  };

  it('returns consistent metrics, with per-exit thresholds', async () => {
    const { result, dynamic } = await evaluateOnEngine(context, {
      ...config,
      camThreshold: [0.02, 0.05],
    });
    expect(result.samples).toBe(30);
    expect(result.exitHistogram).toHaveLength(3);
    expect(result.exitHistogram.reduce((a, b) => a + b, 0)).toBe(30);
    expect(result.staticMacsPerSample).toBe(pointNetMacs(context.ternaryNetwork.layout).total);
    expect(result.meanMacsPerSample).toBeLessThanOrEqual(result.staticMacsPerSample);
    expect(result.computeReduction).toBeCloseTo(
      1 - result.meanMacsPerSample / result.staticMacsPerSample,
      12,
    );
    expect(result.artifactVersion).toBe('tiny-5');
    expect(Array.from(dynamic.exitIndex).every((e) => e <= 2)).toBe(true);
    for (const accuracy of [
      result.dynamicAccuracy,
      result.staticAccuracy,
      result.softwareAccuracy,
    ]) {
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
    }
  });

  it('rejects a threshold list of the wrong length', async () => {
    await expect(
      evaluateOnEngine(context, { ...config, camThreshold: [0.1, 0.1, 0.1] }),
    ).rejects.toThrow(/camThreshold: expected one threshold or 2, got 3/);
  });

  it('says how to get a missing artifact', async () => {
    const previous = process.env.ENGRAM_MODELS_DIR;
    process.env.ENGRAM_MODELS_DIR = '/nonexistent/engram-models';
    try {
      await expect(loadEvaluationModel('pointnet2-modelnet10')).rejects.toThrow(
        ModelUnavailableError,
      );
      await expect(loadEvaluationModel('nope' as never)).rejects.toThrow(/unknown model nope/);
    } finally {
      if (previous === undefined) delete process.env.ENGRAM_MODELS_DIR;
      else process.env.ENGRAM_MODELS_DIR = previous;
    }
  });
});
