import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetFormatError, DatasetUnavailableError, checkMnistFiles } from '@engram/datasets';
import { InvalidEvaluationConfigError, ModelUnavailableError } from '@engram/evaluation';
import { DeviceProfileError, deviceProfileWithKnobs } from '@engram/hardware';
import { ArtifactFormatError, readTensorFile } from '@engram/models';
import { isPermanentEvaluationError } from './evaluator';

/** What the worker does not retry: the errors the libraries throw when loading can never pass. */
describe('isPermanentEvaluationError', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-permanent-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const thrown = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    throw new Error('expected a throw');
  };

  it('is true for missing data, as the dataset loader throws it', () => {
    const error = thrown(() => checkMnistFiles(dir));
    expect(error).toBeInstanceOf(DatasetUnavailableError);
    expect((error as Error).message).toContain(path.join(dir, 'train-images-idx3-ubyte'));
    expect(isPermanentEvaluationError(error)).toBe(true);
  });

  it('is true for a truncated weights file (the artifact format)', () => {
    const bin = path.join(dir, 'weights.bin');
    fs.writeFileSync(bin, Buffer.alloc(6));
    const error = thrown(() =>
      readTensorFile(bin, [{ name: 'w', shape: [2], offset: 0, length: 2 }]),
    );
    expect(error).toBeInstanceOf(ArtifactFormatError);
    expect(isPermanentEvaluationError(error)).toBe(true);
  });

  it('is true for invalid device knobs, configurations, dataset formats and unavailable models', () => {
    const profile = thrown(() =>
      deviceProfileWithKnobs(undefined, { stuckAtLrsRate: 0.7, stuckAtHrsRate: 0.7 }),
    );
    expect(profile).toBeInstanceOf(DeviceProfileError);
    for (const error of [
      profile,
      new InvalidEvaluationConfigError('memorySize', 'too big'),
      new DatasetFormatError('t10k-images-idx3-ubyte', 'truncated'),
      new ModelUnavailableError('pointnet2-modelnet10', 'split sizes differ'),
    ])
      expect(isPermanentEvaluationError(error)).toBe(true);
  });

  it('is false for anything not marked permanent, whatever its name', () => {
    expect(isPermanentEvaluationError(new Error('ECONNRESET'))).toBe(false);
    expect(
      isPermanentEvaluationError(Object.assign(new Error('x'), { name: 'DatasetFormatError' })),
    ).toBe(false);
    expect(isPermanentEvaluationError(Object.assign(new Error('x'), { permanent: 'yes' }))).toBe(
      false,
    );
    expect(isPermanentEvaluationError(null)).toBe(false);
    expect(isPermanentEvaluationError(undefined)).toBe(false);
  });
});
