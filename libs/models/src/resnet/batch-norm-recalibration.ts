import * as tf from '@tensorflow/tfjs';
import { MnistDataset, normalizeMnistBatch } from '@engram/datasets';
import { reestimateBatchNorm } from '../training/batch-norm-recalibration';
import type { WeightMode } from '../training/executors';
import type { ResNetNetwork } from './network';

/** Batch-norm recalibration of the ResNet on the first `batches` x `batchSize` digits. */
export function recalibrateBatchNorm(
  network: ResNetNetwork,
  mode: WeightMode,
  dataset: MnistDataset,
  batches = 40,
  batchSize = 250,
): void {
  const n = Math.min(batches, Math.floor(dataset.count / batchSize));
  const buffer = new Float32Array(batchSize * dataset.rows * dataset.cols);
  reestimateBatchNorm(network, mode, n, (b) => {
    const indices = Uint32Array.from({ length: batchSize }, (_, i) => b * batchSize + i);
    normalizeMnistBatch(dataset, indices, buffer);
    return tf.tensor4d(buffer, [batchSize, dataset.rows, dataset.cols, 1]);
  });
}
