/**
 * Sweep throughput of a worker fleet on this machine, measured side by side in one run: the API
 * and 1, 2 and 4 worker processes (each WORKER_CONCURRENCY=1, ENGRAM_ORT_THREADS=1), then the
 * other ways to spend 2 evaluation threads (1 process x concurrency 2; 1 process x 2 onnxruntime
 * threads). Each fleet first runs a warm-up sweep (every evaluation thread loads the model and
 * builds its memories once), then a measured sweep of --runs runs; the figure is runs per minute
 * from the POST to the last result, and the scaling efficiency is
 * (runs/min with N processes) / (N x runs/min with 1).
 * Run: node -r @swc-node/register bench/fleet-throughput.ts [--runs=24] [--sample-count=200]
 * Model: the committed resnet-mnist artifact (or ENGRAM_MODELS_DIR). Uses DATABASE_URL / REDIS_URL
 * (default the test ones) in a schema and queue prefix of its own, removed at the end.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as os from 'node:os';
import { EngramClient } from '@engram/api-client';
import { createExperimentDataSource, migrateDatabase } from '@engram/persistence';
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

const RUNS = flag('runs', 24);
const SAMPLE_COUNT = flag('sample-count', 200);

interface Fleet {
  label: string;
  processes: number;
  concurrency: number;
  ortThreads: number;
}

const FLEETS: Fleet[] = [
  { label: '1 process', processes: 1, concurrency: 1, ortThreads: 1 },
  { label: '2 processes', processes: 2, concurrency: 1, ortThreads: 1 },
  { label: '4 processes', processes: 4, concurrency: 1, ortThreads: 1 },
  { label: '1 process, concurrency 2', processes: 1, concurrency: 2, ortThreads: 1 },
  { label: '1 process, 2 ORT threads', processes: 1, concurrency: 1, ortThreads: 2 },
];

const children: ChildProcess[] = [];

function start(entry: string, env: Record<string, string>, readyText: string) {
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} not ready:\n${output}`)), 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited:\n${output}`));
    });
  });
  return { child, ready, exited };
}

function sweep(name: string, seeds: number[]) {
  return {
    name,
    model: 'resnet-mnist',
    grid: { seed: seeds },
    fixed: { memorySize: 2, camThreshold: 0.1, readNoise: 0.02 },
    sampleCount: SAMPLE_COUNT,
  };
}

async function measure(
  client: EngramClient,
  env: Record<string, string>,
  fleet: Fleet,
  seed0: number,
) {
  const workers = Array.from({ length: fleet.processes }, (_, i) =>
    start(
      'apps/worker/src/main.ts',
      {
        ...env,
        WORKER_ID: `bench-${seed0}-${i + 1}`,
        WORKER_CONCURRENCY: String(fleet.concurrency),
        ENGRAM_ORT_THREADS: String(fleet.ortThreads),
      },
      'ready',
    ),
  );
  await Promise.all(workers.map((w) => w.ready));
  const threads = fleet.processes * fleet.concurrency;
  // warm-up: one run per evaluation thread and then some, so every thread has loaded the model
  const warm = await client.submitSweep(
    sweep(
      `warm-up ${fleet.label}`,
      Array.from({ length: 2 * threads }, (_, i) => seed0 + 500 + i),
    ),
  );
  await client.waitForSweep(warm.sweepId, { intervalMs: 200 });
  const started = performance.now();
  const submitted = await client.submitSweep(
    sweep(
      `measured ${fleet.label}`,
      Array.from({ length: RUNS }, (_, i) => seed0 + i),
    ),
  );
  const done = await client.waitForSweep(submitted.sweepId, { intervalMs: 100 });
  const ms = performance.now() - started;
  if (done.status !== 'completed') throw new Error(`${fleet.label}: sweep ended ${done.status}`);
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  return { runsPerMinute: RUNS / (ms / 60_000), seconds: ms / 1000 };
}

async function main(): Promise<void> {
  const dataSource = createExperimentDataSource({ url: DATABASE_URL, schema: SCHEMA, poolSize: 2 });
  await dataSource.initialize();
  await migrateDatabase(dataSource);
  try {
    const env = {
      DATABASE_URL,
      DATABASE_SCHEMA: SCHEMA,
      REDIS_URL,
      QUEUE_PREFIX: PREFIX,
      API_KEY,
      WRITE_RATE_LIMIT_PER_MINUTE: '1000',
    };
    const port = await freePort();
    await start(
      'apps/api/src/main.ts',
      { ...env, PORT: String(port), HOST: '127.0.0.1' },
      'listening on',
    ).ready;
    const client = new EngramClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      timeoutMs: 120_000,
    });
    const load = os.loadavg()[0];
    console.log(
      `fleet throughput: ${RUNS}-run sweeps of resnet-mnist on ${SAMPLE_COUNT} digits, ${os.availableParallelism()} cores, load average ${load.toFixed(2)} at start`,
    );
    const rows: { fleet: Fleet; runsPerMinute: number; seconds: number }[] = [];
    for (const [index, fleet] of FLEETS.entries()) {
      console.log(`  ${fleet.label} ...`);
      rows.push({ fleet, ...(await measure(client, env, fleet, (index + 1) * 10_000)) });
    }
    const base = rows[0].runsPerMinute;
    console.log('');
    console.log(
      '| fleet | processes x WORKER_CONCURRENCY x ENGRAM_ORT_THREADS | runs/min | speed-up vs 1 process | scaling efficiency |',
    );
    console.log('|---|---|---:|---:|---:|');
    for (const { fleet, runsPerMinute } of rows) {
      const speedup = runsPerMinute / base;
      const units = fleet.processes * fleet.concurrency * fleet.ortThreads;
      console.log(
        `| ${fleet.label} | ${fleet.processes} x ${fleet.concurrency} x ${fleet.ortThreads} | ${runsPerMinute.toFixed(1)} | ${speedup.toFixed(2)} | ${(speedup / units).toFixed(2)} |`,
      );
    }
    console.log(`load average at the end ${os.loadavg()[0].toFixed(2)}`);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await removeBenchState(dataSource);
  }
}

runBench(main, children);
