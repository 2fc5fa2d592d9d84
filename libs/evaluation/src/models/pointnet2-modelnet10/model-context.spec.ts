import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_DEVICE_PROFILE } from '@engram/hardware';
import { resolveModelNetRoot } from '@engram/datasets';
import { PointNetNetwork, savePointNetArtifact } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';
import { ModelNetModelContext } from './model-context';
import { TINY_POINTNET_SPEC, tinyPointNetContext } from './testing';

jest.setTimeout(120_000);

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
});

describe('ModelNetModelContext', () => {
  it('calibrates once per profile and builds one semantic memory per exit', () => {
    const context = tinyPointNetContext(4);
    const calibration = context.calibration(DEFAULT_DEVICE_PROFILE);
    expect([...calibration.keys()].sort()).toEqual(
      context.ternaryNetwork.weightLayers.map((l) => l.name).sort(),
    );
    expect(context.calibration(DEFAULT_DEVICE_PROFILE)).toBe(calibration);
    const memories = context.memory(3, 0.25, 0);
    expect(memories.map((m) => [m.dim, m.rowClass.length])).toEqual([
      [16, 4 * 3],
      [16, 4 * 3],
    ]);
    expect(context.memory(3, 0.25, 0)).toBe(memories);
    const software = context.softwarePredictions('test', 37);
    expect(software).toHaveLength(37);
    expect(Math.max(...software)).toBeLessThan(4);
    const x = context.clouds(context.dataset('test'), 2, 5);
    expect(x.shape).toEqual([5, 64, 3]);
    x.dispose();
    context.dispose();
  });
});

function sharedModelNet(): string | null {
  try {
    return resolveModelNetRoot();
  } catch {
    return null;
  }
}

const root = sharedModelNet();
if (!root) console.warn('skipping the ModelNet10 context test: no ModelNet folder');

(root ? describe : describe.skip)('ModelNetModelContext.load on ModelNet10', () => {
  it('reloads the artifact split (seeded, stratified) and checks it against the artifact', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'engram-pn2-')), 'pointnet2');
    const network = PointNetNetwork.create(TINY_POINTNET_SPEC, 1);
    const metrics = { testAccuracy: NaN, testExitAccuracy: [], testSamples: 0 };
    const training = { epochs: 0, seconds: 0, config: {}, history: [] };
    const manifest = {
      name: 'pointnet2-modelnet10',
      createdAt: new Date(0).toISOString(),
      spec: { ...TINY_POINTNET_SPEC, numClasses: 10 },
      input: { numPoints: 64, normalization: 'unit-sphere' as const, upAxis: 2, pointSeed: 5 },
      dataset: {
        name: 'modelnet10',
        classNames: [
          'bathtub',
          'bed',
          'chair',
          'desk',
          'dresser',
          'monitor',
          'night_stand',
          'sofa',
          'table',
          'toilet',
        ],
        trainSamples: 3591,
        validationSamples: 400,
        validationFraction: 0.1,
        splitSeed: 20240602,
        testSamples: 908,
      },
    };
    const tenClasses = PointNetNetwork.create(manifest.spec, 1);
    savePointNetArtifact(
      dir,
      manifest,
      {
        float: { network: tenClasses, metrics, training },
        ternary: { network: tenClasses, metrics, training },
      },
      'test',
    );
    const context = await ModelNetModelContext.load(dir, root as string);
    expect(context.dataset('validation').count).toBe(400);
    // A seeded random order: any prefix mixes the classes.
    const test = context.dataset('test');
    expect(new Set(test.labels.subarray(0, 60)).size).toBeGreaterThanOrEqual(8);
    expect(test.sourceIndices[0]).not.toBe(0);
    const again = await ModelNetModelContext.load(dir, root as string);
    expect(Array.from(again.dataset('test').sourceIndices)).toEqual(Array.from(test.sourceIndices));
    again.dispose();
    expect(context.clouds(context.dataset('train'), 0, 2).shape).toEqual([2, 64, 3]);
    context.dispose();

    savePointNetArtifact(
      dir,
      { ...manifest, dataset: { ...manifest.dataset, trainSamples: 3000 } },
      {
        float: { network: tenClasses, metrics, training },
        ternary: { network: tenClasses, metrics, training },
      },
      'test',
    );
    await expect(ModelNetModelContext.load(dir, root as string)).rejects.toThrow(
      /counts 3591\/400\/908 differ from the artifact's 3000\/400\/908/,
    );
    network.dispose();
    tenClasses.dispose();
  });
});
