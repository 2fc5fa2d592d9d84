/**
 * Worker cold start, measured against the local PostgreSQL and Redis: the time from starting a
 * worker process to its first stored result for a --sample-count-sample run (default 1,000) of
 * the committed resnet-mnist, with an empty context cache (calibration and semantic memories
 * computed from training data) and then with the cache that first worker filled, side by side.
 * The run is queued before the worker starts, so the time is all the worker's: process start,
 * Nest and BullMQ, the model loaded, the calibration and memories (computed or loaded), the
 * evaluation and the result write. Each measurement evaluates another seed, so no result is
 * served from an earlier one.
 * Run: npm run bench:cold-start -- [--sample-count=1000] [--repeats=1]
 * Uses DATABASE_URL (default the test database) in a schema of its own, dropped at the end, and
 * a fresh ENGRAM_CONTEXT_CACHE_DIR under the system's temporary folder, removed at the end.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

const SAMPLE_COUNT = flag('sample-count', 1_000);
const REPEATS = flag('repeats', 1);
const CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-cold-start-cache-'));

const children: ChildProcess[] = [];

function spawnProcess(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      ...(process.env.ENGRAM_MODELS_DIR
        ? { ENGRAM_MODELS_DIR: process.env.ENGRAM_MODELS_DIR }
        : {}),
      ENGRAM_CONTEXT_CACHE_DIR: CACHE_DIR,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

/** Resolves once the process prints readyText; rejects if it exits or takes 120 s. */
function ready(name: string, child: ChildProcess, readyText: string): Promise<void> {
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
        resolve();
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

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * CPU seconds a process has used (user + system, all its threads; Linux /proc, else NaN): on a
 * loaded machine it approximates the wall time the same work takes on an idle one.
 */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const clockTicksPerSecond = 100;
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return NaN;
  }
}

function cacheFiles(): string[] {
  return fs.existsSync(CACHE_DIR)
    ? fs
        .readdirSync(CACHE_DIR, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.json'))
    : [];
}

async function main(): Promise<void> {
  const dataSource = createExperimentDataSource({ url: DATABASE_URL, schema: SCHEMA, poolSize: 2 });
  await dataSource.initialize();
  await migrateDatabase(dataSource);
  try {
    const port = await freePort();
    const env = {
      DATABASE_URL,
      DATABASE_SCHEMA: SCHEMA,
      REDIS_URL,
      QUEUE_PREFIX: PREFIX,
      API_KEY,
    };
    const api = spawnProcess('apps/api/src/main.ts', {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    await ready('api', api, 'listening on');
    const client = new EngramClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      timeoutMs: 120_000,
    });

    let seed = 0;
    /** Seconds from spawning a worker to the first result row of a run queued before it. */
    const measure = async (
      label: string,
    ): Promise<{ firstResultS: number; readyS: number; cpuS: number }> => {
      const submitted = await client.submitSweep({
        name: `cold-start ${label} ${seed}`,
        model: 'resnet-mnist',
        grid: { seed: [seed++] },
        fixed: { memorySize: 2, camThreshold: 0.2 },
        sampleCount: SAMPLE_COUNT,
      });
      const started = performance.now();
      const worker = spawnProcess('apps/worker/src/main.ts', {
        ...env,
        WORKER_ID: `cold-start-${label}`,
      });
      let readyS = NaN;
      void ready(`worker (${label})`, worker, 'ready').then(
        () => (readyS = (performance.now() - started) / 1000),
        () => undefined,
      );
      const exited = new Promise<never>((_, reject) =>
        worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`))),
      );
      const stored = (async () => {
        for (;;) {
          const [{ count }] = (await dataSource.query(
            `SELECT count(*)::int AS count FROM runs r JOIN results m USING (config_hash)
             WHERE r.sweep_id = $1`,
            [submitted.sweepId],
          )) as { count: number }[];
          if (count > 0) return (performance.now() - started) / 1000;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const firstResultS = await Promise.race([stored, exited]);
      const cpuS = cpuSeconds(worker.pid);
      await stop(worker);
      return { firstResultS, readyS, cpuS };
    };

    const rows: {
      cold: number;
      warm: number;
      coldReady: number;
      warmReady: number;
      coldCpu: number;
      warmCpu: number;
    }[] = [];
    for (let r = 0; r < REPEATS; r++) {
      fs.rmSync(CACHE_DIR, { recursive: true, force: true });
      console.log(`repeat ${r + 1}/${REPEATS}: cold cache (empty ${CACHE_DIR}) ...`);
      const cold = await measure('cold');
      const entries = cacheFiles().length;
      if (entries === 0) throw new Error('the cold worker left no cache entry');
      console.log(`  first result after ${cold.firstResultS.toFixed(2)} s; ${entries} entries`);
      console.log(`repeat ${r + 1}/${REPEATS}: warm cache ...`);
      const warm = await measure('warm');
      console.log(`  first result after ${warm.firstResultS.toFixed(2)} s`);
      rows.push({
        cold: cold.firstResultS,
        warm: warm.firstResultS,
        coldReady: cold.readyS,
        warmReady: warm.readyS,
        coldCpu: cold.cpuS,
        warmCpu: warm.cpuS,
      });
    }

    const [load1, load5, load15] = os.loadavg();
    console.log('');
    console.log(
      `worker start -> first stored result, resnet-mnist, ${SAMPLE_COUNT} samples, ${os.cpus().length} cores`,
    );
    console.log(
      'repeat   cold cache   warm cache   cold/warm   worker CPU: cold, warm   worker ready: cold, warm',
    );
    rows.forEach((row, i) =>
      console.log(
        `${String(i + 1).padEnd(8)} ${row.cold.toFixed(2).padStart(8)} s ${row.warm.toFixed(2).padStart(10)} s ${(row.cold / row.warm).toFixed(2).padStart(10)}   ${row.coldCpu.toFixed(2).padStart(8)} s, ${row.warmCpu.toFixed(2).padStart(6)} s   ${row.coldReady.toFixed(2).padStart(8)} s, ${row.warmReady.toFixed(2)} s`,
      ),
    );
    console.log(
      `load average ${load1.toFixed(2)} ${load5.toFixed(2)} ${load15.toFixed(2)} (1, 5, 15 min) at the end`,
    );
    console.log(
      JSON.stringify({
        sampleCount: SAMPLE_COUNT,
        cores: os.cpus().length,
        loadAverage: [load1, load5, load15].map((l) => +l.toFixed(2)),
        repeats: rows.map((row) => ({
          coldFirstResultSeconds: +row.cold.toFixed(3),
          warmFirstResultSeconds: +row.warm.toFixed(3),
          coldReadySeconds: +row.coldReady.toFixed(3),
          warmReadySeconds: +row.warmReady.toFixed(3),
          coldWorkerCpuSeconds: +row.coldCpu.toFixed(2),
          warmWorkerCpuSeconds: +row.warmCpu.toFixed(2),
        })),
      }),
    );
  } finally {
    await Promise.all(children.map(stop));
    await removeBenchState(dataSource);
    fs.rmSync(CACHE_DIR, { recursive: true, force: true });
  }
}

runBench(main, children);
