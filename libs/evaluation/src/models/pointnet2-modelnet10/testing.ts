import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  PointNetArtifact,
  PointNetNetwork,
  PointNetSpec,
  loadPointNetArtifact,
  savePointNetArtifact,
} from '@engram/models';
import { syntheticClouds } from '@engram/models/testing';
import { ModelNetModelContext, PointNetContextData } from './model-context';

/** A small PointNet++ of the same shape as pointnet2-modelnet10, cheap enough for unit tests. */
export const TINY_POINTNET_SPEC: PointNetSpec = {
  kind: 'pointnet2',
  numPoints: 64,
  firstLevelAbsoluteXyz: true,
  levels: [
    { npoint: 16, radius: 0.5, nsample: 8, mlp: [8, 16] },
    { npoint: 8, radius: 0.9, nsample: 4, mlp: [16, 16] },
  ],
  globalMlp: [32],
  head: [16],
  exits: [
    { afterStage: 0, semanticDim: 16, pooling: 'max+mean' },
    { afterStage: 1, semanticDim: 16, pooling: 'max' },
  ],
  numClasses: 4,
};

export function syntheticContextData(numPoints: number, seed = 1): PointNetContextData {
  return {
    train: syntheticClouds(96, numPoints, seed),
    validation: syntheticClouds(24, numPoints, seed + 1),
    test: syntheticClouds(40, numPoints, seed + 2),
  };
}

/**
 * Writes an untrained tiny pointnet2-modelnet10 artifact (seeded weights) for a dataset into a
 * temporary models folder and returns that folder, for ENGRAM_MODELS_DIR: platform and CLI tests
 * run the real PointNet++ evaluation on it, on whatever clouds the dataset names.
 */
export function writeTinyPointNetArtifact(dataset: PointNetArtifact['dataset'], seed = 3): string {
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-pointnet2-'));
  const spec = { ...TINY_POINTNET_SPEC, numClasses: dataset.classNames.length };
  const network = PointNetNetwork.create(spec, seed);
  const metrics = { testAccuracy: NaN, testExitAccuracy: [], testSamples: 0 };
  const training = { epochs: 0, seconds: 0, config: { untrained: true }, history: [] };
  savePointNetArtifact(
    path.join(modelsDir, 'pointnet2-modelnet10'),
    {
      name: 'pointnet2-modelnet10',
      createdAt: new Date(0).toISOString(),
      spec,
      input: { numPoints: spec.numPoints, normalization: 'unit-sphere', upAxis: 2, pointSeed: 0 },
      dataset,
    },
    { float: { network, metrics, training }, ternary: { network, metrics, training } },
    `tiny-${seed}`,
  );
  network.dispose();
  return modelsDir;
}

/**
 * Writes an untrained tiny PointNet++ artifact (seeded weights) into a temporary models folder and
 * returns a context over it with synthetic clouds.
 */
export function tinyPointNetContext(seed = 3): ModelNetModelContext {
  const data = syntheticContextData(TINY_POINTNET_SPEC.numPoints, seed);
  const modelsDir = writeTinyPointNetArtifact(
    {
      name: 'synthetic',
      classNames: ['sphere', 'box', 'disk', 'rod'],
      trainSamples: data.train.count,
      validationSamples: data.validation.count,
      validationFraction: 0.2,
      splitSeed: 0,
      testSamples: data.test.count,
    },
    seed,
  );
  return new ModelNetModelContext(
    loadPointNetArtifact(path.join(modelsDir, 'pointnet2-modelnet10')),
    data,
  );
}
