import * as tf from '@tensorflow/tfjs';
import {
  MnistDataset,
  MNIST_MEAN,
  MNIST_STD,
  deriveSeed,
  normalizeMnistBatch,
  SeededRandom,
} from '@engram/datasets';
import type { LabelledSet, TrainingSet } from '../training/trainer';

const BACKGROUND = (0 - MNIST_MEAN) / MNIST_STD;

/**
 * Writes a normalized batch with a random translation of up to `maxShift` pixels per image
 * (the classic MNIST augmentation), drawn from the given generator.
 */
export function augmentedMnistBatch(
  dataset: MnistDataset,
  indices: ArrayLike<number>,
  maxShift: number,
  random: SeededRandom,
  out: Float32Array,
  scratch: Float32Array,
): Float32Array {
  const { rows, cols } = dataset;
  const pixels = rows * cols;
  normalizeMnistBatch(dataset, indices, scratch);
  if (maxShift === 0) {
    out.set(scratch.subarray(0, indices.length * pixels));
    return out;
  }
  for (let b = 0; b < indices.length; b++) {
    const dy = random.nextInt(2 * maxShift + 1) - maxShift;
    const dx = random.nextInt(2 * maxShift + 1) - maxShift;
    const base = b * pixels;
    for (let r = 0; r < rows; r++) {
      const sr = r - dy;
      for (let c = 0; c < cols; c++) {
        const sc = c - dx;
        out[base + r * cols + c] =
          sr >= 0 && sr < rows && sc >= 0 && sc < cols
            ? scratch[base + sr * cols + sc]
            : BACKGROUND;
      }
    }
  }
  return out;
}

/** MNIST images in order, normalized, as [n, rows, cols, 1] batches (evaluation). */
export function mnistLabelledSet(dataset: MnistDataset): LabelledSet {
  const { rows, cols } = dataset;
  return {
    count: dataset.count,
    labels: dataset.labels,
    inputs(start, n) {
      const indices = Uint32Array.from({ length: n }, (_, i) => start + i);
      return tf.tensor4d(normalizeMnistBatch(dataset, indices), [n, rows, cols, 1]);
    },
  };
}

/**
 * MNIST training images shifted by up to `maxShift` pixels. The shifts of an epoch come from one
 * generator seeded by (seed, epoch), two draws per image, so a resumed epoch replays the draws
 * of the steps it skips.
 */
export function mnistTrainingSet(dataset: MnistDataset, maxShift: number, seed: number): TrainingSet {
  const { rows, cols } = dataset;
  return {
    ...mnistLabelledSet(dataset),
    epochBatches(epoch, fromStep, batchSize) {
      const random = new SeededRandom(deriveSeed(seed, `augment-${epoch}`));
      for (let i = 0; i < fromStep * batchSize * 2; i++) random.nextInt(2 * maxShift + 1);
      const batch = new Float32Array(batchSize * rows * cols);
      const scratch = new Float32Array(batchSize * rows * cols);
      return (indices) => {
        augmentedMnistBatch(dataset, indices, maxShift, random, batch, scratch);
        return tf.tensor4d(batch, [indices.length, rows, cols, 1]);
      };
    },
  };
}
