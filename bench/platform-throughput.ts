/**
 * Platform throughput, measured in one run against the local PostgreSQL and Redis:
 *  1. raw BullMQ: N empty jobs through a plain Worker (same Redis, same concurrency);
 *  2. the platform: an N-run sweep of a trivially small simulation (the real evaluate on
 *     --sample-count samples, default 1) through API -> queue -> worker -> database, from the
 *     POST to the last result, with the API and worker started as their production processes;
 *  3. the time to accept (POST -> 202) a 10,000-run sweep (queue paused), which is then cancelled.
 * Run: npm run bench:platform -- [--runs=1000] [--concurrency=2]
 *      [--workers=1] [--sample-count=1] [--accept-runs=10000]
 * Uses DATABASE_URL (default the test database) in a schema of its own, dropped at the end.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { Queue, Worker } from 'bullmq';
import { EngramClient } from '@engram/api-client';
import { createExperimentDataSource, migrateDatabase } from '@engram/persistence';
import { QueueName } from '@engram/queue';
import {
  ROOT,
  flag,
  DATABASE_URL,
  REDIS_URL,
  API_KEY,
  SCHEMA,
  PREFIX,
  freePort,
  removeBenchState,
  runBench,
} from './support';

const RUNS = flag('runs', 1_000);
const CONCURRENCY = flag('concurrency', 2);
const WORKERS = flag('workers', 1);
const SAMPLE_COUNT = flag('sample-count', 1);
const ACCEPT_RUNS = flag('accept-runs', 10_000);

const children: ChildProcess[] = [];

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function start(
  name: string,
  entry: string,
  env: Record<string, string>,
  readyText: string,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      ...(process.env.ENGRAM_MODELS_DIR
        ? { ENGRAM_MODELS_DIR: process.env.ENGRAM_MODELS_DIR }
        : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready in 120 s:\n${output}`)),
      120_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
  });
}

/** N empty jobs through a plain BullMQ worker: the ceiling the platform is compared with. */
async function rawBullmq(): Promise<{ ms: number; perSecond: number }> {
  const name = 'bench-empty';
  const connection = { url: REDIS_URL };
  const queue = new Queue(name, { prefix: PREFIX, connection });
  let completed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const worker = new Worker(name, async () => undefined, {
    prefix: PREFIX,
    connection,
    concurrency: CONCURRENCY,
    autorun: false,
  });
  worker.on('completed', () => {
    if (++completed === RUNS) done();
  });
  await worker.waitUntilReady();
  const started = performance.now();
  void worker.run();
  for (let i = 0; i < RUNS; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, RUNS - i) }, (_, j) => ({
        name,
        data: { i: i + j },
        opts: { removeOnComplete: true },
      })),
    );
  }
  await finished;
  const ms = performance.now() - started;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { ms, perSecond: RUNS / (ms / 1000) };
}

function sweep(name: string, seeds: number[], camThresholds: number[] = [0.2]) {
  return {
    name,
    model: 'resnet-mnist',
    grid: { seed: seeds, camThreshold: camThresholds },
    fixed: { memorySize: 2 },
    sampleCount: SAMPLE_COUNT,
  };
}

async function main(): Promise<void> {
  const dataSource = createExperimentDataSource({ url: DATABASE_URL, schema: SCHEMA, poolSize: 2 });
  await dataSource.initialize();
  await migrateDatabase(dataSource);
  try {
    console.log(`raw BullMQ: ${RUNS} empty jobs, concurrency ${CONCURRENCY} ...`);
    const raw = await rawBullmq();

    const port = await freePort();
    const env = {
      DATABASE_URL,
      DATABASE_SCHEMA: SCHEMA,
      REDIS_URL,
      QUEUE_PREFIX: PREFIX,
      API_KEY,
      WRITE_RATE_LIMIT_PER_MINUTE: '1000',
    };
    await start(
      'api',
      'apps/api/src/main.ts',
      { ...env, PORT: String(port), HOST: '127.0.0.1' },
      'listening on',
    );
    await Promise.all(
      Array.from({ length: WORKERS }, (_, i) =>
        start(
          `worker ${i + 1}`,
          'apps/worker/src/main.ts',
          { ...env, WORKER_ID: `bench-${i + 1}`, WORKER_CONCURRENCY: String(CONCURRENCY) },
          'ready',
        ),
      ),
    );
    const client = new EngramClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      timeoutMs: 120_000,
    });

    // Each evaluation thread loads the model once: keep that out of the measured sweep.
    console.log('warming up the evaluation threads ...');
    const warmupStarted = performance.now();
    const warmup = await client.submitSweep(
      sweep(
        'bench warm-up',
        Array.from({ length: 2 * CONCURRENCY * WORKERS }, (_, i) => 1_000_000 + i),
      ),
    );
    const warm = await client.waitForSweep(warmup.sweepId, { intervalMs: 200 });
    if (warm.status !== 'completed')
      throw new Error(`warm-up sweep ended ${warm.status}: ${JSON.stringify(warm.counts)}`);
    const warmupMs = performance.now() - warmupStarted;

    console.log(
      `platform: ${RUNS}-run sweep, sampleCount ${SAMPLE_COUNT}, ${WORKERS} worker(s) x concurrency ${CONCURRENCY} ...`,
    );
    const started = performance.now();
    const submitted = await client.submitSweep(
      sweep(
        'bench throughput',
        Array.from({ length: RUNS }, (_, i) => i),
      ),
    );
    const acceptMs = performance.now() - started;
    const finished = await client.waitForSweep(submitted.sweepId, { intervalMs: 100 });
    const platformMs = performance.now() - started;
    if (finished.status !== 'completed')
      throw new Error(`sweep ended ${finished.status}: ${JSON.stringify(finished.counts)}`);
    const [timing] = (await dataSource.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m.wall_time_ms) AS evaluate_ms,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.finished_at - r.started_at) * 1000) AS run_ms
       FROM runs r JOIN results m USING (config_hash) WHERE r.sweep_id = $1`,
      [submitted.sweepId],
    )) as { evaluate_ms: number; run_ms: number }[];

    console.log(`accepting a ${ACCEPT_RUNS}-run sweep ...`);
    const side = Math.ceil(Math.sqrt(ACCEPT_RUNS));
    const seeds = Array.from({ length: side }, (_, i) => 2_000_000 + i);
    const thresholds = Array.from(
      { length: Math.ceil(ACCEPT_RUNS / side) },
      (_, i) => i / Math.ceil(ACCEPT_RUNS / side),
    );
    // Workers paused: the figure is the API, PostgreSQL and Redis accepting, not competing
    // with evaluation threads for the cores.
    const runQueue = new Queue(QueueName.SimulationRuns, {
      prefix: PREFIX,
      connection: { url: REDIS_URL },
    });
    await runQueue.pause();
    const bigStarted = performance.now();
    const big = await client.submitSweep(sweep('bench accept', seeds, thresholds));
    const bigAcceptMs = performance.now() - bigStarted;
    const cancelStarted = performance.now();
    const cancelled = await client.cancelSweep(big.sweepId);
    const cancelMs = performance.now() - cancelStarted;
    await runQueue.resume();
    await runQueue.close();

    const platformPerSecond = RUNS / (platformMs / 1000);
    const report = {
      runs: RUNS,
      concurrency: CONCURRENCY,
      workers: WORKERS,
      sampleCount: SAMPLE_COUNT,
      rawBullmq: { seconds: +(raw.ms / 1000).toFixed(3), jobsPerSecond: +raw.perSecond.toFixed(1) },
      platform: {
        seconds: +(platformMs / 1000).toFixed(3),
        runsPerSecond: +platformPerSecond.toFixed(2),
        acceptSeconds: +(acceptMs / 1000).toFixed(3),
        medianEvaluateMs: +Number(timing.evaluate_ms).toFixed(1),
        medianRunMs: +Number(timing.run_ms).toFixed(1),
        warmupSeconds: +(warmupMs / 1000).toFixed(1),
      },
      platformOverRaw: +(platformPerSecond / raw.perSecond).toFixed(4),
      accept: {
        runs: big.runCount,
        seconds: +(bigAcceptMs / 1000).toFixed(3),
        cancelSeconds: +(cancelMs / 1000).toFixed(3),
        cancelledRuns: cancelled.cancelledRuns,
      },
    };
    console.log('');
    console.log(
      `raw BullMQ          ${RUNS} empty jobs in ${seconds(raw.ms)}: ${raw.perSecond.toFixed(0)} jobs/s`,
    );
    console.log(
      `platform            ${RUNS} runs in ${seconds(platformMs)}: ${platformPerSecond.toFixed(1)} runs/s (accepted in ${seconds(acceptMs)})`,
    );
    console.log(
      `                    median run ${Number(timing.run_ms).toFixed(0)} ms, of which evaluate ${Number(timing.evaluate_ms).toFixed(0)} ms`,
    );
    console.log(`platform / raw      ${(platformPerSecond / raw.perSecond).toFixed(4)}`);
    console.log(
      `accept ${big.runCount} runs   ${seconds(bigAcceptMs)} (cancelled ${cancelled.cancelledRuns} in ${seconds(cancelMs)})`,
    );
    console.log(JSON.stringify(report));
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await removeBenchState(dataSource);
  }
}

runBench(main, children);
