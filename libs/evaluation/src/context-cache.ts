import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { SemanticMemory } from '@engram/semantic-memory';
import type { NetworkCalibration } from './calibration';

/**
 * Version of the cache's file layout and of what the cached values mean. Bump it whenever the
 * layout changes or the code that computes an entry changes its output (calibrateNetwork,
 * buildSemanticMemory, kMeans, the training samples a context takes): every old entry then misses.
 */
export const CONTEXT_CACHE_FORMAT = 1;

/** What an entry holds; each kind has its own encoding. */
export type ContextCacheKind = 'calibration' | 'memories' | 'semantics' | 'predictions';

/**
 * Everything an entry depends on besides the code: the artifact (its version is a hash of its
 * weights), the data a context takes from the training split, and the entry's parameters.
 */
export interface ContextCacheKey {
  model: string;
  artifactVersion: string;
  kind: ContextCacheKind;
  inputs: unknown;
}

type TypedArray = Float32Array | Float64Array | Uint8Array | Uint16Array;
type TypedArrayName = 'f32' | 'f64' | 'u8' | 'u16';

interface EncodedArray {
  type: TypedArrayName;
  base64: string;
}

/** Typed arrays as little-endian bytes in base64: bit-exact, unlike decimal JSON numbers. */
function encodeArray(array: TypedArray): EncodedArray {
  // By tag, not instanceof: arrays may come from another realm (a test environment, a thread).
  const names: Record<string, TypedArrayName> = {
    Float32Array: 'f32',
    Float64Array: 'f64',
    Uint8Array: 'u8',
    Uint16Array: 'u16',
  };
  const type = names[array[Symbol.toStringTag]];
  if (!type) throw new TypeError(`cannot cache a ${array[Symbol.toStringTag]}`);
  return {
    type,
    base64: Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64'),
  };
}

function decodeArray(encoded: EncodedArray, expected: TypedArrayName): TypedArray {
  if (encoded?.type !== expected || typeof encoded.base64 !== 'string') {
    throw new Error(`expected an encoded ${expected} array`);
  }
  const bytes = Buffer.from(encoded.base64, 'base64');
  // A fresh, aligned buffer: the decoded Buffer may sit at any offset of Node's pool.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  switch (expected) {
    case 'f32':
      return new Float32Array(copy.buffer);
    case 'f64':
      return new Float64Array(copy.buffer);
    case 'u16':
      return new Uint16Array(copy.buffer);
    default:
      return copy;
  }
}

/** Encodes what a context computes; decode(encode(x)) is bit-identical to x. */
export const contextCacheCodecs = {
  calibration: {
    encode(calibration: NetworkCalibration): unknown {
      const layers = [...calibration.keys()];
      const values = calibration.values();
      const ranges = new Float64Array(layers.length * 2);
      const signed = new Uint8Array(layers.length);
      let i = 0;
      for (const { inputRange, adcRange, inputSigned } of values) {
        ranges[2 * i] = inputRange;
        ranges[2 * i + 1] = adcRange;
        signed[i++] = inputSigned ? 1 : 0;
      }
      return { layers, ranges: encodeArray(ranges), signed: encodeArray(signed) };
    },
    decode(payload: unknown): NetworkCalibration {
      const { layers, ranges, signed } = payload as {
        layers: string[];
        ranges: EncodedArray;
        signed: EncodedArray;
      };
      const r = decodeArray(ranges, 'f64');
      const s = decodeArray(signed, 'u8');
      if (!Array.isArray(layers) || r.length !== 2 * layers.length || s.length !== layers.length) {
        throw new Error('calibration entry: layer count mismatch');
      }
      return new Map(
        layers.map((name, i) => [
          name,
          { inputRange: r[2 * i], inputSigned: s[i] === 1, adcRange: r[2 * i + 1] },
        ]),
      );
    },
  },
  memories: {
    encode(memories: SemanticMemory[]): unknown {
      return memories.map((m) => ({
        dim: m.dim,
        numClasses: m.numClasses,
        prototypesPerClass: m.prototypesPerClass,
        mean: encodeArray(m.mean),
        rows: encodeArray(m.rows),
        rowClass: encodeArray(m.rowClass),
        dontCareFraction: encodeArray(Float64Array.of(m.dontCareFraction)),
      }));
    },
    decode(payload: unknown): SemanticMemory[] {
      if (!Array.isArray(payload)) throw new Error('memories entry: not a list');
      return payload.map((m: Record<string, unknown>) => {
        const memory: SemanticMemory = {
          dim: m.dim as number,
          numClasses: m.numClasses as number,
          prototypesPerClass: m.prototypesPerClass as number,
          mean: decodeArray(m.mean as EncodedArray, 'f32') as Float32Array,
          rows: decodeArray(m.rows as EncodedArray, 'u8') as Uint8Array,
          rowClass: decodeArray(m.rowClass as EncodedArray, 'u16') as Uint16Array,
          dontCareFraction: decodeArray(m.dontCareFraction as EncodedArray, 'f64')[0],
        };
        const rowCount = memory.numClasses * memory.prototypesPerClass;
        if (
          memory.mean.length !== memory.dim ||
          memory.rowClass.length !== rowCount ||
          memory.rows.length !== rowCount * memory.dim
        ) {
          throw new Error('memories entry: array sizes do not match the memory shape');
        }
        return memory;
      });
    },
  },
  predictions: {
    encode(predictions: Uint16Array): unknown {
      return encodeArray(predictions);
    },
    decode(payload: unknown): Uint16Array {
      return decodeArray(payload as EncodedArray, 'u16') as Uint16Array;
    },
  },
  semantics: {
    encode(vectors: Float32Array[]): unknown {
      return vectors.map(encodeArray);
    },
    decode(payload: unknown): Float32Array[] {
      if (!Array.isArray(payload)) throw new Error('semantics entry: not a list');
      return payload.map((v: EncodedArray) => decodeArray(v, 'f32') as Float32Array);
    },
  },
} as const;

/** What an entry of a kind holds. */
export type ContextCacheValue<K extends ContextCacheKind> = ReturnType<
  (typeof contextCacheCodecs)[K]['decode']
>;

interface CacheFile {
  format: number;
  key: ContextCacheKey;
  /** sha256 of the payload's JSON text: a torn or edited file is a miss, never a wrong value. */
  sha256: string;
  payload: unknown;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What a lookup did, for logs and tests. */
export type ContextCacheOutcome = 'hit' | 'computed' | 'recomputed-invalid';

/**
 * A folder of what a model context computes without a chip (calibration ranges, semantic memories,
 * the training samples' semantic vectors, software predictions), shared by every thread, process and machine
 * that sees the folder. An entry's file name is the hash of its key (format, model, artifact
 * version, inputs); a file is written to a unique temporary name and renamed into place, so a
 * reader sees a whole file or none, and two writers of one entry (which compute the same bytes)
 * cannot interleave. A file that fails its checksum or decoding is recomputed and replaced. A
 * folder that cannot be written only costs the recomputation, never the run.
 */
export class ContextCache {
  /** Outcome of every lookup so far, in order (bounded: the last 100). */
  readonly outcomes: { kind: ContextCacheKind; outcome: ContextCacheOutcome }[] = [];

  constructor(readonly dir: string) {}

  /** The file of an entry (exists only once computed). */
  entryPath(key: ContextCacheKey): string {
    const name = sha256(JSON.stringify([CONTEXT_CACHE_FORMAT, key])).slice(0, 32);
    return path.join(this.dir, `${key.model}-${key.artifactVersion}-${key.kind}-${name}.json`);
  }

  /** The cached value of `key`, or compute() stored for everyone else. */
  getOrCompute<K extends ContextCacheKind>(
    key: ContextCacheKey & { kind: K },
    compute: () => ContextCacheValue<K>,
  ): ContextCacheValue<K> {
    const codec = contextCacheCodecs[key.kind];
    const file = this.entryPath(key);
    const read = this.read(file, key);
    let invalid = read.status === 'invalid';
    if (read.status === 'hit') {
      try {
        const value = codec.decode(read.payload) as ContextCacheValue<K>;
        this.record(key.kind, 'hit');
        return value;
      } catch {
        invalid = true;
      }
    }
    const value = compute();
    this.write(file, key, (codec.encode as (v: ContextCacheValue<K>) => unknown)(value));
    this.record(key.kind, invalid ? 'recomputed-invalid' : 'computed');
    return value;
  }

  private record(kind: ContextCacheKind, outcome: ContextCacheOutcome): void {
    this.outcomes.push({ kind, outcome });
    if (this.outcomes.length > 100) this.outcomes.shift();
  }

  private read(
    file: string,
    key: ContextCacheKey,
  ): { status: 'hit'; payload: unknown } | { status: 'missing' | 'invalid' } {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return { status: 'missing' };
    }
    try {
      const entry = JSON.parse(text) as CacheFile;
      const payloadText = JSON.stringify(entry.payload);
      if (
        entry.format !== CONTEXT_CACHE_FORMAT ||
        JSON.stringify(entry.key) !== JSON.stringify(key) ||
        entry.sha256 !== sha256(payloadText)
      ) {
        return { status: 'invalid' };
      }
      return { status: 'hit', payload: entry.payload };
    } catch {
      return { status: 'invalid' };
    }
  }

  private write(file: string, key: ContextCacheKey, payload: unknown): void {
    const entry: CacheFile = {
      format: CONTEXT_CACHE_FORMAT,
      key,
      sha256: sha256(JSON.stringify(payload)),
      payload,
    };
    const temporary = `${file}.tmp-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(temporary, JSON.stringify(entry));
      fs.renameSync(temporary, file);
    } catch {
      // A read-only or full folder: this process keeps its value in memory and runs on.
      try {
        fs.rmSync(temporary, { force: true });
      } catch {
        // Nothing was written.
      }
    }
  }
}

/**
 * The cache folder of a model's contexts: ENGRAM_CONTEXT_CACHE_DIR/<model> if set, else
 * `.context-cache` inside the artifact's folder (so it follows ENGRAM_MODELS_DIR, and machines
 * sharing the models folder share the cache).
 */
export function contextCacheDir(model: string, artifactDir: string): string {
  const root = process.env.ENGRAM_CONTEXT_CACHE_DIR;
  return root ? path.join(root, model) : path.join(artifactDir, '.context-cache');
}
