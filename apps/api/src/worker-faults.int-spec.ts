import { TestPlatform, WorkerProcess } from './testing/test-platform';

// Worker faults with real worker processes and the real evaluate: a worker killed mid-run
// (SIGKILL) and a worker stopped (SIGTERM) with a short grace period.
jest.setTimeout(170_000);

const SAMPLES = 50;

function sweep(name: string, seeds: number[]) {
  return {
    name,
    model: 'resnet-mnist',
    grid: { seed: seeds },
    fixed: { memorySize: 2, camThreshold: 0.2, readNoise: 0.02 },
    sampleCount: SAMPLES,
  };
}

async function waitForRunOf(
  platform: TestPlatform,
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
  let platform: TestPlatform;
  let survivor: WorkerProcess;

  beforeAll(async () => {
    platform = await TestPlatform.start({ WRITE_RATE_LIMIT_PER_MINUTE: '1000' });
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
