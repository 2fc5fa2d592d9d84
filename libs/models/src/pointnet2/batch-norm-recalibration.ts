import * as tf from '@tensorflow/tfjs';
import { SeededRandom, deriveSeed } from '@engram/datasets';
import type { WeightMode } from '../training/executors';
import { reestimateBatchNorm } from '../training/batch-norm-recalibration';
import { applyPointwise } from './executors';
import { PointNetNetwork } from './network';
import { PointCloudSet } from './data';

/**
 * Batch-norm recalibration (`reestimateBatchNorm`) of the PointNet++ on `batches` x `batchSize`
 * clouds of `set` drawn by a seeded permutation (ModelNet is stored class by class: the first
 * clouds would be a few classes only), not augmented (the test clouds are not).
 */
export function recalibratePointNetBatchNorm(
  network: PointNetNetwork,
  mode: WeightMode,
  set: PointCloudSet,
  batches = 40,
  batchSize = 32,
  seed = 0,
): void {
  const n = Math.min(batches, Math.floor(set.count / batchSize));
  if (n < 1) throw new Error(`recalibration needs at least ${batchSize} clouds, got ${set.count}`);
  const order = new SeededRandom(deriveSeed(seed, 'batch-norm-recalibration')).permutation(
    set.count,
  );
  const stride = set.numPoints * 3;
  const buffer = new Float32Array(batchSize * stride);
  const input = (b: number) => {
    for (let i = 0; i < batchSize; i++) {
      const cloud = order[b * batchSize + i];
      buffer.set(set.points.subarray(cloud * stride, (cloud + 1) * stride), i * stride);
    }
    return tf.tensor3d(buffer, [batchSize, set.numPoints, 3]);
  };
  reestimateBatchNorm(network, mode, n, input, applyPointwise);
}
