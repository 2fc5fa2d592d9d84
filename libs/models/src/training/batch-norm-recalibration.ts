import * as tf from '@tensorflow/tfjs';
import { MnistDataset, normalizeMnistBatch } from '@engram/datasets';
import { BatchStatistics, ResNetNetwork } from '../resnet/network';
import { QuantizedExecutor, WeightMode } from './executors';

/**
 * Re-estimates every batch norm's running mean and variance with the final weights (float, or
 * ternary without noise: what the chip is programmed with), as the plain average over `batches`
 * training batches. Training leaves running statistics that trail weights which were still
 * moving and were perturbed by injected noise; ternary weights move in jumps, so the lag shows.
 */
export function recalibrateBatchNorm(
  network: ResNetNetwork,
  mode: WeightMode,
  dataset: MnistDataset,
  batches = 40,
  batchSize = 250,
): void {
  const executor = new QuantizedExecutor((layer) => network.weight(layer), mode);
  const pixels = dataset.rows * dataset.cols;
  const buffer = new Float32Array(batchSize * pixels);
  const sums = new Map<string, { mean: tf.Tensor; variance: tf.Tensor }>();
  const n = Math.min(batches, Math.floor(dataset.count / batchSize));
  for (let b = 0; b < n; b++) {
    const indices = Uint32Array.from({ length: batchSize }, (_, i) => b * batchSize + i);
    normalizeMnistBatch(dataset, indices, buffer);
    const statistics: BatchStatistics = new Map();
    tf.tidy(() => {
      const x = tf.tensor4d(buffer, [batchSize, dataset.rows, dataset.cols, 1]);
      network.forwardAll(x, { executor, batchNorm: 'batch', statistics });
      for (const [name, s] of statistics) {
        const previous = sums.get(name);
        const next = {
          mean: previous ? tf.add(previous.mean, s.mean) : s.mean,
          variance: previous ? tf.add(previous.variance, s.variance) : s.variance,
        };
        tf.keep(next.mean);
        tf.keep(next.variance);
        if (previous) tf.dispose([previous.mean, previous.variance]);
        sums.set(name, next);
      }
    });
  }
  for (const [name, { mean, variance }] of sums) {
    network.params.get(`${name}.mean`).assign(tf.div(mean, n));
    network.params.get(`${name}.var`).assign(tf.div(variance, n));
    tf.dispose([mean, variance]);
  }
  executor.dispose();
}
