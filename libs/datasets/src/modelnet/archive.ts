import * as zlib from 'node:zlib';
import * as yauzl from 'yauzl';

/** The structure an archive must have: class folders and OFF files per split. */
export interface ModelNetArchiveLayout {
  classCount: number;
  trainFiles: number;
  testFiles: number;
}

/**
 * The official ModelNet10.zip (Princeton publishes no digest): 10 class folders, the official split
 * of 3,991 training and 908 test meshes.
 */
export const MODELNET10_LAYOUT: ModelNetArchiveLayout = {
  classCount: 10,
  trainFiles: 3991,
  testFiles: 908,
};

/** One mesh of the archive. */
export interface ArchiveShape {
  entryName: string;
  className: string;
  split: 'train' | 'test';
  /** File name without `.off`. */
  stem: string;
}

export interface ModelNetArchiveIndex {
  shapes: ArchiveShape[];
  /** Sorted class names. */
  classNames: string[];
  /** Meshes per class and split. */
  counts: Record<string, { train: number; test: number }>;
}

/**
 * The archive is not a readable zip, an entry's data does not match its recorded size or CRC-32,
 * or the archive does not have the expected structure.
 */
export class ModelNetArchiveError extends Error {
  constructor(
    readonly archive: string,
    readonly kind: 'corrupt' | 'layout',
    detail: string,
  ) {
    super(`${archive}: ${detail}`);
    this.name = 'ModelNetArchiveError';
  }
}

// `[<prefix>/]<class>/<train|test>/<shape>.off`, e.g. `ModelNet10/chair/train/chair_0001.off`
const SHAPE_ENTRY = /^(?:(.*)\/)?([^/]+)\/(train|test)\/([^/]+)\.off$/i;

/**
 * Lists the meshes of a ModelNet zip and checks its structure against `layout` (class folders and
 * meshes per split), without reading the meshes. Zip debris (`__MACOSX/`, `._*` files) is ignored.
 */
export async function indexModelNetArchive(
  archive: string,
  layout: ModelNetArchiveLayout,
): Promise<ModelNetArchiveIndex> {
  const zip = await openZip(archive);
  try {
    const entries = await listEntries(zip, archive);
    const shapes: ArchiveShape[] = [];
    const prefixes = new Set<string>();
    for (const entry of entries) {
      const name = entry.fileName;
      if (name.endsWith('/') || name.split('/').some((part) => part === '__MACOSX')) continue;
      const match = SHAPE_ENTRY.exec(name);
      if (!match) continue;
      const [, prefix = '', className, split, stem] = match;
      if (stem.startsWith('.') || className.startsWith('.')) continue;
      prefixes.add(prefix);
      shapes.push({
        entryName: name,
        className,
        split: split.toLowerCase() as 'train' | 'test',
        stem,
      });
    }
    if (prefixes.size > 1) {
      throw new ModelNetArchiveError(
        archive,
        'layout',
        `meshes under several top folders (${[...prefixes].join(', ')}): expected one ModelNet folder`,
      );
    }
    const counts: Record<string, { train: number; test: number }> = {};
    for (const shape of shapes) {
      counts[shape.className] ??= { train: 0, test: 0 };
      counts[shape.className][shape.split]++;
    }
    const classNames = Object.keys(counts).sort(compareCodeUnits);
    const train = shapes.filter((shape) => shape.split === 'train').length;
    const test = shapes.length - train;
    if (
      classNames.length !== layout.classCount ||
      train !== layout.trainFiles ||
      test !== layout.testFiles
    ) {
      throw new ModelNetArchiveError(
        archive,
        'layout',
        `unexpected structure: expected ${layout.classCount} class folders with ${layout.trainFiles} train and ` +
          `${layout.testFiles} test .off files, found ${classNames.length} class folders with ${train} train and ` +
          `${test} test .off files (a different ModelNet, or the wrong file at this URL?)`,
      );
    }
    return { shapes, classNames, counts };
  } finally {
    zip.close();
  }
}

/**
 * Reads the archive's meshes one after the other, each checked against its recorded size and
 * CRC-32 (yauzl checks neither by itself), and hands each to `visit`.
 */
export async function readArchiveShapes(
  archive: string,
  shapes: readonly ArchiveShape[],
  visit: (shape: ArchiveShape, bytes: Buffer) => void | Promise<void>,
): Promise<void> {
  const zip = await openZip(archive);
  try {
    const byName = new Map(
      (await listEntries(zip, archive)).map((entry) => [entry.fileName, entry]),
    );
    for (const shape of shapes) {
      const entry = byName.get(shape.entryName);
      if (!entry) {
        throw new ModelNetArchiveError(archive, 'corrupt', `${shape.entryName} is missing`);
      }
      await visit(shape, await readVerifiedEntry(zip, entry, archive));
    }
  } finally {
    zip.close();
  }
}

function openZip(archive: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(archive, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error || !zip) {
        reject(
          new ModelNetArchiveError(
            archive,
            'corrupt',
            `not a readable zip archive (${error?.message ?? 'unknown error'})`,
          ),
        );
      } else resolve(zip);
    });
  });
}

function listEntries(zip: yauzl.ZipFile, archive: string): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (error: Error) =>
      reject(
        new ModelNetArchiveError(archive, 'corrupt', `unreadable directory: ${error.message}`),
      ),
    );
    zip.readEntry();
  });
}

function readVerifiedEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, archive: string) {
  const corrupt = (detail: string) =>
    new ModelNetArchiveError(archive, 'corrupt', `${entry.fileName} is corrupt: ${detail}`);
  return new Promise<Buffer>((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) {
        reject(corrupt(error?.message ?? 'cannot open'));
        return;
      }
      const chunks: Buffer[] = [];
      let crc = 0;
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        crc = zlib.crc32(chunk, crc);
      });
      stream.once('error', (streamError: Error) => reject(corrupt(streamError.message)));
      stream.once('end', () => {
        const bytes = Buffer.concat(chunks);
        if (bytes.length !== entry.uncompressedSize) {
          reject(corrupt(`${bytes.length} bytes, the directory says ${entry.uncompressedSize}`));
        } else if (crc >>> 0 !== entry.crc32 >>> 0) {
          reject(corrupt(`CRC-32 ${hex(crc)}, the directory says ${hex(entry.crc32)}`));
        } else resolve(bytes);
      });
    });
  });
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
