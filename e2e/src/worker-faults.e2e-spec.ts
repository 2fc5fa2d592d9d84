import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeTinyResNetArtifact } from '@engram/evaluation/testing';
import { simulationRunJobId } from '@engram/queue';
import { Platform, WorkerProcess } from './support/platform';

// Worker faults with real worker processes and the real evaluate: a worker killed mid-run
// (SIGKILL), a worker stopped (SIGTERM) with a short grace period, an evaluation that fails
// transiently (retried with the queue table's backoff) or for good, and a job whose workers keep
// dying (stalled more than RUN_MAX_STALLED_COUNT).
jest.setTimeout(170_000);

const SAMPLES = 50;

function sweep(name: string, seeds: number[], sampleCount = SAMPLES) {
  return {
    name,
    model: 'resnet-mnist',
    grid: { seed: seeds },
    fixed: { memorySize: 2, camThreshold: 0.2, readNoise: 0.02 },
    sampleCount,
  };
}

async function waitForRunOf(
  platform: Platform,
  sweepId: string,
  workerId: string,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const running = await platform.get(
      `/runs?sweepId=${sweepId}&status=running&workerId=${workerId}`,
    );
    if (running.body.total > 0) return running.body.items[0].runId as string;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${workerId} took no run of ${sweepId} in ${timeoutMs} ms`);
}

describe('worker faults (real worker processes)', () => {
  let platform: Platform;
  let survivor: WorkerProcess;

  beforeAll(async () => {
    platform = await Platform.start({ WRITE_RATE_LIMIT_PER_MINUTE: '1000' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('completes a sweep whose worker is killed mid-run, with exactly one result per run', async () => {
    const [victim, other] = await Promise.all([platform.startWorker(), platform.startWorker()]);
    survivor = other;
    const submitted = await platform.post('/sweeps', sweep('sigkill', [1, 2, 3, 4]));
    const sweepId = submitted.body.sweepId as string;
    const runId = await waitForRunOf(platform, sweepId, victim.id, 90_000);
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The survivor picks the stalled job up once its lock expires (RUN_LOCK_DURATION_MS=4000).
    const done = await platform.waitForSweep(sweepId, 120_000);
    expect(done).toMatchObject({ status: 'completed', counts: { succeeded: 4, failed: 0 } });
    const killedRun = (await platform.get(`/runs?runId=${runId}`)).body.items[0];
    expect(killedRun).toMatchObject({ status: 'succeeded', workerId: survivor.id });
    expect(killedRun.attempts).toBeGreaterThanOrEqual(2);
    const rows = await platform.db.dataSource.query(
      `SELECT r.id, count(m.config_hash)::int AS results
       FROM runs r LEFT JOIN results m USING (config_hash) WHERE r.sweep_id = $1 GROUP BY r.id`,
      [sweepId],
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((row: { results: number }) => row.results === 1)).toBe(true);
  });

  it('redoes a chip job killed mid-pass once elsewhere: nothing stored midway, one result per run', async () => {
    // Progress written after every batch of the pass, and a pass of 20 batches (10,000 digits):
    // the pass is seen midway however fast the machine is.
    const victim = await platform.startWorker({ PASS_PROGRESS_INTERVAL_MS: '0' });
    // Two chips (seeds) of 6 runs each (thresholds x memory sizes): one chip job per worker.
    const submitted = await platform.post('/sweeps', {
      name: 'chip sigkill',
      model: 'resnet-mnist',
      grid: { seed: [41, 42], camThreshold: [0.1, 0.2, 0.3], memorySize: [1, 2] },
      fixed: { readNoise: 0.02 },
      sampleCount: 10_000,
    });
    const sweepId = submitted.body.sweepId as string;
    const keys = await platform.db.dataSource.query(
      `SELECT DISTINCT job_key FROM runs WHERE sweep_id = $1`,
      [sweepId],
    );
    expect(keys).toHaveLength(2);
    // Killed once its pass has computed part of its runs (pass progress strictly inside (0, 1)).
    const deadline = Date.now() + 90_000;
    let midway: { job_key: string; progress: number }[] = [];
    while (midway.length === 0 && Date.now() < deadline) {
      midway = await platform.db.dataSource.query(
        `SELECT job_key, max(pass_progress) AS progress FROM runs
         WHERE sweep_id = $1 AND worker_id = $2 AND status = 'running'
         GROUP BY job_key HAVING max(pass_progress) > 0 AND max(pass_progress) < 1`,
        [sweepId, victim.id],
      );
      if (midway.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(midway).toHaveLength(1);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const [{ stored }] = await platform.db.dataSource.query(
      `SELECT count(m.config_hash)::int AS stored FROM runs r JOIN results m USING (config_hash)
       WHERE r.job_key = $1`,
      [midway[0].job_key],
    );
    // The chip's results are written in one transaction at its end: none of them yet.
    expect(stored).toBe(0);

    const done = await platform.waitForSweep(sweepId, 150_000);
    expect(done).toMatchObject({
      status: 'completed',
      progress: 1,
      counts: { succeeded: 12, failed: 0 },
    });
    const rows: { job_key: string; worker_id: string; attempts: number; results: number }[] =
      await platform.db.dataSource.query(
        `SELECT r.job_key, r.worker_id, r.attempts, count(m.config_hash)::int AS results
         FROM runs r LEFT JOIN results m USING (config_hash) WHERE r.sweep_id = $1
         GROUP BY r.id`,
        [sweepId],
      );
    expect(rows).toHaveLength(12);
    expect(rows.every((row) => row.results === 1)).toBe(true);
    // The killed chip's runs were redone by the survivor, as one job: one stall, attempt 2.
    const redone = rows.filter((row) => row.job_key === midway[0].job_key);
    expect(redone).toHaveLength(6);
    expect(redone.every((row) => row.worker_id === survivor.id && row.attempts === 2)).toBe(true);
  });

  it('on SIGTERM stops taking jobs and releases the running one within the grace period', async () => {
    const stopping = await platform.startWorker({ SHUTDOWN_GRACE_MS: '300' });
    const submitted = await platform.post('/sweeps', sweep('sigterm', [11, 12, 13]));
    const sweepId = submitted.body.sweepId as string;
    const runId = await waitForRunOf(platform, sweepId, stopping.id, 60_000);
    const signalled = Date.now();
    stopping.child.kill('SIGTERM');
    await stopping.exited;
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(stopping.output()).toMatch(/releasing them/);

    const done = await platform.waitForSweep(sweepId, 120_000);
    expect(done).toMatchObject({ status: 'completed', counts: { succeeded: 3, failed: 0 } });
    const released = (await platform.get(`/runs?runId=${runId}`)).body.items[0];
    // Released, not failed: it ran again elsewhere without an error left behind.
    expect(released).toMatchObject({ status: 'succeeded', workerId: survivor.id, error: null });
  });
});

interface RunRow {
  id: string;
  status: string;
  attempts: number;
  error: string | null;
  workerId: string | null;
  configHash: string;
  /** Its job's id: the chip hash (these one-run sweeps are chip jobs of one run each). */
  jobKey: string;
  results: number;
}

/** The single run of a one-run sweep, read from the database, with its count of results. */
async function runOf(platform: Platform, sweepId: string): Promise<RunRow> {
  const rows: RunRow[] = await platform.db.dataSource.query(
    `SELECT r.id, r.status, r.attempts, r.error, r.worker_id AS "workerId",
            r.config_hash AS "configHash", r.job_key AS "jobKey",
            count(m.config_hash)::int AS results
     FROM runs r LEFT JOIN results m USING (config_hash) WHERE r.sweep_id = $1 GROUP BY r.id`,
    [sweepId],
  );
  expect(rows).toHaveLength(1);
  return rows[0];
}

/** Polls the run (every 50 ms) until `done` holds; returns it with every distinct error seen. */
async function watchRun(
  platform: Platform,
  sweepId: string,
  done: (run: RunRow) => boolean,
  timeoutMs: number,
): Promise<{ run: RunRow; errors: string[]; at: number }> {
  const deadline = Date.now() + timeoutMs;
  const errors: string[] = [];
  let run: RunRow | undefined;
  while (Date.now() < deadline) {
    run = await runOf(platform, sweepId);
    if (run.error !== null && errors[errors.length - 1] !== run.error) errors.push(run.error);
    if (done(run)) return { run, errors, at: Date.now() };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run of ${sweepId} not as expected in ${timeoutMs} ms: ${JSON.stringify(run)}`);
}

async function waitForJobGone(
  platform: Platform,
  jobKey: string,
  timeoutMs: number,
): Promise<void> {
  const queue = platform.queue();
  try {
    const deadline = Date.now() + timeoutMs;
    while ((await queue.getJob(simulationRunJobId(jobKey))) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await queue.close();
  }
}

/** Nothing of the job is left in Redis: not waiting, delayed, active or kept as failed. */
async function expectQueueEmpty(platform: Platform, jobKey: string): Promise<void> {
  const queue = platform.queue();
  try {
    expect(await queue.getJob(simulationRunJobId(jobKey))).toBeUndefined();
    expect(
      await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'failed'),
    ).toEqual({ waiting: 0, delayed: 0, active: 0, prioritized: 0, failed: 0 });
  } finally {
    await queue.close();
  }
}

// The queue table's job options, unchanged (QUEUE_DEFINITIONS in libs/queue): 3 attempts,
// exponential backoff from 5 s, i.e. a retry 5 s then 10 s after a failure.
const ATTEMPTS = 3;
const FIRST_BACKOFF_MS = 5_000;

describe('evaluation failures and repeated stalls (real worker processes)', () => {
  let platform: Platform;
  // A models folder of this block's own: its weights file is hidden to make evaluate fail for
  // real (the API only reads the manifest, so submission is unaffected).
  let modelsDir: string;
  let weights: string;
  let hidden: string;
  const started: WorkerProcess[] = [];
  const scratchDirs: string[] = [];
  const scratch = (prefix: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    scratchDirs.push(dir);
    return dir;
  };
  const hideWeights = () => fs.renameSync(weights, hidden);
  const restoreWeights = () => {
    if (fs.existsSync(hidden)) fs.renameSync(hidden, weights);
  };

  beforeAll(async () => {
    modelsDir = writeTinyResNetArtifact();
    weights = path.join(modelsDir, 'resnet-mnist', 'float.bin');
    hidden = `${weights}.hidden`;
    platform = await Platform.start({
      WRITE_RATE_LIMIT_PER_MINUTE: '1000',
      ENGRAM_MODELS_DIR: modelsDir,
    });
  });

  afterEach(async () => {
    restoreWeights();
    // Each test's workers end with it, so none takes the next test's job.
    for (const worker of started.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null)
        worker.child.kill('SIGKILL');
      await worker.exited;
    }
  });

  afterAll(async () => {
    await platform?.stop();
    if (modelsDir) fs.rmSync(modelsDir, { recursive: true, force: true });
    for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function startWorker(env: Record<string, string> = {}): Promise<WorkerProcess> {
    const worker = await platform.startWorker({ ENGRAM_MODELS_DIR: modelsDir, ...env });
    started.push(worker);
    return worker;
  }

  it('retries a transient evaluation failure with backoff and succeeds on a later attempt, with one result', async () => {
    hideWeights();
    const worker = await startWorker();
    const submitted = await platform.post('/sweeps', sweep('transient', [21]));
    const sweepId = submitted.body.sweepId as string;

    // Attempt 1 fails reading the weights (ENOENT: not a configuration error) and is retried.
    const failed = await watchRun(platform, sweepId, (r) => r.error !== null, 60_000);
    expect(failed.run).toMatchObject({ status: 'queued', attempts: 1, results: 0 });
    expect(failed.run.error).toMatch(/^attempt 1 of 3: Error: ENOENT: .*float\.bin/);
    restoreWeights();

    // Attempt 2 only after the backoff, and it succeeds with the weights back.
    const retried = await watchRun(platform, sweepId, (r) => r.attempts >= 2, 30_000);
    expect(retried.at - failed.at).toBeGreaterThanOrEqual(FIRST_BACKOFF_MS - 1_000);
    const done = await platform.waitForSweep(sweepId, 60_000);
    expect(done).toMatchObject({
      status: 'completed',
      runCount: 1,
      counts: { queued: 0, running: 0, succeeded: 1, failed: 0 },
    });
    expect(await runOf(platform, sweepId)).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      error: null,
      workerId: worker.id,
      results: 1,
    });
    await expectQueueEmpty(platform, retried.run.jobKey);
  });

  it('fails a run whose evaluation keeps failing after the configured attempts, with the error', async () => {
    hideWeights();
    await startWorker();
    const submitted = await platform.post('/sweeps', sweep('always failing', [22]));
    const sweepId = submitted.body.sweepId as string;

    const submittedAt = Date.now();
    const { run, errors } = await watchRun(platform, sweepId, (r) => r.status === 'failed', 60_000);
    // Two backoffs (5 s, then 10 s) separate the three attempts.
    expect(Date.now() - submittedAt).toBeGreaterThanOrEqual(3 * FIRST_BACKOFF_MS - 1_000);
    expect(errors).toHaveLength(ATTEMPTS);
    expect(errors[0]).toMatch(/^attempt 1 of 3: Error: ENOENT: .*float\.bin/);
    expect(errors[1]).toMatch(/^attempt 2 of 3: Error: ENOENT: .*float\.bin/);
    expect(run).toMatchObject({ status: 'failed', attempts: ATTEMPTS, results: 0 });
    expect(run.error).toMatch(/^Error: ENOENT: .*float\.bin.* \(after 3 attempts\)$/);

    const done = await platform.waitForSweep(sweepId, 10_000);
    expect(done).toMatchObject({
      status: 'completed_with_failures',
      runCount: 1,
      counts: { queued: 0, running: 0, succeeded: 0, failed: 1 },
    });
    await expectQueueEmpty(platform, run.jobKey);
  });

  it.each([
    [
      'its dataset is missing on the worker',
      (): Record<string, string> => ({
        ENGRAM_MNIST_DIR: scratch('engram-no-mnist-'),
      }),
      /^DatasetUnavailableError: MNIST file missing: .*-ubyte/,
      24,
    ],
    [
      'its artifact has a format this build cannot read',
      (): Record<string, string> => {
        const copy = scratch('engram-bad-artifact-');
        fs.cpSync(modelsDir, copy, { recursive: true });
        const manifest = path.join(copy, 'resnet-mnist', 'artifact.json');
        const json = JSON.parse(fs.readFileSync(manifest, 'utf8'));
        fs.writeFileSync(manifest, JSON.stringify({ ...json, format: 99 }));
        return { ENGRAM_MODELS_DIR: copy };
      },
      /^ArtifactFormatError: .*artifact\.json: artifact format 99, this build reads 1$/,
      25,
    ],
  ])('fails a run at once, without retries, when %s', async (name, workerEnv, error, seed) => {
    await startWorker(workerEnv());
    const submitted = await platform.post('/sweeps', sweep(`permanent: ${name}`, [seed]));
    const sweepId = submitted.body.sweepId as string;
    const { run, errors } = await watchRun(platform, sweepId, (r) => r.status === 'failed', 60_000);
    // One attempt, one error, nothing left delayed in the queue: never retried.
    expect(run).toMatchObject({ status: 'failed', attempts: 1, results: 0 });
    expect(errors).toHaveLength(1);
    expect(run.error).toMatch(error);
    // The run is failed in the database first; BullMQ removes the job once the processor threw.
    await waitForJobGone(platform, run.jobKey, 10_000);
    await expectQueueEmpty(platform, run.jobKey);
  });

  it('fails a job whose worker dies more than RUN_MAX_STALLED_COUNT times, with the reason', async () => {
    // One stall is recovered (the job runs again); the second fails it.
    const env = { RUN_MAX_STALLED_COUNT: '1' };
    // Many samples: the run is still evaluating when its worker is killed.
    const submitted = await platform.post('/sweeps', sweep('stalls', [31], 5_000));
    const sweepId = submitted.body.sweepId as string;

    const first = await startWorker(env);
    await waitForRunOf(platform, sweepId, first.id, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startWorker(env);
    await waitForRunOf(platform, sweepId, second.id, 60_000);
    expect(await runOf(platform, sweepId)).toMatchObject({ status: 'running', attempts: 2 });
    second.child.kill('SIGKILL');
    await second.exited;

    // A live worker finds the second stall and fails the job instead of running it a third time.
    const third = await startWorker(env);
    const done = await platform.waitForSweep(sweepId, 60_000);
    expect(done).toMatchObject({
      status: 'completed_with_failures',
      runCount: 1,
      progress: 1,
      counts: { queued: 0, running: 0, succeeded: 0, cached: 0, failed: 1, cancelled: 0 },
    });
    const run = await runOf(platform, sweepId);
    expect(run).toMatchObject({ status: 'failed', attempts: 2, workerId: second.id, results: 0 });
    expect(run.error).toBe(
      'stalled 2 times (more than RUN_MAX_STALLED_COUNT=1): the worker running it died or ' +
        'stopped renewing its lock each time, so it is not run again ' +
        '(job stalled more than allowable limit)',
    );
    expect(third.output()).not.toMatch(/could not record the failure/);
    await expectQueueEmpty(platform, run.jobKey);
  });
});
