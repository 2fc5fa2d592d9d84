import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  MODELNET10_FOLDER,
  MODELNET10_LAYOUT,
  ModelNetArchiveError,
  buildModelNetCache,
  readCacheManifest,
  type ModelNetArchiveLayout,
  type ModelNetCacheManifest,
} from '@engram/datasets';
import { downloadResumable, type DownloadProgress } from './download';

/** Princeton's ModelNet10 archive (the URL the 3D ShapeNets page links to). */
export const MODELNET10_URL =
  'http://3dvision.princeton.edu/projects/2014/3DShapeNets/ModelNet10.zip';
export const MODELNET10_ARCHIVE = 'ModelNet10.zip';
/** File in the data folder with the archive's SHA-256 recorded at the first download (sha256sum format). */
export const MODELNET10_DIGEST_FILE = `${MODELNET10_ARCHIVE}.sha256`;

export interface FetchModelNetOptions {
  dataDir: string;
  url: string;
  /** Expected SHA-256 (hex); default: the one recorded at the first download, if any. */
  sha256?: string;
  /** Rebuild even if the cache exists (the archive is downloaded again unless kept). */
  force?: boolean;
  /** Keep the zip in `<dataDir>/downloads` after the conversion. */
  keepArchive?: boolean;
  numPoints?: number;
  seed?: number;
  /** Expected structure (tests use a small archive). Default: ModelNet10's. */
  layout?: ModelNetArchiveLayout;
  retries?: number;
  retryDelayMs?: number;
  idleTimeoutMs?: number;
  onDownloadProgress?: (progress: DownloadProgress) => void;
  onConvertProgress?: (progress: { converted: number; total: number; file: string }) => void;
  log?: (line: string) => void;
}

export interface FetchModelNetResult {
  root: string;
  manifest: ModelNetCacheManifest;
  /** The cache was already there: nothing was downloaded. */
  alreadyPresent: boolean;
}

/** The archive's SHA-256 is not the expected one. */
export class ChecksumMismatchError extends Error {
  constructor(
    readonly archive: string,
    readonly actual: string,
    readonly expected: string,
    readonly expectedFrom: string,
  ) {
    super(
      `${archive}: SHA-256 ${actual} does not match ${expected} (${expectedFrom}); the file was removed`,
    );
    this.name = 'ChecksumMismatchError';
  }
}

/** Not enough room for the download and the cache, or the disk filled up while writing. */
export class DiskFullError extends Error {
  constructor(
    readonly dir: string,
    detail: string,
  ) {
    super(`not enough disk space in ${dir}: ${detail}`);
    this.name = 'DiskFullError';
  }
}

/** The data folder already holds a ModelNet folder that fetch did not build. */
export class ForeignCacheError extends Error {
  constructor(readonly root: string) {
    super(
      `${root} already exists and was not built by engram data fetch (no engram-modelnet.json); ` +
        'the loader reads it as it is. Pass --force to replace it with the fetched data.',
    );
    this.name = 'ForeignCacheError';
  }
}

/**
 * Downloads ModelNet10.zip into `<dataDir>/downloads` (resumable), checks its SHA-256 against the
 * expected or recorded one, its structure and every mesh's CRC-32, builds the point-cloud cache
 * `<dataDir>/modelnet10` atomically, records the digest at the first successful fetch and removes
 * the zip (unless kept). A cache already built is left alone unless `force`.
 */
export async function fetchModelNet10(options: FetchModelNetOptions): Promise<FetchModelNetResult> {
  const log = options.log ?? (() => undefined);
  const root = path.join(options.dataDir, MODELNET10_FOLDER);
  const layout = options.layout ?? MODELNET10_LAYOUT;
  if (!options.force && fs.existsSync(root)) {
    const manifest = readCacheManifest(root);
    if (!manifest) throw new ForeignCacheError(root);
    log(`ModelNet10 is already in ${root} (built ${manifest.createdAt}); --force rebuilds it`);
    return { root, manifest, alreadyPresent: true };
  }

  const downloads = path.join(options.dataDir, 'downloads');
  const archive = path.join(downloads, MODELNET10_ARCHIVE);
  const digestFile = path.join(options.dataDir, MODELNET10_DIGEST_FILE);
  try {
    fs.mkdirSync(downloads, { recursive: true });
    if (fs.existsSync(archive)) {
      log(`using the archive already downloaded: ${archive}`);
    } else {
      log(`downloading ${options.url}`);
      await downloadResumable({
        url: options.url,
        file: archive,
        retries: options.retries,
        retryDelayMs: options.retryDelayMs,
        idleTimeoutMs: options.idleTimeoutMs,
        onProgress: options.onDownloadProgress,
        onSize: (remainingBytes) =>
          checkFreeSpace(downloads, remainingBytes + estimatedCacheBytes(layout, options)),
      });
    }

    const sha256 = await sha256File(archive);
    const recorded = readRecordedDigest(digestFile);
    const expected = options.sha256?.toLowerCase() ?? recorded;
    if (expected !== undefined && sha256 !== expected) {
      fs.rmSync(archive, { force: true });
      throw new ChecksumMismatchError(
        archive,
        sha256,
        expected,
        options.sha256 ? 'given with --sha256' : `recorded at the first download in ${digestFile}`,
      );
    }

    log(`SHA-256 ${sha256}; checking the archive and sampling the meshes' surfaces`);
    let manifest: ModelNetCacheManifest;
    try {
      manifest = await buildModelNetCache({
        archive,
        target: root,
        layout,
        source: { url: options.url, sha256 },
        numPoints: options.numPoints,
        seed: options.seed,
        onProgress: options.onConvertProgress,
      });
    } catch (error) {
      // a corrupt or wrong archive is removed so the next fetch downloads it again
      if (error instanceof ModelNetArchiveError) fs.rmSync(archive, { force: true });
      throw error;
    }
    if (recorded === undefined) {
      fs.writeFileSync(digestFile, `${sha256}  ${MODELNET10_ARCHIVE}\n`);
      log(`recorded the archive's SHA-256 in ${digestFile}: later fetches are checked against it`);
    }
    if (!options.keepArchive) fs.rmSync(archive, { force: true });
    return { root, manifest, alreadyPresent: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'ENOSPC') {
      throw new DiskFullError(
        options.dataDir,
        `the disk filled up while writing (${(error as Error).message}); free some space ` +
          'or set ENGRAM_DATA_DIR to a larger disk, then run the command again (the download resumes)',
      );
    }
    throw error;
  }
}

/** The cache's size: one binary PCD per mesh (header ~200 bytes + 12 bytes per point). */
function estimatedCacheBytes(
  layout: ModelNetArchiveLayout,
  options: Pick<FetchModelNetOptions, 'numPoints'>,
): number {
  return (layout.trainFiles + layout.testFiles) * (200 + 12 * (options.numPoints ?? 1024));
}

function checkFreeSpace(dir: string, neededBytes: number): void {
  const stats = fs.statfsSync(dir);
  const freeBytes = stats.bavail * stats.bsize;
  if (freeBytes < neededBytes) {
    throw new DiskFullError(
      dir,
      `${(neededBytes / 1e6).toFixed(0)} MB needed (the rest of the archive and the point-cloud cache), ` +
        `${(freeBytes / 1e6).toFixed(0)} MB free; free some space or set ENGRAM_DATA_DIR to a larger disk`,
    );
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function readRecordedDigest(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  const digest = fs.readFileSync(file, 'utf8').trim().split(/\s+/)[0]?.toLowerCase();
  if (!digest || !/^[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`${file} does not hold a SHA-256 digest: remove it to record a new one`);
  }
  return digest;
}
