import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SemanticMemory } from '@engram/semantic-memory';
import type { NetworkCalibration } from './calibration';
import { CONTEXT_CACHE_FORMAT, ContextCache, contextCacheCodecs } from './context-cache';

jest.setTimeout(120_000);

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'engram-context-cache-'));
}

/** Bits of a float array, so -0, NaN payloads and the last ulp all count. */
function bits(array: Float32Array | Float64Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('hex');
}

const calibration: NetworkCalibration = new Map([
  ['stem.conv', { inputRange: 2.8209479177387814, inputSigned: true, adcRange: 17.25 }],
  ['stage0.block0.conv1', { inputRange: 0.1 + 0.2, inputSigned: false, adcRange: -0 }],
  ['head.fc', { inputRange: Number.MIN_VALUE, inputSigned: false, adcRange: Infinity }],
]);

function memory(seed: number): SemanticMemory {
  const dim = 5;
  const numClasses = 3;
  const prototypesPerClass = 2;
  const rows = numClasses * prototypesPerClass;
  return {
    dim,
    numClasses,
    prototypesPerClass,
    mean: Float32Array.from({ length: dim }, (_, d) => Math.fround(Math.sin(seed + d) / 3)),
    rows: Uint8Array.from({ length: rows * dim }, (_, i) => (i * seed) % 3),
    rowClass: Uint16Array.from({ length: rows }, (_, r) => Math.floor(r / prototypesPerClass)),
    dontCareFraction: 1 / 3,
  };
}

const key = {
  model: 'resnet-mnist',
  artifactVersion: 'abc123',
  kind: 'memories' as const,
  inputs: { parameters: { prototypesPerClass: 2 }, training: 'x' },
};

describe('context cache codecs', () => {
  it('give back the same bits for calibration, memories, semantic vectors and predictions', () => {
    const c = contextCacheCodecs.calibration;
    const decoded = c.decode(JSON.parse(JSON.stringify(c.encode(calibration))));
    expect([...decoded.keys()]).toEqual([...calibration.keys()]);
    for (const [name, ranges] of calibration) {
      const back = decoded.get(name)!;
      expect(Object.is(back.inputRange, ranges.inputRange)).toBe(true);
      expect(Object.is(back.adcRange, ranges.adcRange)).toBe(true);
      expect(back.inputSigned).toBe(ranges.inputSigned);
    }

    const m = contextCacheCodecs.memories;
    const memories = [memory(1), memory(2)];
    const back = m.decode(JSON.parse(JSON.stringify(m.encode(memories))));
    expect(back).toEqual(memories);
    back.forEach((b, i) => expect(bits(b.mean)).toBe(bits(memories[i].mean)));

    const s = contextCacheCodecs.semantics;
    const vectors = [Float32Array.of(-0, NaN, 1e-45, 3.4e38), new Float32Array(0)];
    const vectorsBack = s.decode(JSON.parse(JSON.stringify(s.encode(vectors))));
    expect(vectorsBack.map(bits)).toEqual(vectors.map(bits));

    const p = contextCacheCodecs.predictions;
    const predictions = Uint16Array.of(0, 9, 3, 65535);
    expect(p.decode(JSON.parse(JSON.stringify(p.encode(predictions))))).toEqual(predictions);
  });

  it('refuse arrays whose sizes do not match the memory shape', () => {
    const encoded = contextCacheCodecs.memories.encode([memory(1)]) as Record<string, unknown>[];
    encoded[0].prototypesPerClass = 3;
    expect(() => contextCacheCodecs.memories.decode(encoded)).toThrow(/sizes/);
  });
});

describe('ContextCache', () => {
  it('computes once, then every other instance reads the entry', () => {
    const dir = tempDir();
    const compute = jest.fn(() => [memory(1)]);
    const first = new ContextCache(dir);
    expect(first.getOrCompute(key, compute)).toEqual([memory(1)]);
    expect(first.outcomes).toEqual([{ kind: 'memories', outcome: 'computed' }]);

    const second = new ContextCache(dir);
    expect(second.getOrCompute(key, compute)).toEqual([memory(1)]);
    expect(second.outcomes).toEqual([{ kind: 'memories', outcome: 'hit' }]);
    expect(compute).toHaveBeenCalledTimes(1);
    // No temporary file is left behind.
    expect(fs.readdirSync(dir)).toEqual([path.basename(second.entryPath(key))]);
  });

  it('keys entries by artifact version and inputs', () => {
    const cache = new ContextCache(tempDir());
    const paths = new Set([
      cache.entryPath(key),
      cache.entryPath({ ...key, artifactVersion: 'abc124' }),
      cache.entryPath({ ...key, inputs: { ...key.inputs, training: 'y' } }),
      cache.entryPath({ ...key, kind: 'calibration' }),
    ]);
    expect(paths.size).toBe(4);
  });

  it('recomputes and replaces a torn, edited or foreign-format entry', () => {
    const dir = tempDir();
    const cache = new ContextCache(dir);
    cache.getOrCompute(key, () => [memory(1)]);
    const file = cache.entryPath(key);
    const whole = fs.readFileSync(file, 'utf8');
    const corruptions = [
      whole.slice(0, whole.length / 2),
      whole.replace(/"base64":"(.)/, (_, c: string) => `"base64":"${c === 'A' ? 'B' : 'A'}`),
      whole.replace(`"format":${CONTEXT_CACHE_FORMAT}`, `"format":${CONTEXT_CACHE_FORMAT + 1}`),
    ];
    for (const corrupt of corruptions) {
      expect(corrupt).not.toBe(whole);
      fs.writeFileSync(file, corrupt);
      const reader = new ContextCache(dir);
      expect(reader.getOrCompute(key, () => [memory(1)])).toEqual([memory(1)]);
      expect(reader.outcomes).toEqual([{ kind: 'memories', outcome: 'recomputed-invalid' }]);
      expect(fs.readFileSync(file, 'utf8')).toBe(whole);
    }
  });

  it('still answers when the folder cannot be written', () => {
    const blocker = path.join(tempDir(), 'a-file');
    fs.writeFileSync(blocker, '');
    const cache = new ContextCache(path.join(blocker, 'cache'));
    expect(cache.getOrCompute(key, () => [memory(2)])).toEqual([memory(2)]);
    expect(cache.getOrCompute(key, () => [memory(2)])).toEqual([memory(2)]);
    expect(cache.outcomes.map((o) => o.outcome)).toEqual(['computed', 'computed']);
  });

  it('is never seen half-written by processes that write the same entry at once', async () => {
    const dir = tempDir();
    const module = path.join(__dirname, 'context-cache.ts');
    // Each process deletes the entry and computes it again, so writes and reads keep racing;
    // a large payload makes every write take a while.
    const script = `
      const fs = require('node:fs');
      const { ContextCache } = require(${JSON.stringify(module)});
      const key = ${JSON.stringify({ ...key, kind: 'semantics' })};
      const vectors = () => [Float32Array.from({ length: 200000 }, (_, i) => Math.sin(i))];
      const outcomes = [];
      let wrong = 0;
      for (let i = 0; i < 25; i++) {
        const cache = new ContextCache(${JSON.stringify(dir)});
        if (i % 2 === 0) fs.rmSync(cache.entryPath(key), { force: true });
        const value = cache.getOrCompute(key, vectors);
        if (value[0][12345] !== Math.fround(Math.sin(12345))) wrong++;
        outcomes.push(cache.outcomes[0].outcome);
      }
      process.stdout.write(JSON.stringify({ outcomes, wrong }));
    `;
    const run = () =>
      new Promise<{ outcomes: string[]; wrong: number }>((resolve, reject) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], {
          cwd: path.resolve(__dirname, '../../..'),
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`)),
        );
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    const outcomes = results.flatMap((r) => r.outcomes);
    expect(outcomes).toHaveLength(100);
    expect(outcomes).not.toContain('recomputed-invalid');
    expect(outcomes).toContain('hit');
    expect(results.map((r) => r.wrong)).toEqual([0, 0, 0, 0]);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
