import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { PostgresTestServer, startPostgresServer } from '@engram/persistence/testing';
import { RedisTestServers, redisServerAvailable, startRedisServer } from '@engram/queue/testing';
import { TEST_API_KEY, Platform } from './support/platform';

// Dependency outages against real servers, each ending with the same invariants: every run
// settled, exactly one result per succeeded run, no run with more attempts than the failures it
// had (none here, so one), and a sweep status that matches its runs. The database is the truth:
// the reconciler (every second here) re-enqueues runs that lost their job, and workers release
// jobs instead of failing them while PostgreSQL is down. Redis and PostgreSQL are private
// servers of this spec (the shared ones are never stopped).
jest.setTimeout(300_000);

const REPO_ROOT = path.resolve(__dirname, '../..');
const API_MAIN = path.join(REPO_ROOT, 'apps/api/src/main.ts');
const RECONCILER = { RECONCILE_INTERVAL_MS: '1000', RECONCILE_BATCH_SIZE: '10000' };

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

interface RunState {
  status: string;
  count: number;
  maxAttempts: number;
  minAttempts: number;
  withoutOneResult: number;
}

/** Runs of the sweep by status, with attempts and how many settled runs lack exactly one result. */
async function runStates(platform: Platform, sweepId: string): Promise<Record<string, RunState>> {
  const rows: RunState[] = await platform.db.dataSource.query(
    `SELECT r.status, count(*)::int AS count, max(r.attempts)::int AS "maxAttempts",
            min(r.attempts)::int AS "minAttempts",
            count(*) FILTER (WHERE (SELECT count(*) FROM results m WHERE m.config_hash = r.config_hash) <> 1)::int
              AS "withoutOneResult"
     FROM runs r WHERE r.sweep_id = $1 GROUP BY r.status`,
    [sweepId],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row]));
}

/** Live jobs of the platform's queue (waiting, delayed, prioritized, active). */
async function liveJobs(platform: Platform): Promise<number> {
  const queue = platform.queue();
  try {
    const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The API as a process of its own that kills itself after `crashAfter` jobs are enqueued. */
async function startCrashingApi(platform: Platform, crashAfter: number) {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', API_MAIN], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: platform.db.settings.url,
      DATABASE_SCHEMA: platform.db.settings.schema,
      REDIS_URL: platform.redisUrl,
      QUEUE_PREFIX: platform.queuePrefix,
      API_KEY: TEST_API_KEY,
      HOST: '127.0.0.1',
      PORT: String(port),
      MAX_RUNS_PER_SWEEP: '10000',
      RECONCILE_INTERVAL_MS: '0',
      ENGRAM_TEST_CRASH_AFTER_ENQUEUED_JOBS: String(crashAfter),
      ENGRAM_MODELS_DIR: process.env.ENGRAM_MODELS_DIR ?? '',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(
    `the API on ${port}:\n${output}`,
    async () => output.includes('listening on'),
    60_000,
  );
  return { url: `http://127.0.0.1:${port}`, exited, output: () => output };
}

function fiveThousandRuns(name: string, readNoise: number) {
  return {
    name,
    model: 'resnet-mnist',
    grid: { seed: Array.from({ length: 5_000 }, (_, i) => i) },
    fixed: { memorySize: 2, camThreshold: 0.2, readNoise },
    sampleCount: 20,
  };
}

describe('API killed mid-enqueue of a 5,000-run sweep', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await Platform.start({ ...RECONCILER, WRITE_RATE_LIMIT_PER_MINUTE: '1000' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('recovers every run without a job, at several kill points, and the sweeps settle', async () => {
    const sweepIds: string[] = [];
    for (const [i, crashAfter] of [1, 2_500].entries()) {
      const api = await startCrashingApi(platform, crashAfter);
      const name = `killed after ${crashAfter}`;
      const answered = await fetch(`${api.url}/sweeps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
        body: JSON.stringify(fiveThousandRuns(name, 0.01 * (i + 1))),
      }).then(
        (response) => response.status,
        () => 'no answer',
      );
      expect({ answered, exit: await api.exited }).toEqual({
        answered: 'no answer',
        exit: 'SIGKILL',
      });
      const [{ id }] = await platform.db.dataSource.query(`SELECT id FROM sweeps WHERE name = $1`, [
        name,
      ]);
      sweepIds.push(id);
      // Committed, but only part enqueued: these runs have no job.
      expect((await runStates(platform, id)).queued.count).toBe(5_000);
    }
    expect(await liveJobs(platform)).toBeLessThan(10_000);

    // The reconciler (in the surviving API) gives every pending run its job back.
    const started = Date.now();
    await until(
      'every pending run to have a job',
      async () => (await liveJobs(platform)) === 10_000,
      60_000,
    );
    const recoveryMs = Date.now() - started;
    const requeued = /engram_reconciler_runs_requeued_total (\d+)/.exec(
      (await platform.get('/metrics')).text,
    );
    expect(Number(requeued?.[1])).toBeGreaterThan(0);
    expect(Number(requeued?.[1])).toBeLessThanOrEqual(10_000);

    // A worker computes some, then the sweeps are cancelled: every run settles.
    const worker = await platform.startWorker();
    await until(
      'a few results',
      async () => ((await runStates(platform, sweepIds[0])).succeeded?.count ?? 0) >= 3,
      120_000,
    );
    for (const id of sweepIds)
      expect((await platform.post(`/sweeps/${id}/cancel`)).status).toBe(200);
    for (const id of sweepIds) {
      const done = await platform.waitForSweep(id, 60_000);
      expect(done.status).toBe('cancelled');
      const states = await runStates(platform, id);
      expect(states.queued).toBeUndefined();
      expect(states.running).toBeUndefined();
      if (states.succeeded) {
        expect(states.succeeded).toMatchObject({
          maxAttempts: 1,
          minAttempts: 1,
          withoutOneResult: 0,
        });
      }
      expect(states.cancelled.maxAttempts).toBeLessThanOrEqual(1);
      expect(done.counts.cancelled + (done.counts.succeeded ?? 0)).toBe(5_000);
    }
    worker.child.kill('SIGTERM');
    console.log(`reliability: 2 x 5,000 runs without jobs recovered in ${recoveryMs} ms`);
  });
});

const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

function eightRuns(name: string) {
  return {
    name,
    model: 'resnet-mnist',
    grid: { seed: [1, 2, 3, 4, 5, 6, 7, 8] },
    fixed: { memorySize: 2, camThreshold: 0.2, readNoise: 0.02 },
    sampleCount: 50,
  };
}

/** Every run succeeded once, with one result and one attempt; the sweep says completed. */
async function expectCompletedCleanly(platform: Platform, sweepId: string): Promise<void> {
  const done = await platform.waitForSweep(sweepId, 180_000);
  expect(done).toMatchObject({ status: 'completed', counts: { succeeded: 8, failed: 0 } });
  expect(await runStates(platform, sweepId)).toEqual({
    succeeded: {
      status: 'succeeded',
      count: 8,
      maxAttempts: 1,
      minAttempts: 1,
      withoutOneResult: 0,
    },
  });
}

describeWithRedis('Redis restarted empty mid-sweep', () => {
  let redis: RedisTestServers;
  let platform: Platform;

  beforeAll(async () => {
    redis = await startRedisServer();
    // Here the worker reconciles (the API's is off): either kind of replica recovers lost jobs.
    platform = await Platform.start({ RECONCILE_INTERVAL_MS: '0' }, { redisUrl: redis.url });
  });

  afterAll(async () => {
    await platform?.stop();
    await redis?.stop();
  });

  it('re-enqueues the lost jobs and completes the sweep with one result and one attempt per run', async () => {
    const worker = await platform.startWorker(RECONCILER);
    const submitted = await platform.post('/sweeps', eightRuns('redis restart'));
    const sweepId = submitted.body.sweepId as string;
    await until(
      'two results and a run in progress',
      async () => {
        const states = await runStates(platform, sweepId);
        return (states.succeeded?.count ?? 0) >= 2 && (states.running?.count ?? 0) >= 1;
      },
      120_000,
    );
    const before = await liveJobs(platform);
    await redis.restartEmpty();
    const restarted = Date.now();
    expect(before).toBeGreaterThan(0);
    expect(await liveJobs(platform)).toBe(0);
    await expectCompletedCleanly(platform, sweepId);
    expect(worker.output()).toMatch(/re-enqueued \d+ jobs/);
    console.log(
      `reliability: Redis restarted empty, sweep completed ${Date.now() - restarted} ms later`,
    );
    worker.child.kill('SIGTERM');
  });
});

describe('PostgreSQL stopped for 30 s mid-sweep', () => {
  let postgres: PostgresTestServer;
  let platform: Platform;

  beforeAll(async () => {
    postgres = await startPostgresServer();
    platform = await Platform.start(RECONCILER, { databaseUrl: postgres.url });
  });

  afterAll(async () => {
    await platform?.stop();
    await postgres?.destroy();
  });

  it('answers 503 meanwhile, burns no attempt, and completes the sweep once it is back', async () => {
    const worker = await platform.startWorker();
    const submitted = await platform.post('/sweeps', eightRuns('postgres outage'));
    const sweepId = submitted.body.sweepId as string;
    await until(
      'two results',
      async () => ((await runStates(platform, sweepId)).succeeded?.count ?? 0) >= 2,
      120_000,
    );
    await postgres.stop();
    const stopped = Date.now();
    for (const response of [
      await platform.get(`/sweeps/${sweepId}`),
      await platform.get('/runs'),
      await platform.post('/sweeps', eightRuns('during the outage')),
    ]) {
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ statusCode: 503, issues: [] });
    }
    expect((await platform.http().get('/health')).status).toBe(503);
    await until(
      'the worker to pause',
      async () => worker.output().includes('pausing job intake'),
      30_000,
    );
    // The outage itself lasts 30 s: jobs come due meanwhile and must not be failed.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - stopped))),
    );
    await postgres.start();
    await until(
      'the worker to resume',
      async () => worker.output().includes('resuming job intake'),
      30_000,
    );
    await expectCompletedCleanly(platform, sweepId);
    expect(worker.output()).not.toMatch(/could not record the failure/);
    console.log(
      `reliability: PostgreSQL down 30 s, sweep completed ${Date.now() - stopped} ms after the stop`,
    );
    worker.child.kill('SIGTERM');
  });
});
