import { QueueEvents } from 'bullmq';
import { QueueName } from '@engram/queue';
import { TEST_REDIS_URL, Platform, WorkerProcess } from './support/platform';

// What KEDA does to a sweep, with real worker processes and the real evaluate (tiny ResNet): the
// fleet starts at 1 worker, scales to 4 while the sweep runs, then back to 1 with SIGTERM (the
// pods' termination path: stop taking jobs, finish or release the running ones within
// SHUTDOWN_GRACE_MS), twice. Every run must end with exactly one result, no job may be computed
// twice to completion, and the time the scale-downs cost is measured and printed.
jest.setTimeout(420_000);

const RUNS = 16;
const SAMPLES = 400;
/** Short, so a scale-down releases runs in flight instead of waiting for them. */
const SHUTDOWN_GRACE_MS = 1_000;
const CYCLES = 2;

interface InFlight {
  runId: string;
  workerId: string;
  startedAt: number;
}

interface Stopped {
  cycle: number;
  drainMs: number;
  caught: InFlight[];
  exitedAt: Map<string, number>;
}

interface ScaleDown {
  cycle: number;
  /** SIGTERM to the last of the 3 workers exiting. */
  drainMs: number;
  inFlight: number;
  /** Runs in flight on a stopped worker that finished elsewhere (released, then redone). */
  redone: number;
  /** Work thrown away: for each redone run, from its start on the stopped worker to that worker's exit. */
  lostMs: number;
}

describe('the fleet, scaled as KEDA does (real worker processes)', () => {
  let platform: Platform;
  let events: QueueEvents;
  const completions = new Map<string, string[]>();

  beforeAll(async () => {
    platform = await Platform.start({ WRITE_RATE_LIMIT_PER_MINUTE: '1000' });
    events = new QueueEvents(QueueName.SimulationRuns, {
      prefix: platform.queuePrefix,
      connection: { url: TEST_REDIS_URL },
    });
    await events.waitUntilReady();
    events.on('completed', ({ jobId, returnvalue }) => {
      const outcome = (returnvalue as unknown as { outcome?: string })?.outcome ?? 'unknown';
      completions.set(jobId, [...(completions.get(jobId) ?? []), outcome]);
    });
  });

  afterAll(async () => {
    await events?.close();
    await platform?.stop();
  });

  it('scales 1 -> 4 -> 1 twice mid-sweep: one result per run, nothing computed twice, time lost measured', async () => {
    const workerEnv = { SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) };
    const first = await platform.startWorker(workerEnv);
    const submitted = await platform.post('/sweeps', {
      name: 'fleet scaling',
      model: 'resnet-mnist',
      grid: { seed: Array.from({ length: RUNS }, (_, i) => i + 1) },
      fixed: { memorySize: 2, camThreshold: 0.2, readNoise: 0.02 },
      sampleCount: SAMPLES,
    });
    expect(submitted.status).toBe(202);
    const sweepId = submitted.body.sweepId as string;
    const started = Date.now();

    const stops: Stopped[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const extra = await Promise.all([1, 2, 3].map(() => platform.startWorker(workerEnv)));
      // the fleet works until every new worker has a run in flight (or the queue runs dry)
      await waitUntil(async () => {
        const busy = await inFlight(platform, sweepId);
        const queued = (await platform.get(`/sweeps/${sweepId}`)).body.counts.queued as number;
        return queued === 0 || extra.every((w) => busy.some((run) => run.workerId === w.id));
      }, 120_000);
      stops.push(await scaleDown(platform, sweepId, extra, cycle));
    }
    expect(first.child.exitCode).toBeNull(); // the fleet never went below 1

    const done = await platform.waitForSweep(sweepId, 240_000);
    const sweepMs = Date.now() - started;
    expect(done).toMatchObject({ status: 'completed', counts: { succeeded: RUNS, failed: 0 } });
    const scaleDowns: ScaleDown[] = [];
    for (const stop of stops) scaleDowns.push(await lossOf(platform, stop));

    // exactly one result per run
    const rows: { results: number }[] = await platform.db.dataSource.query(
      `SELECT r.id, count(m.config_hash)::int AS results
       FROM runs r LEFT JOIN results m USING (config_hash) WHERE r.sweep_id = $1 GROUP BY r.id`,
      [sweepId],
    );
    expect(rows).toHaveLength(RUNS);
    expect(rows.every((row) => row.results === 1)).toBe(true);

    // no job completed twice: one 'completed' event per job, and it computed the result (a
    // second completion would find the result stored and say 'reused')
    await waitUntil(async () => completions.size === RUNS, 10_000);
    for (const [jobId, outcomes] of completions)
      expect([jobId, outcomes]).toEqual([jobId, ['computed']]);

    const total = scaleDowns.reduce(
      (sum, s) => ({ redone: sum.redone + s.redone, lostMs: sum.lostMs + s.lostMs }),
      { redone: 0, lostMs: 0 },
    );
    console.log(
      [
        `fleet scaling: ${RUNS} runs of ${SAMPLES} digits (tiny ResNet), 1 -> 4 -> 1 workers x ${CYCLES}, grace ${SHUTDOWN_GRACE_MS} ms: sweep ${(sweepMs / 1000).toFixed(1)} s`,
        '| scale-down | drain (SIGTERM -> exit) | runs in flight | redone elsewhere | work lost |',
        '|---|---:|---:|---:|---:|',
        ...scaleDowns.map(
          (s) =>
            `| ${s.cycle} | ${(s.drainMs / 1000).toFixed(2)} s | ${s.inFlight} | ${s.redone} | ${(s.lostMs / 1000).toFixed(2)} s |`,
        ),
        `| total | | | ${total.redone} | ${(total.lostMs / 1000).toFixed(2)} s |`,
      ].join('\n'),
    );
    for (const s of scaleDowns) {
      // bounded by the grace period (plus closing connections and threads), never by a run's length
      expect(s.drainMs).toBeLessThan(SHUTDOWN_GRACE_MS + 15_000);
      expect(s.redone).toBeLessThanOrEqual(s.inFlight);
    }
  });
});

/** The runs of the sweep in flight now, with their worker and start time. */
async function inFlight(platform: Platform, sweepId: string): Promise<InFlight[]> {
  const rows: { id: string; worker_id: string; started_at: Date }[] =
    await platform.db.dataSource.query(
      `SELECT id, worker_id, started_at FROM runs WHERE sweep_id = $1 AND status = 'running'`,
      [sweepId],
    );
  return rows.map((r) => ({
    runId: r.id,
    workerId: r.worker_id,
    startedAt: new Date(r.started_at).getTime(),
  }));
}

/** SIGTERM to the extra workers at once (KEDA's HPA deleting pods), measured. */
async function scaleDown(
  platform: Platform,
  sweepId: string,
  workers: WorkerProcess[],
  cycle: number,
): Promise<Stopped> {
  const ids = new Set(workers.map((w) => w.id));
  const caught = (await inFlight(platform, sweepId)).filter((run) => ids.has(run.workerId));
  const signalled = Date.now();
  for (const worker of workers) worker.child.kill('SIGTERM');
  const exitedAt = new Map<string, number>();
  await Promise.all(
    workers.map(async (w) => {
      // Nest runs the shutdown hooks, then re-raises the signal: a graceful stop ends by SIGTERM
      const { code, signal } = await w.exited;
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      exitedAt.set(w.id, Date.now());
    }),
  );
  const drainMs = Math.max(...exitedAt.values()) - signalled;
  return { cycle, drainMs, caught, exitedAt };
}

/** After the sweep: which runs caught by a scale-down were redone elsewhere, and the work lost. */
async function lossOf(platform: Platform, stop: Stopped): Promise<ScaleDown> {
  let redone = 0;
  let lostMs = 0;
  for (const run of stop.caught) {
    const final = await runStatus(platform, run.runId);
    expect(final.status).toBe('succeeded');
    if (final.workerId !== run.workerId) {
      redone++;
      lostMs += (stop.exitedAt.get(run.workerId) as number) - run.startedAt;
    }
  }
  return { cycle: stop.cycle, drainMs: stop.drainMs, inFlight: stop.caught.length, redone, lostMs };
}

async function runStatus(
  platform: Platform,
  runId: string,
): Promise<{ status: string; workerId: string | null }> {
  const [row] = await platform.db.dataSource.query(
    `SELECT status, worker_id AS "workerId" FROM runs WHERE id = $1`,
    [runId],
  );
  return row;
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
