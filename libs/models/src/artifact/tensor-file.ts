import * as fs from 'node:fs';

/**
 * A set of named float32 arrays in one little-endian binary file plus a JSON index. Used for
 * artifacts and checkpoints; plain enough to read from any language.
 */
export interface TensorIndexEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements from the start of the binary file. */
  offset: number;
  length: number;
}

export function writeTensorFile(
  binPath: string,
  tensors: Map<string, Float32Array>,
  shapes: Map<string, number[]> = new Map(),
): TensorIndexEntry[] {
  const index: TensorIndexEntry[] = [];
  let offset = 0;
  for (const [name, data] of tensors) {
    index.push({ name, shape: shapes.get(name) ?? [data.length], offset, length: data.length });
    offset += data.length;
  }
  const all = new Float32Array(offset);
  for (const entry of index) all.set(tensors.get(entry.name) as Float32Array, entry.offset);
  // Write to a temporary file first so a crash never leaves a half-written file in place.
  const tmp = `${binPath}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  fs.renameSync(tmp, binPath);
  return index;
}

/**
 * A model artifact this build cannot read (format version, architecture, truncated weights):
 * the same on every attempt, so not retried.
 */
export class ArtifactFormatError extends Error {
  /** Retrying cannot help: a platform fails the run at once (see apps/worker). */
  readonly permanent = true;

  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ArtifactFormatError';
  }
}

export function readTensorFile(
  binPath: string,
  index: TensorIndexEntry[],
): Map<string, Float32Array> {
  const buffer = fs.readFileSync(binPath);
  const total = index.reduce((sum, e) => Math.max(sum, e.offset + e.length), 0);
  if (buffer.byteLength !== total * 4) {
    throw new ArtifactFormatError(
      binPath,
      `expected ${total * 4} bytes for its index, found ${buffer.byteLength}`,
    );
  }
  const all = new Float32Array(
    buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength),
  );
  const out = new Map<string, Float32Array>();
  for (const entry of index)
    out.set(entry.name, all.subarray(entry.offset, entry.offset + entry.length));
  return out;
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, path);
}
