import {
  MnistDataset,
  MNIST_MEAN,
  MNIST_STD,
  normalizeMnistBatch,
  SeededRandom,
} from '@engram/datasets';

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
