import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestPlatform } from './testing/test-platform';

jest.setTimeout(60_000);

const REPO_MODELS = path.resolve(__dirname, '../../../models');

function spec(model: string) {
  return {
    name: `needs ${model} data`,
    model,
    grid: { camThreshold: [0.1, 0.2] },
    fixed: { memorySize: 2 },
    sampleCount: 10,
  };
}

/**
 * A sweep whose every run would fail for want of its dataset is refused at submission (409 that
 * says what to do), not queued and retried. The trained PointNet++ manifest is read (never its
 * weights) so its artifact check passes and the data check is the one that answers.
 */
describe('submission refuses a model whose dataset is missing', () => {
  let empty: string;
  let platform: TestPlatform;
  let unchecked: TestPlatform;

  beforeAll(async () => {
    empty = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-no-data-'));
    const missing = path.join(empty, 'nothing-here');
    platform = await TestPlatform.start({
      ENGRAM_MNIST_DIR: empty,
      ENGRAM_MODELNET_DIR: missing,
      // The committed artifacts: only their manifests are read.
      ENGRAM_MODELS_DIR: REPO_MODELS,
    });
    unchecked = await TestPlatform.start({
      ENGRAM_MNIST_DIR: empty,
      SUBMIT_CHECKS_MODEL_DATA: 'false',
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await unchecked?.stop();
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('answers 409 naming MNIST, the missing file and the variable to set; nothing is stored', async () => {
    const response = await platform.post('/sweeps', spec('resnet-mnist'));
    expect(response.status).toBe(409);
    expect(response.body.message).toMatch(/^resnet-mnist needs the MNIST dataset/);
    expect(response.body.message).toContain(path.join(empty, 'train-images-idx3-ubyte'));
    expect(response.body.message).toContain('ENGRAM_MNIST_DIR');
    expect(response.body.issues).toEqual([
      { field: 'model', message: 'MNIST data missing for resnet-mnist' },
    ]);
    const [{ n }] = await platform.db.dataSource.query(`SELECT count(*)::int AS n FROM sweeps`);
    expect(n).toBe(0);
  });

  it('answers 409 for a PointNet++ sweep without ModelNet, saying where to get it', async () => {
    const response = await platform.post('/sweeps', spec('pointnet2-modelnet10'));
    expect(response.status).toBe(409);
    expect(response.body.message).toMatch(/^pointnet2-modelnet10 needs the ModelNet dataset/);
    expect(response.body.message).toContain('ENGRAM_MODELNET_DIR');
    expect(response.body.message).toContain('engram data fetch modelnet10');
  });

  it('accepts the sweep when the check is turned off (SUBMIT_CHECKS_MODEL_DATA=false)', async () => {
    const response = await unchecked.post('/sweeps', spec('resnet-mnist'));
    expect(response.status).toBe(202);
  });
});
