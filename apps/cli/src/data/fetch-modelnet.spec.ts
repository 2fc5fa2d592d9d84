import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CACHE_MANIFEST,
  ModelNetArchiveError,
  ModelNetMissingError,
  loadModelNet,
  modelNetAvailable,
  resolveModelNetRoot,
} from '@engram/datasets';
import { syntheticModelNetArchive } from '@engram/datasets/testing';
import { ArchiveServer, startArchiveServer } from '../testing/archive-server';
import { HttpStatusError, NetworkError } from './download';
import {
  ChecksumMismatchError,
  DiskFullError,
  FetchModelNetOptions,
  ForeignCacheError,
  MODELNET10_DIGEST_FILE,
  fetchModelNet10,
} from './fetch-modelnet';
import { downloadProgressLine } from './progress';

jest.setTimeout(60_000);

/** 4 classes x (6 train + 2 test) meshes: the structure check relaxed to the small archive. */
const SMALL_LAYOUT = { classCount: 4, trainFiles: 24, testFiles: 8 };
const archive = syntheticModelNetArchive({ seed: 1 });
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

let server: ArchiveServer;
let dataDir: string;

beforeAll(async () => {
  server = await startArchiveServer(archive);
});
afterAll(() => server.close());
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-fetch-'));
  server.body = archive;
  server.ranges = [];
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const fetchOptions = (extra: Partial<FetchModelNetOptions> = {}): FetchModelNetOptions => ({
  dataDir,
  url: server.url,
  layout: SMALL_LAYOUT,
  numPoints: 256,
  retries: 3,
  retryDelayMs: 10,
  ...extra,
});

describe('engram data fetch modelnet10 (against a local server)', () => {
  it('downloads, verifies, samples into the cache, records the digest and removes the zip', async () => {
    const progress: number[] = [];
    const result = await fetchModelNet10(
      fetchOptions({ onDownloadProgress: (p) => progress.push(p.bytes) }),
    );
    const root = path.join(dataDir, 'modelnet10');
    expect(result).toMatchObject({ root, alreadyPresent: false });
    expect(result.manifest.classes).toEqual({
      box: { train: 6, test: 2 },
      octahedron: { train: 6, test: 2 },
      prism: { train: 6, test: 2 },
      pyramid: { train: 6, test: 2 },
    });
    expect(result.manifest.source.sha256).toBe(sha256(archive));
    expect(progress.at(-1)).toBe(archive.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(fs.readFileSync(path.join(dataDir, MODELNET10_DIGEST_FILE), 'utf8')).toBe(
      `${sha256(archive)}  ModelNet10.zip\n`,
    );
    expect(fs.readdirSync(path.join(dataDir, 'downloads'))).toEqual([]);
    // only the cache and its manifest: no temporary folder left beside it
    expect(fs.readdirSync(dataDir).sort()).toEqual(
      ['ModelNet10.zip.sha256', 'downloads', 'modelnet10'].sort(),
    );
    expect(fs.existsSync(path.join(root, CACHE_MANIFEST))).toBe(true);

    const test = await loadModelNet({ root, split: 'test', numPoints: 256, seed: 0 });
    expect(test.count).toBe(8);
    expect(test.classNames).toEqual(['box', 'octahedron', 'prism', 'pyramid']);
    expect(test.files[0]).toBe('box/test/box_0007.pcd');
    const train = await loadModelNet({ root, split: 'train', numPoints: 64, seed: 0 });
    expect(train.count).toBe(24);
    expect(train.points.every(Number.isFinite)).toBe(true);

    // a second fetch finds the cache and downloads nothing
    server.ranges = [];
    expect((await fetchModelNet10(fetchOptions())).alreadyPresent).toBe(true);
    expect(server.ranges).toEqual([]);
  });

  it('samples the same clouds on every machine (fixed seed)', async () => {
    await fetchModelNet10(fetchOptions());
    const first = fs.readFileSync(path.join(dataDir, 'modelnet10/prism/train/prism_0003.pcd'));
    await fetchModelNet10(fetchOptions({ force: true }));
    expect(fs.readFileSync(path.join(dataDir, 'modelnet10/prism/train/prism_0003.pcd'))).toEqual(
      first,
    );
  });

  it('resumes after a dropped connection with a Range request, to the same bytes', async () => {
    const cut = Math.floor(archive.length * 0.4);
    const part = path.join(dataDir, 'downloads', 'ModelNet10.zip.part');
    server.dropNext(2, cut, (offset) => waitUntil(() => fileSize(part) >= offset));
    const result = await fetchModelNet10(fetchOptions());
    expect(result.manifest.source.sha256).toBe(sha256(archive));
    expect(server.ranges[0]).toBe('');
    expect(server.ranges).toEqual(['', `bytes=${cut}-`, `bytes=${2 * cut}-`]);
  });

  it('continues the partial file an interrupted run left behind', async () => {
    const downloads = path.join(dataDir, 'downloads');
    fs.mkdirSync(downloads, { recursive: true });
    const kept = 1000;
    fs.writeFileSync(path.join(downloads, 'ModelNet10.zip.part'), archive.subarray(0, kept));
    await fetchModelNet10(fetchOptions());
    expect(server.ranges).toEqual([`bytes=${kept}-`]);
    expect(fs.existsSync(path.join(dataDir, 'modelnet10', CACHE_MANIFEST))).toBe(true);
  });

  it('rejects a corrupted archive (a mesh fails its CRC-32), removes it and builds no cache', async () => {
    const corrupted = Buffer.from(archive);
    corrupted[Math.floor(corrupted.length / 3)] ^= 0xff;
    server.body = corrupted;
    const error = await fetchModelNet10(fetchOptions()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelNetArchiveError);
    expect((error as ModelNetArchiveError).kind).toBe('corrupt');
    expect((error as Error).message).toMatch(/ModelNet10\.zip: .*(corrupt|not a readable zip)/);
    expect(fs.readdirSync(dataDir).sort()).toEqual(['downloads']);
    expect(fs.readdirSync(path.join(dataDir, 'downloads'))).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, MODELNET10_DIGEST_FILE))).toBe(false);
  });

  it('rejects a truncated archive', async () => {
    server.body = archive.subarray(0, archive.length - 100);
    await expect(fetchModelNet10(fetchOptions())).rejects.toThrow(/not a readable zip archive/);
  });

  it('checks the official structure: 10 classes, 3,991 train and 908 test meshes', async () => {
    await expect(fetchModelNet10(fetchOptions({ layout: undefined }))).rejects.toThrow(
      'expected 10 class folders with 3991 train and 908 test .off files, found 4 class folders with 24 train and 8 test .off files',
    );
  });

  it('checks a later fetch against the digest recorded at the first one', async () => {
    await fetchModelNet10(fetchOptions());
    const cached = fs.readFileSync(path.join(dataDir, 'modelnet10/box/test/box_0007.pcd'));
    server.body = syntheticModelNetArchive({ seed: 2 }); // a valid archive, but another file
    const error = await fetchModelNet10(fetchOptions({ force: true })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toContain(
      `does not match ${sha256(archive)} (recorded at the first download in`,
    );
    // the cache built before is untouched, the bad download gone
    expect(fs.readFileSync(path.join(dataDir, 'modelnet10/box/test/box_0007.pcd'))).toEqual(cached);
    expect(fs.readdirSync(path.join(dataDir, 'downloads'))).toEqual([]);
  });

  it('checks the digest given with --sha256', async () => {
    await expect(fetchModelNet10(fetchOptions({ sha256: '0'.repeat(64) }))).rejects.toThrow(
      ChecksumMismatchError,
    );
    await expect(
      fetchModelNet10(fetchOptions({ sha256: sha256(archive).toUpperCase() })),
    ).resolves.toMatchObject({ alreadyPresent: false });
  });

  it('says the server cannot be reached (no network)', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const error = await fetchModelNet10(
      fetchOptions({ url: `http://127.0.0.1:${closedPort}/ModelNet10.zip`, retries: 1 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(
      /the server refused the connection \(ECONNREFUSED\) after 2 attempt\(s\)/,
    );
  });

  it('says which status the server answered', async () => {
    await expect(
      fetchModelNet10(fetchOptions({ url: server.url.replace('ModelNet10', 'ModelNet11') })),
    ).rejects.toThrow(HttpStatusError);
  });

  (fs.existsSync('/dev/full') ? it : it.skip)(
    'reports a full disk (ENOSPC) and keeps nothing half-built',
    async () => {
      const downloads = path.join(dataDir, 'downloads');
      fs.mkdirSync(downloads, { recursive: true });
      // every write to /dev/full fails with ENOSPC: a real full disk for the downloader
      fs.symlinkSync('/dev/full', path.join(downloads, 'ModelNet10.zip.part'));
      const error = await fetchModelNet10(fetchOptions()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DiskFullError);
      expect((error as Error).message).toMatch(/not enough disk space in .*the disk filled up/);
      expect(fs.existsSync(path.join(dataDir, 'modelnet10'))).toBe(false);
    },
  );

  it('refuses to replace a ModelNet folder it did not build, unless forced', async () => {
    fs.mkdirSync(path.join(dataDir, 'modelnet10', 'chair', 'test'), { recursive: true });
    await expect(fetchModelNet10(fetchOptions())).rejects.toThrow(ForeignCacheError);
    await fetchModelNet10(fetchOptions({ force: true }));
    expect(fs.existsSync(path.join(dataDir, 'modelnet10', 'chair'))).toBe(false);
  });
});

describe('where the loader looks for ModelNet', () => {
  it('reads <ENGRAM_DATA_DIR>/modelnet10, and names the fetch command when it is missing', async () => {
    const env = { ENGRAM_DATA_DIR: dataDir };
    expect(modelNetAvailable(undefined, env)).toBe(false);
    const saved = { data: process.env.ENGRAM_DATA_DIR, modelnet: process.env.ENGRAM_MODELNET_DIR };
    process.env.ENGRAM_DATA_DIR = dataDir;
    delete process.env.ENGRAM_MODELNET_DIR;
    try {
      expect(() => resolveModelNetRoot()).toThrow(ModelNetMissingError);
      expect(() => resolveModelNetRoot()).toThrow(
        `ModelNet not found at ${path.join(dataDir, 'modelnet10')}. Run \`engram data fetch modelnet10\``,
      );
      await fetchModelNet10(fetchOptions());
      expect(modelNetAvailable(undefined, env)).toBe(true);
      expect(resolveModelNetRoot()).toBe(path.join(dataDir, 'modelnet10'));
    } finally {
      restore('ENGRAM_DATA_DIR', saved.data);
      restore('ENGRAM_MODELNET_DIR', saved.modelnet);
    }
  });
});

describe('downloadProgressLine', () => {
  it('shows the bar, the bytes, the rate of this run and the ETA', () => {
    expect(
      downloadProgressLine(
        { bytes: 216_900_000, totalBytes: 451_900_000, resumedFromBytes: 0 },
        43_380,
      ),
    ).toBe('[##########..........]  47% 216.9 MB / 451.9 MB  5.0 MB/s  ETA 47s');
    // resumed: the rate counts only what this run downloaded
    expect(
      downloadProgressLine(
        { bytes: 300_000_000, totalBytes: 400_000_000, resumedFromBytes: 200_000_000 },
        10_000,
      ),
    ).toBe('[###############.....]  75% 300.0 MB / 400.0 MB  10.0 MB/s  ETA 10s');
    expect(downloadProgressLine({ bytes: 1500, resumedFromBytes: 0 }, 0)).toBe(
      '1.5 kB downloaded  --/s',
    );
  });
});

function fileSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the client');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
