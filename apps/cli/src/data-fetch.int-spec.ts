import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { syntheticModelNetArchive } from '@engram/datasets/testing';
import { writeTinyPointNetArtifact } from '@engram/evaluation/testing';
import { initTensorEngine } from '@engram/tensor';
import { ArchiveServer, startArchiveServer } from './testing/archive-server';
import { cleanEnv, startCli } from './testing/cli-process';

jest.setTimeout(5 * 60_000);

/**
 * A clean clone's path to the 3D half of the project: no ModelNet anywhere (an empty home and data
 * folder, nothing beside the checkout is read), `engram data fetch modelnet10` from a local server
 * (a small generated archive in the official layout), then a PointNet++ evaluation on the
 * fetched clouds.
 */
describe('engram data fetch modelnet10, then a PointNet++ evaluation', () => {
  let server: ArchiveServer;
  let home: string;
  let dataDir: string;
  let modelsDir: string;

  beforeAll(async () => {
    await initTensorEngine({ log: () => undefined });
    server = await startArchiveServer(syntheticModelNetArchive({ seed: 1 }));
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-home-'));
    dataDir = path.join(home, 'data');
    // the artifact's dataset: the 4 generated classes, 6 train meshes each of which the
    // stratified split (fraction 0.2) keeps round(1.2) = 1 per class for validation, 2 test each
    modelsDir = writeTinyPointNetArtifact({
      name: 'modelnet10-test-archive',
      classNames: ['box', 'octahedron', 'prism', 'pyramid'],
      trainSamples: 20,
      validationSamples: 4,
      validationFraction: 0.2,
      splitSeed: 0,
      testSamples: 8,
    });
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  const cli = async (args: string[]) => {
    const run = startCli(
      args,
      cleanEnv({ HOME: home, ENGRAM_DATA_DIR: dataDir, ENGRAM_MODELS_DIR: modelsDir }),
    );
    const { code } = await run.exited;
    return { code, output: run.output(), stdout: run.stdout() };
  };
  const evaluateArgs = ['evaluate', '--model', 'pointnet2-modelnet10', '--samples', '8'];

  it('without the data, the evaluation names the command that fetches it', async () => {
    const { code, output } = await cli(evaluateArgs);
    expect(code).toBe(1);
    expect(output).toContain(
      `ModelNet not found at ${path.join(dataDir, 'modelnet10')}. Run \`engram data fetch modelnet10\``,
    );
  });

  it('without the data, engram up refuses a PointNet++ sweep before starting anything', async () => {
    const spec = path.join(home, 'pointnet-sweep.yaml');
    fs.writeFileSync(
      spec,
      'name: pointnet\nmodel: pointnet2-modelnet10\ngrid: { camThreshold: [0.1] }\nfixed: { memorySize: 2 }\n',
    );
    const stackDir = path.join(home, 'stack');
    const { code, output } = await cli([
      'up',
      '--spec',
      spec,
      '--dir',
      stackDir,
      '--exit-when-done',
    ]);
    expect(code).toBe(1);
    expect(output).toContain('needs ModelNet10, which is not at');
    expect(output).toContain('npm run engram -- data fetch modelnet10');
    expect(fs.existsSync(stackDir)).toBe(false);
  });

  it('fetches the archive and builds the cache, then evaluates the PointNet++ on it', async () => {
    const fetched = await cli([
      'data',
      'fetch',
      'modelnet10',
      '--url',
      server.url,
      '--expect-layout',
      '4,24,8',
    ]);
    expect(fetched.output).toContain(
      `ModelNet10 ready in ${path.join(dataDir, 'modelnet10')}: 4 classes, 24 train and 8 test clouds of 1024 points`,
    );
    expect(fetched.code).toBe(0);
    expect(server.ranges).toEqual(['']);

    const evaluated = await cli([...evaluateArgs, '--json']);
    expect(evaluated.code).toBe(0);
    const result = JSON.parse(evaluated.stdout) as {
      model: string;
      samples: number;
      exitHistogram: number[];
      dynamicAccuracy: number;
      artifactVersion: string;
    };
    expect(result.model).toBe('pointnet2-modelnet10');
    expect(result.artifactVersion).toBe('tiny-3');
    expect(result.samples).toBe(8);
    expect(result.exitHistogram.reduce((a, b) => a + b, 0)).toBe(8);
    expect(result.dynamicAccuracy).toBeGreaterThanOrEqual(0);
    expect(result.dynamicAccuracy).toBeLessThanOrEqual(1);
  });
});
