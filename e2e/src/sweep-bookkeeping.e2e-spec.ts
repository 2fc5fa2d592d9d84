import { Platform } from './support/platform';

// What cancel and retry-failed report and keep: removed jobs that existed (not those that never
// did), the cancellation time of a sweep whose cancelled runs stay cancelled, and attempts that
// count on across retries.
jest.setTimeout(120_000);

describe('cancel and retry-failed bookkeeping', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await Platform.start({ RECONCILE_INTERVAL_MS: '0' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('counts chip jobs as jobs and their runs as runs, on cancel and on retry-failed', async () => {
    // No worker yet: every job waits. 2 chips (seeds) x 3 thresholds.
    const submitted = await platform.post('/sweeps', {
      name: 'chip bookkeeping',
      model: 'resnet-mnist',
      grid: { seed: [7, 8], camThreshold: [0.1, 0.2, 0.3] },
      fixed: { memorySize: 2 },
      sampleCount: 20,
    });
    expect(submitted.body).toMatchObject({ runCount: 6, queuedCount: 6 });
    const sweepId = submitted.body.sweepId as string;
    const queue = platform.queue();
    try {
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
      const cancelled = await platform.post(`/sweeps/${sweepId}/cancel`);
      expect(cancelled.body).toMatchObject({ cancelledRuns: 6, removedJobs: 2 });
      // Two failed runs of one chip: retry-failed enqueues them as that chip's one job.
      await platform.db.dataSource.query(
        `UPDATE runs SET status = 'failed', error = 'boom' WHERE sweep_id = $1 AND seed = 7 AND cam_threshold < 0.3`,
        [sweepId],
      );
      const retried = await platform.post(`/sweeps/${sweepId}/retry-failed`);
      expect(retried.body.requeuedRuns).toBe(2);
      const waiting = await queue.getJobs(['waiting']);
      expect(waiting.map((job) => [job.name, job.data.kind])).toEqual([['simulate-chip', 'chip']]);
      const [{ job_key: chip }] = await platform.db.dataSource.query(
        `SELECT DISTINCT job_key FROM runs WHERE sweep_id = $1 AND seed = 7`,
        [sweepId],
      );
      expect(waiting[0].id).toBe(chip);
      // Cancelled again: the chip's job goes with its runs.
      expect((await platform.post(`/sweeps/${sweepId}/cancel`)).body).toMatchObject({
        cancelledRuns: 2,
        removedJobs: 1,
      });
    } finally {
      await queue.close();
    }
  });

  it('counts only removed jobs that existed, keeps cancelled_at on retry, and counts attempts on', async () => {
    const submitted = await platform.post('/sweeps', {
      name: 'bookkeeping',
      model: 'resnet-mnist',
      grid: { seed: [1, 2, 3] },
      fixed: { memorySize: 2, camThreshold: 0.2 },
      sampleCount: 20,
    });
    const sweepId = submitted.body.sweepId as string;
    const cancelled = await platform.post(`/sweeps/${sweepId}/cancel`);
    expect(cancelled.body).toMatchObject({ cancelledRuns: 3, removedJobs: 3 });
    const cancelledAt = cancelled.body.sweep.cancelledAt as string;
    expect(cancelledAt).toEqual(expect.any(String));
    // Nothing is left to remove: no job is reported removed.
    expect((await platform.post(`/sweeps/${sweepId}/cancel`)).body).toMatchObject({
      cancelledRuns: 0,
      removedJobs: 0,
    });

    // One run failed after three attempts (as a worker would have recorded it).
    await platform.db.dataSource.query(
      `UPDATE runs SET status = 'failed', attempts = 3, error = 'boom' WHERE sweep_id = $1 AND seed = 1`,
      [sweepId],
    );
    const retried = await platform.post(`/sweeps/${sweepId}/retry-failed`);
    expect(retried.body.requeuedRuns).toBe(1);
    // The cancelled runs stay cancelled, and so does the record of when the sweep was cancelled;
    // the requeued run makes the sweep run again (not "cancelling").
    expect(retried.body.sweep).toMatchObject({
      status: 'running',
      cancelledAt: (await platform.get(`/sweeps/${sweepId}`)).body.cancelledAt,
      counts: { queued: 1, cancelled: 2 },
    });
    expect((await platform.get(`/sweeps/${sweepId}`)).body.cancelledAt).not.toBeNull();

    await platform.startWorker();
    const done = await platform.waitForSweep(sweepId, 90_000);
    expect(done).toMatchObject({ status: 'cancelled', counts: { succeeded: 1, cancelled: 2 } });
    const [run] = (await platform.get(`/runs?sweepId=${sweepId}&status=succeeded`)).body.items;
    // Three failed attempts of the first job, then the retried job's first.
    expect(run).toMatchObject({ attempts: 4, error: null });
  });
});
