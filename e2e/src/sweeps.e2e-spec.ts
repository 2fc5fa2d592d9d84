import { QueueEvents } from 'bullmq';
import { EngramApiError, EngramClient } from '@engram/api-client';
import { QueueName, SimulationRunJobResult } from '@engram/queue';
import { TEST_API_KEY, Platform, WorkerProcess } from './support/platform';

// End to end over HTTP with the real evaluate (tiny sample counts): API in-process, one worker
// process, real PostgreSQL and Redis.
jest.setTimeout(150_000);

const SAMPLES = 100;

const noiseSweep = {
  name: 'read noise x CAM threshold',
  model: 'resnet-mnist',
  grid: { readNoise: [0, 0.05], camThreshold: [0.1, 0.3] },
  fixed: { memorySize: 2 },
  repeats: 2,
  sampleCount: SAMPLES,
};

/**
 * The queue's waiting, active and delayed counts once its last job has finished: a job's runs
 * settle in the database just before BullMQ completes the job, so an active job may linger for
 * a moment after the sweep is settled (up to 10 s here, then the counts are returned as they are).
 */
async function settledQueueCounts(platform: Platform): Promise<Record<string, number>> {
  const queue = platform.queue();
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      if (Object.values(counts).every((n) => n === 0) || Date.now() > deadline) return counts;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await queue.close();
  }
}

describe('sweeps over HTTP (real evaluate, real PostgreSQL and Redis)', () => {
  let platform: Platform;
  let worker: WorkerProcess;
  let sweepId: string;

  beforeAll(async () => {
    platform = await Platform.start({ WRITE_RATE_LIMIT_PER_MINUTE: '1000' });
    worker = await platform.startWorker();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('rejects invalid specs with 400s that name the field', async () => {
    const cases: [object, string, RegExp][] = [
      [{ ...noiseSweep, model: 'vgg-cifar' }, 'model', /unknown model/],
      [
        { ...noiseSweep, grid: { ...noiseSweep.grid, shotNoise: [0.1] } },
        'grid.shotNoise',
        /unknown axis/,
      ],
      [
        { ...noiseSweep, grid: { ...noiseSweep.grid, readNoise: [0, 1.5] } },
        'grid.readNoise[1]',
        /<= 1/,
      ],
      [{ ...noiseSweep, grid: { ...noiseSweep.grid, adcBits: [] } }, 'grid.adcBits', /empty/],
      [
        {
          ...noiseSweep,
          grid: {
            seed: Array.from({ length: 101 }, (_, i) => i),
            camThreshold: Array.from({ length: 100 }, (_, i) => i / 100),
          },
          repeats: 1,
        },
        'grid',
        /more than the maximum of 10000/,
      ],
    ];
    for (const [spec, field, message] of cases) {
      const response = await platform.post('/sweeps', spec);
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual(
        expect.arrayContaining([{ field, message: expect.stringMatching(message) }]),
      );
    }
  });

  it('requires the API key, except for /health, and publishes OpenAPI and the spec schema', async () => {
    expect((await platform.http().get('/sweeps')).status).toBe(401);
    expect(
      (await platform.http().get('/sweeps').set('authorization', `Bearer ${TEST_API_KEY}`)).status,
    ).toBe(200);
    const health = await platform.http().get('/health');
    expect(health.status).toBe(200);
    expect(health.body.checks).toMatchObject({
      database: { status: 'up' },
      redis: { status: 'up' },
    });
    const openapi = await platform.http().get('/docs/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/sweeps',
        '/sweeps/{id}',
        '/sweeps/{id}/events',
        '/sweeps/{id}/results',
        '/sweeps/{id}/summary',
        '/runs',
        '/health',
        '/metrics',
      ]),
    );
    const schema = await platform.get('/sweep-spec/schema');
    expect(schema.body.properties.grid.properties.readNoise.items).toMatchObject({
      minimum: 0,
      maximum: 1,
    });
  });

  it('runs a real sweep to completion, streaming progress as server-sent events', async () => {
    const submitted = await platform.post('/sweeps', noiseSweep);
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ runCount: 8, cachedCount: 0, queuedCount: 8 });
    sweepId = submitted.body.sweepId;
    expect(submitted.headers.location).toBe(`/sweeps/${sweepId}`);

    const events = await platform
      .get(`/sweeps/${sweepId}/events`)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      })
      .timeout(120_000);
    const stream = events.body as string;
    expect(stream).toContain('event: progress');
    expect(stream).toMatch(/event: end\n(id: \d+\n)?data: .*"status":"completed"/);

    const sweep = await platform.get(`/sweeps/${sweepId}`);
    expect(sweep.body).toMatchObject({
      status: 'completed',
      progress: 1,
      etaMs: 0,
      counts: { succeeded: 8, failed: 0 },
    });
    expect(sweep.body.spec).toEqual(noiseSweep);
  });

  it('filters, sorts and pages results, with every metric of the evaluation', async () => {
    const page = await platform.get(
      `/sweeps/${sweepId}/results?readNoise=0.05&sort=-dynamicAccuracy&limit=3`,
    );
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(4);
    expect(page.body.items).toHaveLength(3);
    const accuracies = page.body.items.map(
      (r: { metrics: { dynamicAccuracy: number } }) => r.metrics.dynamicAccuracy,
    );
    expect(accuracies).toEqual([...accuracies].sort((a, b) => b - a));
    for (const run of page.body.items) {
      expect(run.parameters.readNoise).toBe(0.05);
      expect(run.metrics.samples).toBe(SAMPLES);
      expect(run.metrics.dynamicAccuracy).toBeGreaterThan(0);
      expect(run.metrics.dynamicAccuracy).toBeLessThanOrEqual(1);
      expect(run.metrics.energyPerInferencePj).toBeGreaterThan(0);
      expect(run.exitHistogram.reduce((a: number, b: number) => a + b, 0)).toBe(SAMPLES);
      expect(run.workerId).toBe(worker.id);
      // One attempt each, although the worker's lock (4 s) is far shorter than its first run
      // (model loading): evaluation threads leave the event loop free to renew it.
      expect(run.attempts).toBe(1);
    }
    const bad = await platform.get(`/sweeps/${sweepId}/results?shoeSize=3`);
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe('shoeSize');

    // Exactly one result per configuration, and every run has one.
    const [{ runs, withResult }] = await platform.db.dataSource.query(
      `SELECT count(*)::int AS runs, count(m.config_hash)::int AS "withResult"
       FROM runs r LEFT JOIN results m USING (config_hash) WHERE r.sweep_id = $1`,
      [sweepId],
    );
    expect({ runs, withResult }).toEqual({ runs: 8, withResult: 8 });
  });

  it('summarizes each grid point over its seeds', async () => {
    const summary = await platform.get(`/sweeps/${sweepId}/summary`);
    expect(summary.body.groupBy).toEqual(['readNoise', 'camThreshold']);
    expect(summary.body.groups).toHaveLength(4);
    for (const group of summary.body.groups) {
      expect(group.count).toBe(2);
      expect(group.metrics.dynamicAccuracy.mean).toBeGreaterThan(0);
      expect(group.metrics.dynamicAccuracy.std).toBeGreaterThanOrEqual(0);
    }
  });

  it('exports results as CSV', async () => {
    const csv = await platform.get(`/sweeps/${sweepId}/results?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines).toHaveLength(9);
    const header = lines[0].split(',');
    expect(header).toEqual(
      expect.arrayContaining([
        'runId',
        'readNoise',
        'camThreshold',
        'seed',
        'dynamicAccuracy',
        'exitHistogram',
      ]),
    );
    const readNoiseColumn = header.indexOf('readNoise');
    expect(new Set(lines.slice(1).map((line) => line.split(',')[readNoiseColumn]))).toEqual(
      new Set(['0', '0.05']),
    );
  });

  it('is readable through the typed API client', async () => {
    const client = new EngramClient({ baseUrl: await platform.baseUrl(), apiKey: TEST_API_KEY });
    const sweep = await client.getSweep(sweepId);
    expect(sweep).toMatchObject({ id: sweepId, status: 'completed', runCount: 8 });
    const summary = await client.summary(sweepId, ['dynamicAccuracy']);
    expect(summary.groups).toHaveLength(4);
    const page = await client.results(sweepId, { camThreshold: 0.3, sort: '-seed', limit: 2 });
    expect(page.items.map((r) => r.parameters.seed)).toEqual([1, 1]);
    expect((await client.resultsCsv(sweepId)).split('\r\n')[0]).toMatch(/^runId,/);
    const error = await client
      .submitSweep({ ...noiseSweep, model: 'vgg' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngramApiError);
    expect((error as EngramApiError).issues[0].field).toBe('model');
  });

  it('serves a resubmitted sweep from cache without recomputing', async () => {
    const [{ before }] = await platform.db.dataSource.query(
      `SELECT count(*)::int AS before FROM results`,
    );
    const resubmitted = await platform.post('/sweeps', noiseSweep);
    expect(resubmitted.body).toMatchObject({ runCount: 8, cachedCount: 8, queuedCount: 0 });
    const sweep = await platform.get(`/sweeps/${resubmitted.body.sweepId}`);
    expect(sweep.body).toMatchObject({ status: 'completed', counts: { cached: 8 } });
    const [{ after }] = await platform.db.dataSource.query(
      `SELECT count(*)::int AS after FROM results`,
    );
    expect(after).toBe(before);
  });

  it('fails invalid configurations at once with the reason, and retries only failed runs', async () => {
    // Stuck-at rates are in range one by one, but 0.7 + 0.7 cells cannot be stuck: the device
    // profile rejects the combination inside evaluate.
    const faults = {
      name: 'stuck-at faults',
      model: 'resnet-mnist',
      grid: { stuckAtHrsRate: [0, 0.7] },
      fixed: { stuckAtLrsRate: 0.7, memorySize: 2, camThreshold: 0.1 },
      sampleCount: SAMPLES,
    };
    const submitted = await platform.post('/sweeps', faults);
    const id = submitted.body.sweepId as string;
    let sweep = await platform.waitForSweep(id, 60_000);
    expect(sweep).toMatchObject({
      status: 'completed_with_failures',
      counts: { succeeded: 1, failed: 1 },
    });
    const failed = await platform.get(`/runs?sweepId=${id}&status=failed`);
    expect(failed.body.items).toHaveLength(1);
    expect(failed.body.items[0]).toMatchObject({
      attempts: 1,
      parameters: { stuckAtHrsRate: 0.7 },
    });
    expect(failed.body.items[0].error).toMatch(/InvalidEvaluationConfigError/);

    const retried = await platform.post(`/sweeps/${id}/retry-failed`);
    expect(retried.status).toBe(202);
    expect(retried.body.requeuedRuns).toBe(1);
    sweep = await platform.waitForSweep(id, 60_000);
    expect(sweep.counts).toMatchObject({ succeeded: 1, failed: 1 });
    const succeeded = await platform.get(`/runs?sweepId=${id}&status=succeeded`);
    expect(succeeded.body.items[0].attempts).toBe(1);
  });

  it('cancels a sweep: queued runs are removed, the running one finishes, the state is consistent', async () => {
    const long = {
      name: 'to cancel',
      model: 'resnet-mnist',
      grid: { seed: Array.from({ length: 20 }, (_, i) => 100 + i) },
      fixed: { memorySize: 2, camThreshold: 0.2 },
      sampleCount: SAMPLES,
    };
    const submitted = await platform.post('/sweeps', long);
    const id = submitted.body.sweepId as string;
    const cancelled = await platform.post(`/sweeps/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancelledRuns).toBeGreaterThanOrEqual(15);
    // A job the worker has just taken is locked and stays; it finds its run cancelled and skips.
    expect(cancelled.body.removedJobs).toBeGreaterThanOrEqual(cancelled.body.cancelledRuns - 1);

    const sweep = await platform.waitForSweep(id, 60_000);
    expect(sweep.status).toBe('cancelled');
    expect(sweep.counts.queued + sweep.counts.running).toBe(0);
    expect(sweep.counts.cancelled + sweep.counts.succeeded).toBe(20);
    expect(await settledQueueCounts(platform)).toEqual({ waiting: 0, active: 0, delayed: 0 });
  });

  it('computes the runs of a chip in one job, new thresholds of a done chip alone, measured runs in a job each', async () => {
    const events = new QueueEvents(QueueName.SimulationRuns, {
      prefix: platform.queuePrefix,
      connection: { url: platform.redisUrl },
    });
    await events.waitUntilReady();
    const completed: { jobId: string; result: SimulationRunJobResult }[] = [];
    events.on('completed', ({ jobId, returnvalue }) =>
      completed.push({ jobId, result: returnvalue as unknown as SimulationRunJobResult }),
    );
    const completionsOf = async (keys: string[], count: number) => {
      const deadline = Date.now() + 10_000;
      const of = () => completed.filter((c) => keys.includes(c.jobId));
      while (of().length < count && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      return of();
    };
    const jobKeysOf = async (id: string): Promise<{ job_key: string; config_hash: string }[]> =>
      platform.db.dataSource.query(`SELECT job_key, config_hash FROM runs WHERE sweep_id = $1`, [
        id,
      ]);
    try {
      // 2 chips (read noise) x 3 thresholds x 2 memory sizes: 12 runs, 2 jobs.
      const chips = {
        name: 'chips',
        model: 'resnet-mnist',
        grid: { readNoise: [0, 0.05], camThreshold: [0.1, 0.2, 0.3], memorySize: [1, 2] },
        fixed: { seed: 7 },
        sampleCount: SAMPLES,
      };
      const first = await platform.post('/sweeps', chips);
      expect(first.body).toMatchObject({ runCount: 12, queuedCount: 12 });
      const firstId = first.body.sweepId as string;
      const done = await platform.waitForSweep(firstId, 120_000);
      expect(done).toMatchObject({ status: 'completed', counts: { succeeded: 12 } });
      const keys = await jobKeysOf(firstId);
      const chipKeys = [...new Set(keys.map((k) => k.job_key))];
      expect(chipKeys).toHaveLength(2);
      expect(keys.every((k) => k.job_key !== k.config_hash)).toBe(true);
      const [{ results }] = await platform.db.dataSource.query(
        `SELECT count(*)::int AS results FROM results WHERE config_hash = ANY($1::text[])`,
        [keys.map((k) => k.config_hash)],
      );
      expect(results).toBe(12);
      // One completion per chip, each computing its 6 configurations.
      const firstRound = await completionsOf(chipKeys, 2);
      expect(firstRound.map((c) => c.result)).toEqual([
        expect.objectContaining({ outcome: 'computed', settledRuns: 6, computedConfigs: 6 }),
        expect.objectContaining({ outcome: 'computed', settledRuns: 6, computedConfigs: 6 }),
      ]);

      // One more threshold: the 12 known runs are served from cache, each chip's job computes
      // only its 2 new runs.
      const wider = { ...chips, name: 'chips, one more threshold' };
      wider.grid = { ...chips.grid, camThreshold: [0.1, 0.2, 0.3, 0.4] };
      const second = await platform.post('/sweeps', wider);
      expect(second.body).toMatchObject({ runCount: 16, cachedCount: 12, queuedCount: 4 });
      const secondId = second.body.sweepId as string;
      expect(await platform.waitForSweep(secondId, 120_000)).toMatchObject({
        status: 'completed',
        counts: { cached: 12, succeeded: 4 },
      });
      expect(new Set((await jobKeysOf(secondId)).map((k) => k.job_key))).toEqual(new Set(chipKeys));
      const secondRound = (await completionsOf(chipKeys, 4)).slice(2);
      expect(secondRound.map((c) => c.result)).toEqual([
        expect.objectContaining({ outcome: 'computed', settledRuns: 2, computedConfigs: 2 }),
        expect.objectContaining({ outcome: 'computed', settledRuns: 2, computedConfigs: 2 }),
      ]);

      // Measured timing: real dynamic inference per run, a job of its own (its config hash).
      const measured = {
        ...chips,
        name: 'measured',
        grid: { readNoise: [0], camThreshold: [0.1, 0.2], memorySize: [1] },
        timing: 'measured',
      };
      const third = await platform.post('/sweeps', measured);
      // Not the derived runs' results: another identity.
      expect(third.body).toMatchObject({ runCount: 2, cachedCount: 0, queuedCount: 2 });
      const thirdId = third.body.sweepId as string;
      expect(await platform.waitForSweep(thirdId, 120_000)).toMatchObject({
        status: 'completed',
        counts: { succeeded: 2 },
      });
      const measuredKeys = await jobKeysOf(thirdId);
      expect(measuredKeys.every((k) => k.job_key === k.config_hash)).toBe(true);
      const measuredRuns = await platform.get(`/runs?sweepId=${thirdId}`);
      expect(
        measuredRuns.body.items.map((r: { config: { timing?: string } }) => r.config.timing),
      ).toEqual(['measured', 'measured']);
      const measuredRound = await completionsOf(
        measuredKeys.map((k) => k.job_key),
        2,
      );
      expect(measuredRound.map((c) => c.result)).toEqual([
        expect.objectContaining({ outcome: 'computed', settledRuns: 1, computedConfigs: 1 }),
        expect.objectContaining({ outcome: 'computed', settledRuns: 1, computedConfigs: 1 }),
      ]);
    } finally {
      await events.close();
    }
  });

  it('cancels a sweep of chips: their queued chip jobs are removed, every run settles once', async () => {
    const chips = {
      name: 'chips to cancel',
      model: 'resnet-mnist',
      grid: { seed: Array.from({ length: 10 }, (_, i) => 300 + i), camThreshold: [0.1, 0.2, 0.3] },
      fixed: { memorySize: 2 },
      sampleCount: SAMPLES,
    };
    const submitted = await platform.post('/sweeps', chips);
    const id = submitted.body.sweepId as string;
    const cancelled = await platform.post(`/sweeps/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    // At most the chip job the worker has just taken keeps its 3 runs (they finish).
    expect(cancelled.body.cancelledRuns).toBeGreaterThanOrEqual(27);
    expect(cancelled.body.removedJobs).toBeGreaterThanOrEqual(9);
    expect(cancelled.body.removedJobs).toBeLessThanOrEqual(10);
    // The chip job taken finishes its 3 runs (a cold worker's first job under load: minutes).
    const sweep = await platform.waitForSweep(id, 120_000);
    expect(sweep.status).toBe('cancelled');
    expect(sweep.counts.cancelled + sweep.counts.succeeded).toBe(30);
    expect(sweep.counts.succeeded % 3).toBe(0);
    expect(await settledQueueCounts(platform)).toEqual({ waiting: 0, active: 0, delayed: 0 });
  });

  it('exposes queue depths, runs by outcome and run durations to Prometheus', async () => {
    const metrics = await platform.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/engram_queue_jobs\{queue="simulation-runs",state="waiting"\} 0/);
    expect(metrics.text).toMatch(/engram_runs\{status="failed"\} 1/);
    const count = /engram_run_duration_seconds_count (\d+)/.exec(metrics.text);
    expect(Number(count?.[1])).toBeGreaterThanOrEqual(9);
  });
});

describe('write rate limiting', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await Platform.start({ WRITE_RATE_LIMIT_PER_MINUTE: '2' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('answers 429 past the configured writes per minute, and never limits reads', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await platform.post('/sweeps', { name: 'x' })).status);
    expect(statuses).toEqual([400, 400, 429]);
    expect((await platform.get('/sweeps')).status).toBe(200);
  });
});

describe('a configured run limit', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await Platform.start({ MAX_RUNS_PER_SWEEP: '50' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('is enforced and published in the JSON Schema and in the OpenAPI request body', async () => {
    const tooBig = await platform.post('/sweeps', {
      ...noiseSweep,
      grid: { seed: Array.from({ length: 51 }, (_, i) => i), camThreshold: [0.2] },
      repeats: 1,
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.issues).toEqual([
      { field: 'grid', message: expect.stringMatching(/more than the maximum of 50/) },
    ]);

    const { $schema, ...published } = (await platform.get('/sweep-spec/schema')).body;
    expect($schema).toMatch(/draft-07/);
    expect(published.properties.repeats.maximum).toBe(50);
    const openapi = (await platform.http().get('/docs/openapi.json')).body;
    const body = openapi.paths['/sweeps'].post.requestBody.content['application/json'].schema;
    expect(body.allOf).toEqual([{ $ref: '#/components/schemas/SweepSpec' }]);
    // The same schema as /sweep-spec/schema (OpenAPI 3.0 takes no $schema keyword).
    expect(openapi.components.schemas.SweepSpec).toEqual(published);
  });
});
