// Helpers for the specs only (not exported from the library): temp folders and small dataset files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temp folder; remove it with removeTempDir in afterAll. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `engram-datasets-${prefix}-`));
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes a file, creating its folders. */
export function writeFile(file: string, content: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** An unsigned-byte IDX file: magic 0x0000 08 <dims.length>, big-endian sizes, data. */
export function idxBytes(dims: number[], data: ArrayLike<number>): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((size, d) => header.writeUInt32BE(size, 4 + 4 * d));
  return Buffer.concat([header, Buffer.from(Uint8Array.from(data))]);
}

/** A PCD v0.7 file with float32 fields x y z (plus optional extra float32 fields), ascii or binary. */
export function pcdBytes(
  points: number[][],
  data: 'ascii' | 'binary',
  fields: string[] = ['x', 'y', 'z'],
): Uint8Array {
  const header = [
    '# .PCD v0.7 - Point Cloud Data file format',
    'VERSION 0.7',
    `FIELDS ${fields.join(' ')}`,
    `SIZE ${fields.map(() => 4).join(' ')}`,
    `TYPE ${fields.map(() => 'F').join(' ')}`,
    `COUNT ${fields.map(() => 1).join(' ')}`,
    `WIDTH ${points.length}`,
    'HEIGHT 1',
    'VIEWPOINT 0 0 0 1 0 0 0',
    `POINTS ${points.length}`,
    `DATA ${data}`,
    '',
  ].join('\n');
  if (data === 'ascii') {
    return Buffer.from(header + points.map((p) => p.join(' ')).join('\n') + '\n', 'latin1');
  }
  const body = Buffer.alloc(points.length * fields.length * 4);
  points.forEach((p, i) => p.forEach((v, f) => body.writeFloatLE(v, (i * fields.length + f) * 4)));
  return Buffer.concat([Buffer.from(header, 'latin1'), body]);
}
