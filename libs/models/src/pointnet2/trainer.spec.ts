import { initTensorEngine } from '@engram/tensor';
import { SMALL_POINTNET_CONFIG, SMALL_POINTNET_SPEC } from '../training/testing';
import { PointNetNetwork } from './network';
import { evaluatePointNet } from './trainer';
import { augmentedBatch, splitStratified } from './data';
import { syntheticClouds } from './synthetic';
import { recalibratePointNetBatchNorm } from './batch-norm-recalibration';

jest.setTimeout(120_000);

const spec = SMALL_POINTNET_SPEC;
const config = SMALL_POINTNET_CONFIG;

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

// Training and exact resume are checked for both models in training/trainer.spec.ts.
describe('PointNet++ batch-norm recalibration', () => {
  it('re-estimates batch-norm statistics with the final weights', () => {
    const network = PointNetNetwork.create(spec, 5);
    const before = network.params.get('sa1.mlp0.bn.var').dataSync().slice();
    recalibratePointNetBatchNorm(network, 'ternary', train, 3, 16);
    const after = network.params.get('sa1.mlp0.bn.var').dataSync();
    expect(Array.from(after)).not.toEqual(Array.from(before));
    const accuracy = evaluatePointNet(network, 'ternary', validation, 5);
    expect(accuracy.exitAccuracy).toHaveLength(2);
    expect(accuracy.accuracy).toBeGreaterThanOrEqual(0);
    network.dispose();
  });
});
