import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deriveSeed, SeededRandom } from '../random';
import {
  ModelNetArchiveError,
  indexModelNetArchive,
  readArchiveShapes,
  type ModelNetArchiveLayout,
} from './archive';
import { parseOff } from './off';
import { encodePcdBinary } from './pcd';
import { sampleSurface } from './sampling';

/** Written at the root of a cache built from an archive; its presence marks a complete cache. */
export const CACHE_MANIFEST = 'engram-modelnet.json';

/** Points sampled per mesh by default: what the PointNet++ reads (the shared copy's count too). */
export const DEFAULT_CACHE_POINTS = 1024;
/** Seed of the surface sampling, fixed so every machine builds the same clouds from the same archive. */
export const DEFAULT_CACHE_SEED = 20260101;

export interface ModelNetCacheManifest {
  format: 1;
  source: { url: string; archive: string; sha256: string };
  numPoints: number;
  seed: number;
  sampling: 'uniform-area-weighted';
  classes: Record<string, { train: number; test: number }>;
  createdAt: string;
}

export interface BuildModelNetCacheOptions {
  /** The downloaded zip. */
  archive: string;
  /** The cache folder to create (replaced atomically if it exists). */
  target: string;
  layout: ModelNetArchiveLayout;
  source: { url: string; sha256: string };
  numPoints?: number;
  seed?: number;
  onProgress?: (progress: { converted: number; total: number; file: string }) => void;
}

/**
 * Checks a ModelNet zip's structure and every mesh's CRC-32, samples each mesh's surface
 * (area-weighted, seeded by (seed, `<class>/<split>/<shape>.off`)) and writes the clouds as binary
 * PCD files in the loader's layout, `<target>/<class>/<split>/<shape>.pcd`, raw coordinates (the
 * loader normalizes). Atomic: everything is written into a temporary sibling folder which is renamed
 * to `target` only when complete, so a reader never sees a half-written cache.
 */
export async function buildModelNetCache(
  options: BuildModelNetCacheOptions,
): Promise<ModelNetCacheManifest> {
  const numPoints = options.numPoints ?? DEFAULT_CACHE_POINTS;
  const seed = options.seed ?? DEFAULT_CACHE_SEED;
  if (!Number.isInteger(numPoints) || numPoints <= 0) {
    throw new RangeError(`numPoints must be a positive integer, got ${numPoints}`);
  }
  const index = await indexModelNetArchive(options.archive, options.layout);
  const parent = path.dirname(options.target);
  fs.mkdirSync(parent, { recursive: true });
  removeStaleTemporaries(options.target);
  const temp = temporarySibling(options.target, 'tmp');
  try {
    let converted = 0;
    await readArchiveShapes(options.archive, index.shapes, (shape, bytes) => {
      const file = `${shape.className}/${shape.split}/${shape.stem}.off`;
      let mesh;
      try {
        mesh = parseOff(bytes.toString('latin1'), file);
      } catch (error) {
        throw new ModelNetArchiveError(options.archive, 'corrupt', (error as Error).message);
      }
      const random = new SeededRandom(deriveSeed(seed, file));
      const points = sampleSurface(mesh, numPoints, random, file);
      const dir = path.join(temp, shape.className, shape.split);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${shape.stem}.pcd`), encodePcdBinary(points));
      converted++;
      options.onProgress?.({ converted, total: index.shapes.length, file });
    });
    const manifest: ModelNetCacheManifest = {
      format: 1,
      source: {
        url: options.source.url,
        archive: path.basename(options.archive),
        sha256: options.source.sha256,
      },
      numPoints,
      seed,
      sampling: 'uniform-area-weighted',
      classes: index.counts,
      createdAt: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(temp, CACHE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    replaceDirectory(temp, options.target);
    return manifest;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

/** The manifest of a cache built by buildModelNetCache, or undefined (none, or another layout). */
export function readCacheManifest(root: string): ModelNetCacheManifest | undefined {
  const file = path.join(root, CACHE_MANIFEST);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ModelNetCacheManifest;
}

/** `temp` becomes `target`; an existing target is moved aside first and removed after. */
function replaceDirectory(temp: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(temp, target);
    return;
  }
  const old = temporarySibling(target, 'old');
  fs.renameSync(target, old);
  fs.renameSync(temp, target);
  fs.rmSync(old, { recursive: true, force: true });
}

function temporarySibling(target: string, kind: 'tmp' | 'old'): string {
  const suffix = crypto.randomBytes(4).toString('hex');
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${suffix}`);
}

/** Leftovers of a build that was killed (a crash cannot run the finally above). */
function removeStaleTemporaries(target: string): void {
  const prefix = `.${path.basename(target)}.`;
  for (const name of fs.readdirSync(path.dirname(target))) {
    if (name.startsWith(prefix) && /\.(tmp|old)-[0-9a-f]{8}$/.test(name)) {
      fs.rmSync(path.join(path.dirname(target), name), { recursive: true, force: true });
    }
  }
}
