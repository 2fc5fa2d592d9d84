import { Client } from 'pg';
import { RECONCILER_LOCK_KEY } from '@engram/persistence/testing';
import { ReconcilerService } from './reconciler/reconciler.service';
import { TestPlatform } from './testing/test-platform';

// The reconciler's decisions on runs whose job is gone, driven pass by pass (its timer is off):
// one replica at a time, two sightings before a repair, re-enqueue with the deterministic job
// id, and the stuck "cancelling" sweep of issue #17 settled without a person.
jest.setTimeout(60_000);

describe('reconciler', () => {
  let platform: TestPlatform;
  let reconciler: ReconcilerService;

  beforeAll(async () => {
    platform = await TestPlatform.start({ RECONCILE_INTERVAL_MS: '0' });
    reconciler = platform.app.get(ReconcilerService);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  async function submit(name: string, seeds: number[], thresholds = [0.2]): Promise<string> {
    const response = await platform.post('/sweeps', {
      name,
      model: 'resnet-mnist',
      // Each seed is a chip; its thresholds are runs of that chip's one job.
      grid: { seed: seeds, camThreshold: thresholds },
      fixed: { memorySize: 2, readNoise: 0.03 },
      sampleCount: 20,
    });
    expect(response.status).toBe(202);
    return response.body.sweepId as string;
  }

  it('runs one pass at a time, and re-enqueues runs whose job is gone only after two sightings', async () => {
    const sweepId = await submit('lost jobs', [1, 2, 3], [0.1, 0.2]);
    const queue = platform.queue();
    try {
      const [lost] = await platform.db.dataSource.query(
        `SELECT DISTINCT job_key FROM runs WHERE sweep_id = $1 AND seed = 2`,
        [sweepId],
      );
      expect(await queue.remove(lost.job_key)).toBe(1);
      // Runs that were running when their chip job vanished: that attempt is not held against them.
      await platform.db.dataSource.query(
        `UPDATE runs SET status = 'running', attempts = 1, worker_id = 'gone' WHERE job_key = $1`,
        [lost.job_key],
      );

      // Another replica holds the lock: this one skips its pass.
      const otherReplica = new Client({ connectionString: platform.db.settings.url });
      await otherReplica.connect();
      await otherReplica.query(`SELECT pg_advisory_lock($1)`, [RECONCILER_LOCK_KEY]);
      expect(await reconciler.reconcileOnce()).toMatchObject({ ran: false });
      await otherReplica.end();

      // First sighting: the job may be finishing right now, so nothing is repaired yet.
      expect(await reconciler.reconcileOnce()).toMatchObject({
        ran: true,
        examinedHashes: 3,
        requeuedRuns: 0,
      });
      expect(await queue.getJobState(lost.job_key)).toBe('unknown');

      // Both runs of the chip go back under one chip job, with its deterministic id.
      const second = await reconciler.reconcileOnce();
      expect(second).toMatchObject({ ran: true, requeuedRuns: 2, requeuedJobs: 1 });
      expect(await queue.getJobState(lost.job_key)).toBe('waiting');
      const job = await queue.getJob(lost.job_key);
      expect(job?.name).toBe('simulate-chip');
      expect(job?.data).toMatchObject({ jobKey: lost.job_key, kind: 'chip', sweepId });
      const runs = await platform.db.dataSource.query(
        `SELECT status, attempts, prior_attempts FROM runs WHERE job_key = $1`,
        [lost.job_key],
      );
      expect(runs).toEqual([
        { status: 'queued', attempts: 1, prior_attempts: 0 },
        { status: 'queued', attempts: 1, prior_attempts: 0 },
      ]);
      // Nothing else to do: every pending run has its job.
      expect(await reconciler.reconcileOnce()).toMatchObject({ requeuedRuns: 0, settledRuns: 0 });
      const metrics = (await platform.get('/metrics')).text;
      expect(metrics).toMatch(/engram_reconciler_runs_requeued_total 2\b/);
      expect(metrics).toMatch(/engram_reconciler_passes_total\{outcome="skipped"\} 1\b/);
    } finally {
      await queue.close();
    }
  });

  it('settles a sweep stuck "cancelling" on a running run whose job is gone', async () => {
    const sweepId = await submit('stuck cancelling', [11, 12]);
    const queue = platform.queue();
    try {
      const [stuck] = await platform.db.dataSource.query(
        `SELECT job_key FROM runs WHERE sweep_id = $1 AND seed = 11`,
        [sweepId],
      );
      await platform.db.dataSource.query(
        `UPDATE runs SET status = 'running', attempts = 1, worker_id = 'gone' WHERE job_key = $1`,
        [stuck.job_key],
      );
      expect(await queue.remove(stuck.job_key)).toBe(1);
      expect((await platform.post(`/sweeps/${sweepId}/cancel`)).body).toMatchObject({
        cancelledRuns: 1,
        sweep: { status: 'cancelling' },
      });
      await reconciler.reconcileOnce();
      const repaired = await reconciler.reconcileOnce();
      expect(repaired).toMatchObject({ settledRuns: 1, sweepsRepaired: 1, requeuedRuns: 0 });
      expect((await platform.get(`/sweeps/${sweepId}`)).body).toMatchObject({
        status: 'cancelled',
        counts: { cancelled: 2, running: 0 },
      });
      expect((await platform.get('/metrics')).text).toMatch(
        /engram_reconciler_sweeps_repaired_total 1\b/,
      );
    } finally {
      await queue.close();
    }
  });
});
