import * as os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/**
 * Intra-op threads of every onnxruntime session: ENGRAM_ORT_THREADS, else the machine's available
 * parallelism on the main thread (the CLI, scripts) and 1 on worker threads (the platform runs one
 * evaluation thread per concurrent job, WORKER_CONCURRENCY of them). Split the cores so that
 * concurrent evaluations x threads <= cores.
 */
export function ortThreads(): number {
  const raw = process.env.ENGRAM_ORT_THREADS;
  if (raw !== undefined && raw !== '') {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`ENGRAM_ORT_THREADS must be an integer >= 1, got ${raw}`);
    }
    return value;
  }
  return isMainThread ? Math.max(1, os.availableParallelism()) : 1;
}

export function sessionOptions(threads = ortThreads()): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Between runs the JavaScript side searches TCAMs and gathers samples; threads spinning for
    // work meanwhile would only take its core.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

export function createSession(
  model: Uint8Array,
  threads = ortThreads(),
): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, sessionOptions(threads));
}

/**
 * Sessions of graphs whose per-run numbers are inputs, cached by graph structure for the life of
 * the process (a handful per model and device geometry).
 */
const cache = new Map<string, Promise<ort.InferenceSession>>();
const MAX_CACHED = 64;

export function cachedSession(
  key: string,
  build: () => Uint8Array,
  threads = ortThreads(),
): Promise<ort.InferenceSession> {
  const fullKey = `${threads}|${key}`;
  let session = cache.get(fullKey);
  if (!session) {
    // Evicted sessions are not released: an engine may still be using one.
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    session = createSession(build(), threads);
    // A failed creation is not cached.
    session.catch(() => cache.delete(fullKey));
    cache.set(fullKey, session);
  }
  return session;
}
