import * as path from 'node:path';
import type { EvaluationConfig } from '@engram/contracts';
import { isPermanentEvaluationError } from './evaluator';
import { ThreadPoolEvaluator } from './thread-pool-evaluator';

const FIXTURE = path.join(__dirname, 'testing', 'busy-evaluate');

function config(busyMs: number, memorySize = 2): EvaluationConfig {
  return { model: 'resnet-mnist', camThreshold: 0.1, memorySize, seed: busyMs };
}

describe('ThreadPoolEvaluator', () => {
  let pool: ThreadPoolEvaluator;

  beforeEach(() => {
    pool = new ThreadPoolEvaluator({ size: 2, modulePath: FIXTURE, exportName: 'evaluate' });
  });

  afterEach(async () => {
    await pool.close();
  });

  it('keeps the main event loop free while evaluations block their threads', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const results = await Promise.all([pool.evaluate(config(400)), pool.evaluate(config(400))]);
    clearInterval(ticker);
    // Two threads ran the two evaluations side by side.
    expect(new Set(results.map((r) => r.artifactVersion)).size).toBe(2);
    expect(ticks).toBeGreaterThan(15);
  });

  it('queues work beyond its size and reuses its threads (their caches survive)', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => pool.evaluate(config(i * 5))));
    expect(results.map((r) => r.samples)).toEqual([5, 10, 15, 20, 25]);
    expect(new Set(results.map((r) => r.artifactVersion)).size).toBeLessThanOrEqual(2);
  });

  it('starts the prestart threads at once and the others on demand', async () => {
    const prestarted = new ThreadPoolEvaluator({
      size: 2,
      modulePath: FIXTURE,
      exportName: 'evaluate',
      prestart: 1,
    });
    try {
      expect(prestarted.threadCount).toBe(1);
      expect(pool.threadCount).toBe(0);
      await Promise.all([prestarted.evaluate(config(5)), prestarted.evaluate(config(5))]);
      expect(prestarted.threadCount).toBe(2);
      expect(
        () =>
          new ThreadPoolEvaluator({ size: 1, modulePath: FIXTURE, exportName: 'x', prestart: 2 }),
      ).toThrow(/prestart/);
    } finally {
      await prestarted.close();
    }
  });

  it("fails ready() and every evaluation when a thread's start-up check throws", async () => {
    const checked = (checkName: string) =>
      new ThreadPoolEvaluator({
        size: 2,
        modulePath: FIXTURE,
        exportName: 'evaluate',
        checkName,
        prestart: 1,
      });
    const passing = checked('passingCheck');
    const failing = checked('failingCheck');
    try {
      await expect(passing.ready()).resolves.toBeUndefined();
      expect((await passing.evaluate(config(5))).samples).toBe(5);
      await expect(failing.ready()).rejects.toThrow(/engines missing: model m runs on onnx/);
      await expect(failing.evaluate(config(5))).rejects.toThrow(/engines missing/);
      expect(failing.threadCount).toBe(0);
    } finally {
      await Promise.all([passing.close(), failing.close()]);
    }
  });

  it('carries the error name, field and permanence across the thread boundary', async () => {
    const error = await pool.evaluate(config(0, 65)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidEvaluationConfigError', field: 'memorySize' });
    expect(isPermanentEvaluationError(error)).toBe(true);
    const transient = await pool
      .evaluate({ ...config(0), camThreshold: -1 })
      .catch((e: unknown) => e);
    expect(transient).toMatchObject({ message: 'EMFILE: too many open files' });
    expect(isPermanentEvaluationError(transient)).toBe(false);
  });

  it("runs a chip's configurations in one task, results in input order, with its progress", async () => {
    const progress: [number, number][] = [];
    const results = await pool.evaluateChipRuns([config(30), config(10), config(20)], {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(results.map((r) => r.samples)).toEqual([30, 10, 20]);
    // One thread served the whole chip.
    expect(new Set(results.map((r) => r.artifactVersion)).size).toBe(1);
    expect(progress).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    const error = await pool.evaluateChipRuns([config(0), config(0, 65)]).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidEvaluationConfigError' });
    expect(isPermanentEvaluationError(error)).toBe(true);
  });

  it('aborts a chip task by terminating its thread', async () => {
    const controller = new AbortController();
    const aborted = pool.evaluateChipRuns([config(5_000), config(5_000)], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort('shutdown'), 100);
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    await expect(pool.evaluateChipRuns([config(10)])).resolves.toMatchObject([{ samples: 10 }]);
  });

  it('aborts a running evaluation by terminating its thread, then carries on', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const aborted = pool.evaluate(config(5_000), controller.signal);
    setTimeout(() => controller.abort('shutdown'), 100);
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(pool.evaluate(config(10))).resolves.toMatchObject({ samples: 10 });
  });
});
