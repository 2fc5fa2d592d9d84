import * as tf from '@tensorflow/tfjs';
import { SeededRandom, deriveSeed } from '@engram/datasets';
import type { BatchStatistics } from '../resnet/network';
import type { WeightMode } from '../training/executors';
import { PointwiseQuantizedExecutor } from './executors';
import { PointNetNetwork } from './network';
import { PointCloudSet } from './data';

/**
 * Re-estimates every batch norm's running mean and variance with the final weights (float, or
 * ternary without noise: what the chip is programmed with), as the plain average of the batch
 * statistics over `batches` x `batchSize` clouds of `set` drawn by a seeded permutation (ModelNet
 * is stored class by class: the first clouds would be a few classes only), not augmented (the
 * test clouds are not). Same rule as the ResNet's recalibration.
 */
export function recalibratePointNetBatchNorm(
  network: PointNetNetwork,
  mode: WeightMode,
  set: PointCloudSet,
  batches = 40,
  batchSize = 32,
  seed = 0,
): void {
  const executor = new PointwiseQuantizedExecutor((layer) => network.weight(layer), mode);
  const sums = new Map<string, { mean: tf.Tensor; variance: tf.Tensor }>();
  const n = Math.min(batches, Math.floor(set.count / batchSize));
  if (n < 1) throw new Error(`recalibration needs at least ${batchSize} clouds, got ${set.count}`);
  const order = new SeededRandom(deriveSeed(seed, 'batch-norm-recalibration')).permutation(
    set.count,
  );
  const stride = set.numPoints * 3;
  const buffer = new Float32Array(batchSize * stride);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < batchSize; i++) {
      const cloud = order[b * batchSize + i];
      buffer.set(set.points.subarray(cloud * stride, (cloud + 1) * stride), i * stride);
    }
    const statistics: BatchStatistics = new Map();
    tf.tidy(() => {
      const x = tf.tensor3d(buffer, [batchSize, set.numPoints, 3]);
      network.forwardAll(x, { executor, batchNorm: 'batch', statistics });
    });
    for (const [name, s] of statistics) {
      const previous = sums.get(name);
      if (previous) {
        sums.set(name, {
          mean: tf.keep(tf.add(previous.mean, s.mean)),
          variance: tf.keep(tf.add(previous.variance, s.variance)),
        });
        tf.dispose([previous.mean, previous.variance, s.mean, s.variance]);
      } else {
        sums.set(name, s);
      }
    }
  }
  for (const [name, { mean, variance }] of sums) {
    tf.tidy(() => {
      network.params.get(`${name}.mean`).assign(tf.div(mean, n));
      network.params.get(`${name}.var`).assign(tf.div(variance, n));
    });
    tf.dispose([mean, variance]);
  }
  executor.dispose();
}
