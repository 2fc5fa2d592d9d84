import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initTensorEngine } from '@engram/tensor';
import { PointNetSpec } from './architecture';
import { PointNetNetwork } from './network';
import { PointNetTrainConfig, PointNetTrainer, evaluatePointNet } from './trainer';
import { augmentedBatch, splitStratified } from './data';
import { syntheticClouds } from './synthetic';
import { recalibratePointNetBatchNorm } from './batch-norm-recalibration';

jest.setTimeout(120_000);

const spec: PointNetSpec = {
  kind: 'pointnet2',
  numPoints: 32,
  firstLevelAbsoluteXyz: true,
  levels: [
    { npoint: 8, radius: 0.5, nsample: 4, mlp: [8] },
    { npoint: 4, radius: 0.9, nsample: 4, mlp: [8] },
  ],
  globalMlp: [16],
  head: [8],
  exits: [
    { afterStage: 0, semanticDim: 8, pooling: 'max+mean' },
    { afterStage: 1, semanticDim: 8, pooling: 'max' },
  ],
  numClasses: 4,
};

const config: PointNetTrainConfig = {
  mode: 'ternary',
  epochs: 2,
  batchSize: 8,
  learningRate: 5e-3,
  warmupSteps: 2,
  weightDecay: 0.01,
  auxLossWeights: [1, 0.5],
  trainNoise: 0.05,
  batchNormMomentum: 0.9,
  headDropout: 0.3,
  labelSmoothing: 0,
  augmentation: {
    rotate: true,
    scaleRange: [0.8, 1.25],
    jitterSigma: 0.01,
    jitterClip: 0.05,
    shufflePoints: true,
  },
  seed: 3,
};

const train = syntheticClouds(80, 32, 1);
const validation = syntheticClouds(16, 32, 2);

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
});

describe('point cloud data', () => {
  it('splits every class by the same fraction, seeded', () => {
    const { train: t, validation: v } = splitStratified(train, 0.25, 9);
    expect([t.count, v.count]).toEqual([60, 20]);
    for (let c = 0; c < 4; c++) expect(v.labels.filter((l) => l === c).length).toBe(5);
    const again = splitStratified(train, 0.25, 9);
    expect(Array.from(again.validation.sourceIndices)).toEqual(Array.from(v.sourceIndices));
    expect(Array.from(splitStratified(train, 0.25, 10).validation.sourceIndices)).not.toEqual(
      Array.from(v.sourceIndices),
    );
  });

  it('augments each cloud from (seed, epoch, cloud) only, whatever the batch it is in', () => {
    const a = augmentedBatch(train, [5, 9], config.augmentation, 1, 0, new Float32Array(2 * 96));
    const b = augmentedBatch(train, [9], config.augmentation, 1, 0, new Float32Array(96));
    expect(Array.from(a.subarray(96))).toEqual(Array.from(b));
    const c = augmentedBatch(train, [9], config.augmentation, 1, 1, new Float32Array(96));
    expect(Array.from(c)).not.toEqual(Array.from(b));
  });
});

describe('PointNetTrainer', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-pointnet2-train-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function trainer(checkpointDir: string, overrides: Partial<PointNetTrainConfig> = {}) {
    const network = PointNetNetwork.create(spec, 5);
    return {
      network,
      trainer: new PointNetTrainer(
        network,
        { ...config, ...overrides },
        train,
        validation,
        { dir: checkpointDir, everySteps: 4 },
        { log: () => undefined },
      ),
    };
  }

  it('learns, and a run interrupted mid-epoch resumes to the same weights', () => {
    const straight = trainer(path.join(dir, 'straight'));
    const history = straight.trainer.run();
    expect(history).toHaveLength(2);
    expect(history[1].trainLoss).toBeLessThan(history[0].trainLoss);
    expect(history[1].validationExitAccuracy).toHaveLength(2);

    // Interrupted in the middle of epoch 2 (13 of 20 steps), then a new trainer picks it up.
    trainer(path.join(dir, 'resumed')).trainer.run({ stopAfterSteps: 13 });
    const resumed = trainer(path.join(dir, 'resumed'));
    expect(resumed.trainer.resumeIfPossible()).toBe(true);
    expect(resumed.trainer.trainState).toMatchObject({ epoch: 1, stepInEpoch: 3 });
    resumed.trainer.run();

    const a = straight.network.params.snapshot();
    const b = resumed.network.params.snapshot();
    for (const [name, values] of a)
      expect(Array.from(b.get(name) as Float32Array)).toEqual(Array.from(values));
  });

  it('refuses a checkpoint written with another configuration', () => {
    const t = trainer(path.join(dir, 'straight'), { learningRate: 1e-3 });
    expect(() => t.trainer.resumeIfPossible()).toThrow(/another training configuration/);
  });

  it('re-estimates batch-norm statistics with the final weights', () => {
    const { network } = trainer(path.join(dir, 'unused'));
    const before = network.params.get('sa1.mlp0.bn.var').dataSync().slice();
    recalibratePointNetBatchNorm(network, 'ternary', train, 3, 16);
    const after = network.params.get('sa1.mlp0.bn.var').dataSync();
    expect(Array.from(after)).not.toEqual(Array.from(before));
    const accuracy = evaluatePointNet(network, 'ternary', validation, 5);
    expect(accuracy.exitAccuracy).toHaveLength(2);
    expect(accuracy.accuracy).toBeGreaterThanOrEqual(0);
  });
});
