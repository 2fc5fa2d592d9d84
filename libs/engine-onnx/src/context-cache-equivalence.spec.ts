import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_DEVICE_PROFILE, deviceProfileWithKnobs } from '@engram/hardware';
import { loadArtifact, loadPointNetArtifact } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';
import './index';
import type { EvaluationConfig, EvaluationResult } from '@engram/contracts';
import {
  EvaluationModel,
  MnistModelContext,
  ModelNetModelContext,
  evaluateOnEngine,
} from '@engram/evaluation';
import {
  ContextCache,
  clearStaticOutcomeCache,
  syntheticContextData,
  TINY_POINTNET_SPEC,
  tinyPointNetContext,
  writeTinyResNetArtifact,
} from '@engram/evaluation/testing';

jest.setTimeout(300_000);

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'engram-context-cache-'));
}

/** Everything a context computes from training data for these parameters. */
function computed(context: Pick<EvaluationModel, 'calibration' | 'memory'>, memorySizes: number[]) {
  const profiles = [
    DEFAULT_DEVICE_PROFILE,
    deviceProfileWithKnobs(DEFAULT_DEVICE_PROFILE.name, { dacBits: 6, tileRows: 64 }),
  ];
  return {
    calibrations: profiles.map((p) => [...context.calibration(p)]),
    memories: memorySizes.map((k) => context.memory(k, 0.25, 0)),
  };
}

/** A result without its wall times (the only fields that may differ from run to run). */
function withoutWallTimes(result: EvaluationResult): Partial<EvaluationResult> {
  const { wallTimeMs, dynamicWallTimeMs, staticWallTimeMs, ...rest } = result;
  void wallTimeMs;
  void dynamicWallTimeMs;
  void staticWallTimeMs;
  return rest;
}

describe('context cache on the tiny ResNet', () => {
  let modelsDir = '';
  const artifact = () => loadArtifact(path.join(modelsDir, 'resnet-mnist'));
  beforeAll(() => {
    modelsDir = writeTinyResNetArtifact(5);
  });

  it('loads calibrations and memories equal to freshly computed ones', () => {
    const cache = tempDir();
    const fresh = computed(new MnistModelContext(artifact(), null), [1, 3]);
    const cold = new MnistModelContext(artifact(), new ContextCache(cache));
    expect(computed(cold, [1, 3])).toEqual(fresh);
    expect(cold.contextCache?.outcomes.map((o) => o.outcome)).not.toContain('hit');
    const warm = new MnistModelContext(artifact(), new ContextCache(cache));
    expect(computed(warm, [1, 3])).toEqual(fresh);
    // Semantic vectors are never needed when every memory is cached.
    expect(warm.contextCache?.outcomes).toEqual([
      { kind: 'calibration', outcome: 'hit' },
      { kind: 'calibration', outcome: 'hit' },
      { kind: 'memories', outcome: 'hit' },
      { kind: 'memories', outcome: 'hit' },
    ]);
    // A new memory size on a warm cache reuses the cached semantic vectors.
    const another = new MnistModelContext(artifact(), new ContextCache(cache));
    expect(another.memory(2, 0.25, 0)).toEqual(
      new MnistModelContext(artifact(), null).memory(2, 0.25, 0),
    );
    expect(another.contextCache?.outcomes).toEqual([
      { kind: 'semantics', outcome: 'hit' },
      { kind: 'memories', outcome: 'computed' },
    ]);
  });

  it.each<[string, Partial<EvaluationConfig>]>([
    ['onnx, noisy chip', { engine: 'onnx', device: { programmingNoise: 0.1, readNoise: 0.05 } }],
    ['tfjs, 4 ADC bits', { engine: 'tfjs', device: { adcBits: 4 }, camThreshold: 0.1 }],
  ])('evaluate gives the same result with a warm cache as with a cold one (%s)', async (_, c) => {
    const config: EvaluationConfig = {
      model: 'resnet-mnist',
      camThreshold: 0.05,
      memorySize: 2,
      seed: 11,
      sampleCount: 200,
      ...c,
    };
    const cache = tempDir();
    clearStaticOutcomeCache();
    const cold = new MnistModelContext(artifact(), new ContextCache(cache));
    const coldResult = (await evaluateOnEngine(cold, config)).result;
    clearStaticOutcomeCache();
    const warm = new MnistModelContext(artifact(), new ContextCache(cache));
    const warmResult = (await evaluateOnEngine(warm, config)).result;
    expect(warm.contextCache?.outcomes).toEqual([
      { kind: 'memories', outcome: 'hit' },
      { kind: 'calibration', outcome: 'hit' },
      { kind: 'predictions', outcome: 'hit' },
    ]);
    expect(withoutWallTimes(warmResult)).toEqual(withoutWallTimes(coldResult));
  });
});

describe('context cache on the tiny PointNet++', () => {
  it('loads calibrations and memories equal to freshly computed ones, and evaluates alike', async () => {
    const dir = tinyPointNetContext(6).artifact.dir;
    const data = syntheticContextData(TINY_POINTNET_SPEC.numPoints, 6);
    const cache = new ContextCache(tempDir());
    const context = (c: ContextCache | null) =>
      new ModelNetModelContext(loadPointNetArtifact(dir), data, { cache: c });
    const expected = computed(context(null), [2, 3]);
    expect(computed(context(cache), [2, 3])).toEqual(expected);
    const warm = context(new ContextCache(cache.dir));
    expect(computed(warm, [2, 3])).toEqual(expected);
    expect(warm.contextCache?.outcomes.every((o) => o.outcome === 'hit')).toBe(true);

    const config: EvaluationConfig = {
      model: 'pointnet2-modelnet10',
      camThreshold: 0.1,
      memorySize: 2,
      seed: 3,
      sampleCount: 30,
      device: { programmingNoise: 0.05 },
    };
    clearStaticOutcomeCache();
    const coldResult = (await evaluateOnEngine(context(null), config)).result;
    clearStaticOutcomeCache();
    const warmResult = (await evaluateOnEngine(context(new ContextCache(cache.dir)), config))
      .result;
    expect(withoutWallTimes(warmResult)).toEqual(withoutWallTimes(coldResult));
  });
});
