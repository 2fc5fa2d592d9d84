import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeTempDir, pcdBytes, removeTempDir, writeFile } from '../testing/fixtures';
import { findWorkspaceRoot } from '../workspace-root';
import { UP_AXIS } from './augment';
import {
  ModelNetMissingError,
  assertModelNetAvailable,
  defaultModelNetRoot,
  modelNetAvailable,
  resolveDataDir,
} from './data-dir';
import {
  discoverModelNetClasses,
  loadModelNet,
  resolveModelNetRoot,
  type ModelNetDataset,
} from './dataset';

const CUBE_OFF = [
  'OFF8 6 0', // ModelNet's malformed header
  ...['0 0 0', '2 0 0', '2 2 0', '0 2 0', '0 0 2', '2 0 2', '2 2 2', '0 2 2'],
  ...['4 0 3 2 1', '4 4 5 6 7', '4 0 1 5 4', '4 1 2 6 5', '4 2 3 7 6', '4 3 0 4 7'],
].join('\n');

describe('loadModelNet on a generated mini tree', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('modelnet');
    const points = (n: number, offset: number) =>
      Array.from({ length: n }, (_, i) => [offset + i, -i, 2 * i]);
    writeFile(path.join(root, 'cube', 'train', 'cube_0001.off'), CUBE_OFF);
    writeFile(path.join(root, 'cube', 'train', 'cube_0002.pcd'), pcdBytes(points(50, 0), 'binary'));
    writeFile(path.join(root, 'cube', 'test', 'cube_0003.off'), CUBE_OFF);
    const withRgb = points(5, 10).map((p) => [...p, 0.5]);
    writeFile(
      path.join(root, 'bar', 'train', 'bar_0001.pcd'),
      pcdBytes(withRgb, 'ascii', ['x', 'y', 'z', 'rgb']),
    );
    writeFile(path.join(root, 'bar', 'train', 'notes.txt'), 'not a shape');
    writeFile(path.join(root, 'bar', 'test', 'bar_0002.PCD'), pcdBytes(points(8, 3), 'binary'));
    fs.mkdirSync(path.join(root, '__MACOSX')); // zip debris without train/test: not a class
  });
  afterAll(() => removeTempDir(root));

  it('loads both formats, normalized, with sorted discovered classes', async () => {
    const progress: number[] = [];
    const data = await loadModelNet({
      root,
      split: 'train',
      numPoints: 16,
      seed: 3,
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(data.classNames).toEqual(['bar', 'cube']);
    expect(data.files).toEqual([
      'bar/train/bar_0001.pcd',
      'cube/train/cube_0001.off',
      'cube/train/cube_0002.pcd',
    ]);
    expect(Array.from(data.labels)).toEqual([0, 1, 1]);
    expect(data.count).toBe(3);
    expect(data.points.length).toBe(3 * 16 * 3);
    expect(progress).toEqual([1, 2, 3]);
    for (let shape = 0; shape < data.count; shape++) {
      const cloud = data.points.subarray(shape * 48, (shape + 1) * 48);
      const norms = Array.from({ length: 16 }, (_, p) =>
        Math.hypot(cloud[3 * p], cloud[3 * p + 1], cloud[3 * p + 2]),
      );
      expect(Math.max(...norms)).toBeCloseTo(1, 5);
      for (let axis = 0; axis < 3; axis++) {
        expect(
          Math.abs(cloud.filter((_, i) => i % 3 === axis).reduce((a, b) => a + b, 0) / 16),
        ).toBeLessThan(1e-6);
      }
    }
  });

  it('samples .off meshes on their surface', async () => {
    const data = await loadModelNet({
      root,
      split: 'test',
      numPoints: 256,
      seed: 1,
      classes: ['cube'],
    });
    // every point lies on a face of the (normalized) cube: one coordinate is at that axis's min or max
    const cube = toShape(data, 0);
    const low = [0, 1, 2].map((axis) => Math.min(...cube.map((p) => p[axis])));
    const high = [0, 1, 2].map((axis) => Math.max(...cube.map((p) => p[axis])));
    const onFace = (p: number[]) =>
      p.some((v, axis) => Math.abs(v - low[axis]) < 1e-5 || Math.abs(v - high[axis]) < 1e-5);
    expect(cube.filter((p) => !onFace(p))).toEqual([]);
    expect(high[0] - low[0]).toBeCloseTo(high[2] - low[2], 5);
  });

  it('is deterministic per seed and differs across seeds', async () => {
    const load = (seed: number) => loadModelNet({ root, split: 'train', numPoints: 16, seed });
    const [a, b, c] = await Promise.all([load(3), load(3), load(4)]);
    expect(a.points).toEqual(b.points);
    expect(a.points).not.toEqual(c.points);
  });

  it('loads the chosen classes in the given order, labels following that order', async () => {
    const data = await loadModelNet({
      root,
      split: 'test',
      numPoints: 4,
      seed: 0,
      classes: ['cube', 'bar'],
    });
    expect(data.classNames).toEqual(['cube', 'bar']);
    expect(data.files).toEqual(['cube/test/cube_0003.off', 'bar/test/bar_0002.PCD']);
    expect(Array.from(data.labels)).toEqual([0, 1]);
  });

  it('reads the root from ENGRAM_MODELNET_DIR', () => {
    const saved = process.env['ENGRAM_MODELNET_DIR'];
    process.env['ENGRAM_MODELNET_DIR'] = root;
    try {
      expect(resolveModelNetRoot()).toBe(path.resolve(root));
    } finally {
      if (saved === undefined) delete process.env['ENGRAM_MODELNET_DIR'];
      else process.env['ENGRAM_MODELNET_DIR'] = saved;
    }
  });

  it('names the command that fetches ModelNet when the root is missing', async () => {
    await expect(
      loadModelNet({ root: path.join(root, 'absent'), split: 'test', numPoints: 4, seed: 0 }),
    ).rejects.toThrow(
      /ModelNet not found at .*absent\. Run `engram data fetch modelnet10`.*ENGRAM_DATA_DIR.*ENGRAM_MODELNET_DIR/,
    );
  });

  it('defaults to <ENGRAM_DATA_DIR>/modelnet10, else the user data folder, never beside the checkout', () => {
    expect(defaultModelNetRoot({ ENGRAM_DATA_DIR: '/data/engram' })).toBe(
      path.resolve('/data/engram/modelnet10'),
    );
    expect(
      defaultModelNetRoot({
        ENGRAM_DATA_DIR: '/data/engram',
        ENGRAM_MODELNET_DIR: '/m/ModelNet10',
      }),
    ).toBe(path.resolve('/m/ModelNet10'));
    expect(resolveDataDir({ XDG_DATA_HOME: '/xdg' })).toBe(
      process.platform === 'linux' ? '/xdg/engram' : resolveDataDir({}),
    );
    if (process.platform === 'linux') {
      expect(resolveDataDir({})).toBe(path.join(os.homedir(), '.local', 'share', 'engram'));
    }
    expect(modelNetAvailable(root)).toBe(true);
    expect(modelNetAvailable(path.join(root, 'absent'))).toBe(false);
    expect(() => assertModelNetAvailable(path.join(root, 'absent'))).toThrow(ModelNetMissingError);
  });

  it('rejects a root without class folders, unknown classes and bad options', async () => {
    expect(() => discoverModelNetClasses(path.join(root, '__MACOSX'))).toThrow(
      /no ModelNet class folders in/,
    );
    await expect(
      loadModelNet({ root, split: 'test', numPoints: 4, seed: 0, classes: ['lamp'] }),
    ).rejects.toThrow(/ModelNet class 'lamp' has no test folder/);
    await expect(
      loadModelNet({ root, split: 'test', numPoints: 4, seed: 0, classes: ['bar', 'bar'] }),
    ).rejects.toThrow(/classes must not repeat a class/);
    await expect(loadModelNet({ root, split: 'test', numPoints: 0, seed: 0 })).rejects.toThrow(
      /numPoints must be a positive integer/,
    );
  });

  it('names the file of a malformed shape', async () => {
    const bad = makeTempDir('modelnet-bad');
    try {
      writeFile(path.join(bad, 'cube', 'test', 'cube_0001.off'), 'OFF\n3 1 0\n0 0 0\n');
      await expect(
        loadModelNet({ root: bad, split: 'test', numPoints: 4, seed: 0 }),
      ).rejects.toThrow('cube/test/cube_0001.off:4: truncated');
      writeFile(
        path.join(bad, 'nan', 'test', 'nan_0001.pcd'),
        pcdBytes([[NaN, NaN, NaN]], 'ascii'),
      );
      await expect(
        loadModelNet({ root: bad, split: 'test', numPoints: 4, seed: 0, classes: ['nan'] }),
      ).rejects.toThrow('nan/test/nan_0001.pcd: the point cloud has no valid points');
      writeFile(path.join(bad, 'cube', 'test', 'cube_0001.pcd'), pcdBytes([[1, 2, 3]], 'ascii'));
      await expect(
        loadModelNet({ root: bad, split: 'test', numPoints: 4, seed: 0 }),
      ).rejects.toThrow("shape 'cube_0001' exists as both .off and .pcd");
    } finally {
      removeTempDir(bad);
    }
  });
});

const SHARED_MODELNET10 = path.resolve(
  findWorkspaceRoot(),
  '..',
  'shared',
  'datasets',
  'modelnet10',
);
const hasSharedModelNet = fs.existsSync(SHARED_MODELNET10);
if (!hasSharedModelNet) {
  console.warn(`skipping the real ModelNet10 tests: ${SHARED_MODELNET10} is absent`);
}

(hasSharedModelNet ? describe : describe.skip)(
  'loadModelNet on the shared ModelNet10 (../shared/datasets/modelnet10)',
  () => {
    it('loads the 908 test shapes with the official per-class counts, and +z is up', async () => {
      const data = await loadModelNet({
        root: SHARED_MODELNET10,
        split: 'test',
        numPoints: 1024,
        seed: 0,
      });
      expect(data.count).toBe(908);
      expect(data.points.length).toBe(908 * 1024 * 3);
      expect(classCounts(data)).toEqual({
        bathtub: 50,
        bed: 100,
        chair: 100,
        desk: 86,
        dresser: 86,
        monitor: 100,
        night_stand: 86,
        sofa: 100,
        table: 100,
        toilet: 100,
      });
      // up axis: tables and beds are flat along it, and a table's mass (its top) sits high on it
      for (const className of ['table', 'bed']) {
        const extent = meanExtent(data, className);
        expect(extent[UP_AXIS]).toBeLessThan(Math.min(extent[0], extent[1]));
      }
      expect(meanCentroidHeight(data, 'table')).toBeGreaterThan(0.6);
    }, 30_000);

    it('loads the 3,991 training shapes', async () => {
      const data = await loadModelNet({
        root: SHARED_MODELNET10,
        split: 'train',
        numPoints: 1024,
        seed: 0,
      });
      expect(data.count).toBe(3991);
      expect(classCounts(data)['chair']).toBe(889);
    }, 30_000);
  },
);

function classCounts(data: ModelNetDataset): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of data.labels)
    counts[data.classNames[label]] = (counts[data.classNames[label]] ?? 0) + 1;
  return counts;
}

function toShape(data: ModelNetDataset, shape: number): number[][] {
  return Array.from({ length: data.numPoints }, (_, p) => {
    const at = (shape * data.numPoints + p) * 3;
    return [data.points[at], data.points[at + 1], data.points[at + 2]];
  });
}

function shapesOf(data: ModelNetDataset, className: string): number[][][] {
  const label = data.classNames.indexOf(className);
  return Array.from(data.labels.keys())
    .filter((shape) => data.labels[shape] === label)
    .map((shape) => toShape(data, shape));
}

/** Mean bounding-box size per axis of a class's shapes. */
function meanExtent(data: ModelNetDataset, className: string): number[] {
  const shapes = shapesOf(data, className);
  return [0, 1, 2].map(
    (axis) =>
      shapes.reduce((sum, shape) => {
        const values = shape.map((p) => p[axis]);
        return sum + Math.max(...values) - Math.min(...values);
      }, 0) / shapes.length,
  );
}

/** Mean position of the centroid along the up axis, 0 = lowest point, 1 = highest. */
function meanCentroidHeight(data: ModelNetDataset, className: string): number {
  const shapes = shapesOf(data, className);
  return (
    shapes.reduce((sum, shape) => {
      const heights = shape.map((p) => p[UP_AXIS]);
      const low = Math.min(...heights);
      // the clouds are centred, so the centroid is at 0
      return sum + (0 - low) / (Math.max(...heights) - low);
    }, 0) / shapes.length
  );
}
