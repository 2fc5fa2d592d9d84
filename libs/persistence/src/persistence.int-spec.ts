import { createHash } from 'node:crypto';
import type { EvaluationConfig, EvaluationResult } from '@engram/contracts';
import { ResolvedDeviceParameters, resolveDeviceParameters } from '@engram/hardware';
import {
  ModelArtifactInfo,
  SweepSpec,
  SweepSpecValidator,
  expandSweep,
  gridAxes,
  runConfigHash,
} from '@engram/sweep-spec';
import {
  NewRun,
  PlatformStats,
  ResultQuery,
  RunLifecycle,
  RunReconciliation,
  SweepStore,
} from './index';
import { TestDatabase, createTestDatabase } from './testing';

const artifact: ModelArtifactInfo = {
  model: 'resnet-mnist',
  version: 'test-artifact-1',
  createdAt: '2025-01-01T00:00:00.000Z',
  metrics: { ternary: { testAccuracy: 0.99 } },
};

function prepare(spec: SweepSpec): { gridAxes: ReturnType<typeof gridAxes>; runs: NewRun[] } {
  const valid = new SweepSpecValidator({ maxRuns: 10_000 }).validate(spec);
  const runs = [...expandSweep(valid)].map((run) => ({
    index: run.index,
    repeat: run.repeat,
    config: run.config,
    configHash: runConfigHash(valid.model, artifact.version, run.config),
    deviceResolved: deviceResolved(run.config),
  }));
  return { gridAxes: gridAxes(valid), runs };
}

const resolvedDevices = new Map<string, ResolvedDeviceParameters | null>();
/** As the API stores them: each distinct device setting resolved once. */
function deviceResolved(config: EvaluationConfig): ResolvedDeviceParameters | null {
  const key = JSON.stringify([config.deviceProfile, config.device]);
  if (!resolvedDevices.has(key))
    resolvedDevices.set(key, resolveDeviceParameters(config.deviceProfile, config.device));
  return resolvedDevices.get(key)!;
}

/** Storage test data: the shape of an evaluation result, with values derived from the config. */
function resultFor(accuracy: number): EvaluationResult {
  return {
    model: 'resnet-mnist',
    artifactVersion: artifact.version,
    engine: 'onnx',
    samples: 10,
    dynamicAccuracy: accuracy,
    staticAccuracy: accuracy + 0.01,
    softwareAccuracy: 0.99,
    exitHistogram: [4, 3, 3],
    exitAccuracy: [1, NaN, 0.5],
    meanMacsPerSample: 1000,
    staticMacsPerSample: 2000,
    computeReduction: 0.5,
    camSearchesPerSample: 1.6,
    camBitSearchesPerSample: 400,
    energyModelVersion: 2,
    digitalBaseline: 'int8-dataflow',
    energyPerInferencePj: 120,
    staticEnergyPerInferencePj: 200,
    digitalBaselineEnergyPerInferencePj: 900,
    digitalDynamicEnergyPerInferencePj: 600,
    energyReductionVsDigitalStatic: 1 - 120 / 900,
    energyReductionVsDigitalDynamic: 1 - 120 / 600,
    energyReductionVsDigital: 1 - 120 / 900,
    energyReductionVsStatic: 0.4,
    energyBreakdownPj: { crossbarArrayPj: 100, camSearchPj: 20, totalPj: 120 },
    digitalEnergyBreakdownPj: { macPj: 300, bufferPj: 600, totalPj: 900 },
    wallTimeMs: 50,
    dynamicWallTimeMs: 20,
    staticWallTimeMs: 25,
    timing: 'measured',
    chipPassWallTimeMs: null,
  };
}

const spec: SweepSpec = {
  name: 'persistence test',
  model: 'resnet-mnist',
  grid: { readNoise: [0, 0.05], camThreshold: [0.1, 0.2] },
  fixed: { memorySize: 2 },
  repeats: 2,
  sampleCount: 10,
};

describe('persistence against PostgreSQL', () => {
  let db: TestDatabase;
  let sweeps: SweepStore;
  let lifecycle: RunLifecycle;
  let results: ResultQuery;

  beforeAll(async () => {
    db = await createTestDatabase();
    sweeps = new SweepStore(db.dataSource);
    lifecycle = new RunLifecycle(db.dataSource);
    results = new ResultQuery(db.dataSource);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('migrations create exactly the schema the entities describe', async () => {
    const pending = await db.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('stores the threshold of each exit, and the common one only when they agree', async () => {
    const perExit: SweepSpec = {
      name: 'per-exit thresholds',
      model: 'resnet-mnist',
      grid: { camThresholdExit2: [0.1, 0.3] },
      fixed: { memorySize: 2, camThreshold: 0.1 },
      sampleCount: 10,
    };
    const { gridAxes: axes, runs } = prepare(perExit);
    const { sweepId } = await sweeps.createSweep({ spec: perExit, gridAxes: axes, artifact, runs });
    const rows = await db.dataSource.query(
      `SELECT cam_threshold AS common, cam_threshold_exit1 AS e1, cam_threshold_exit2 AS e2
         FROM runs WHERE sweep_id = $1 ORDER BY run_index`,
      [sweepId],
    );
    expect(rows).toEqual([
      { common: 0.1, e1: 0.1, e2: 0.1 },
      { common: null, e1: 0.1, e2: 0.3 },
    ]);
  });

  it('stores a sweep, computes each configuration once and serves resubmissions from cache', async () => {
    const { gridAxes: axes, runs } = prepare(spec);
    const created = await sweeps.createSweep({ spec, gridAxes: axes, artifact, runs });
    expect(created).toMatchObject({ runCount: 8, cachedCount: 0 });
    expect(created.queued).toHaveLength(8);

    const hash = created.queued[0].configHash;
    const claim = await lifecycle.claim(hash, 'worker-a', 1);
    expect(claim.resultExists).toBe(false);
    expect(claim.runs).toHaveLength(1);
    expect(claim.runs[0].config.sampleCount).toBe(10);
    expect(await lifecycle.complete(hash, resultFor(0.9), claim.runs[0].id, 'worker-a')).toBe(1);
    // A redelivered job: the result exists, nothing is inserted twice, no run is pending.
    const again = await lifecycle.claim(hash, 'worker-b', 2);
    expect(again).toEqual({ runs: [], resultHashes: [], resultExists: true });
    expect(await lifecycle.complete(hash, resultFor(0.1), claim.runs[0].id, 'worker-b')).toBe(0);
    const [{ n, accuracy }] = await db.dataSource.query(
      `SELECT count(*)::int AS n, max(dynamic_accuracy) AS accuracy FROM results WHERE config_hash = $1`,
      [hash],
    );
    expect({ n, accuracy }).toEqual({ n: 1, accuracy: 0.9 });
    const { items } = await results.runs({ sweepId: created.sweepId, limit: 10, offset: 0 });
    const stored = items.find((r) => r.configHash === hash);
    expect(stored?.metrics).toMatchObject({
      energyModelVersion: 2,
      energyReductionVsDigitalStatic: 1 - 120 / 900,
      energyReductionVsDigitalDynamic: 1 - 120 / 600,
      digitalDynamicEnergyPerInferencePj: 600,
    });
    expect(stored?.energyBaseline).toBe('int8-dataflow');
    expect(stored?.digitalEnergyBreakdownPj).toEqual({ macPj: 300, bufferPj: 600, totalPj: 900 });

    const resubmitted = await sweeps.createSweep({ spec, gridAxes: axes, artifact, runs });
    expect(resubmitted.cachedCount).toBe(1);
    expect(resubmitted.queued.map((r) => r.configHash)).not.toContain(hash);
    const progress = await sweeps.getProgress(resubmitted.sweepId);
    expect(progress).toMatchObject({
      status: 'queued',
      runCount: 8,
      counts: { cached: 1, queued: 7 },
    });
    expect(progress?.progress).toBeCloseTo(1 / 8);
  });

  it('settles shared configurations in every sweep, cancels, fails and requeues', async () => {
    const { gridAxes: axes, runs } = prepare({ ...spec, name: 'second', sampleCount: 11 });
    const a = await sweeps.createSweep({ spec, gridAxes: axes, artifact, runs });
    const b = await sweeps.createSweep({ spec, gridAxes: axes, artifact, runs });
    const shared = a.queued[0].configHash;
    // One job settles the runs of both sweeps.
    await lifecycle.claim(shared, 'worker-a', 1);
    expect(await lifecycle.complete(shared, resultFor(0.8), a.queued[0].runId, 'worker-a')).toBe(2);

    // Cancelling a leaves b needing its hashes: none of a's jobs may be removed.
    const cancelA = await sweeps.cancel(a.sweepId);
    expect(cancelA).toEqual({ cancelledRuns: 7, unneededJobKeys: [] });
    expect((await sweeps.getProgress(a.sweepId))?.status).toBe('cancelled');

    const permanent = b.queued[1].configHash;
    await lifecycle.claim(permanent, 'worker-a', 1);
    expect(await lifecycle.fail(permanent, 'memorySize: invalid')).toBe(1);
    await lifecycle.recordRetry(b.queued[2].configHash, 'connection reset');
    let progress = await sweeps.getProgress(b.sweepId);
    expect(progress?.counts).toMatchObject({ succeeded: 1, failed: 1, queued: 6 });

    const requeued = await sweeps.requeueFailed(b.sweepId);
    expect(requeued.map((r) => r.configHash)).toEqual([permanent]);
    const cancelB = await sweeps.cancel(b.sweepId);
    expect(cancelB.unneededJobKeys.sort()).toEqual(
      b.queued
        .slice(1)
        .map((r) => r.configHash)
        .sort(),
    );
    progress = await sweeps.getProgress(b.sweepId);
    expect(progress).toMatchObject({
      status: 'cancelled',
      counts: { succeeded: 1, cancelled: 7 },
      etaMs: 0,
    });
  });

  it('chip jobs: claim, store, fail, cancel and reconcile the runs of one job key together', async () => {
    const chipSpec: SweepSpec = { ...spec, name: 'chips', sampleCount: 13 };
    const { gridAxes: axes, runs: plain } = prepare(chipSpec);
    // As the API keys them: one job per chip (read noise x seed here), thresholds inside it.
    const chipOf = (config: EvaluationConfig) =>
      createHash('sha256').update(`chip ${config.device?.readNoise} ${config.seed}`).digest('hex');
    const runs = plain.map((run) => ({ ...run, jobKey: chipOf(run.config) }));
    const a = await sweeps.createSweep({ spec: chipSpec, gridAxes: axes, artifact, runs });
    const keys = [...new Set(a.queued.map((r) => r.jobKey))].sort();
    expect(keys).toHaveLength(4);
    expect(a.queued.every((r) => r.jobKey !== r.configHash)).toBe(true);

    const reconciliation = new RunReconciliation(db.dataSource);
    const pending = await reconciliation.exclusively((tx) =>
      reconciliation.pendingJobKeys(tx, '', 1_000),
    );
    const ours = (pending ?? []).filter((p) => keys.includes(p.jobKey));
    expect(ours.map((p) => [p.jobKey, p.kind])).toEqual(keys.map((k) => [k, 'chip']));

    // One claim takes both threshold runs of the chip; its pass progress shows on the sweep.
    const [first, second, third] = keys;
    const claim = await lifecycle.claim(first, 'worker-c', 1);
    expect(claim.runs).toHaveLength(2);
    expect(new Set(claim.runs.map((r) => r.configHash)).size).toBe(2);
    await lifecycle.reportPassProgress(first, 'worker-c', 0.5);
    expect((await sweeps.getProgress(a.sweepId))?.progress).toBeCloseTo(1 / 8);
    const computed = claim.runs.map((r) => ({
      configHash: r.configHash,
      result: resultFor(r.config.camThreshold as number),
      runId: r.id,
    }));
    expect(await lifecycle.completeMany(computed, 'worker-c')).toBe(2);
    // Redelivered after its commit: both results are found, nothing is inserted twice.
    const again = await lifecycle.claim(first, 'worker-d', 2);
    expect(again).toMatchObject({ runs: [], resultExists: false });
    expect(await lifecycle.completeMany(computed, 'worker-d')).toBe(0);
    const [{ n }] = await db.dataSource.query(
      `SELECT count(*)::int AS n FROM results WHERE config_hash = ANY($1::text[])`,
      [computed.map((c) => c.configHash)],
    );
    expect(n).toBe(2);

    // A configuration that can never run fails alone; the chip's other run is stored.
    const partial = await lifecycle.claim(second, 'worker-c', 1);
    const [bad, good] = partial.runs;
    expect(
      await lifecycle.failConfigs(second, [{ configHash: bad.configHash, error: 'invalid' }]),
    ).toBe(1);
    expect(
      await lifecycle.completeMany(
        [{ configHash: good.configHash, result: resultFor(0.7), runId: good.id }],
        'worker-c',
      ),
    ).toBe(1);

    // A second sweep with the same chips: computed configurations are cached, the rest queued
    // under the same chip keys; cancelling the first sweep removes no job the second needs.
    const b = await sweeps.createSweep({ spec: chipSpec, gridAxes: axes, artifact, runs });
    expect(b.cachedCount).toBe(3);
    expect(new Set(b.queued.map((r) => r.jobKey))).toEqual(new Set([second, third, keys[3]]));
    expect(await sweeps.cancel(a.sweepId)).toEqual({ cancelledRuns: 4, unneededJobKeys: [] });
    // Only some of a chip's runs still pending: its next claim takes just those.
    const rest = await lifecycle.claim(second, 'worker-c', 1);
    expect(rest.runs.map((r) => r.configHash)).toEqual([bad.configHash]);
    await lifecycle.release(second, 'worker-c');
    const cancelB = await sweeps.cancel(b.sweepId);
    expect(cancelB.unneededJobKeys.sort()).toEqual([second, third, keys[3]].sort());
  });

  it('filters, sorts and pages results, and summarizes over seeds', async () => {
    const { gridAxes: axes, runs } = prepare({ ...spec, name: 'query', sampleCount: 12 });
    const created = await sweeps.createSweep({ spec, gridAxes: axes, artifact, runs });
    for (const run of created.queued) {
      const claim = await lifecycle.claim(run.configHash, 'worker-q', 1);
      const { seed, camThreshold } = claim.runs[0].config;
      await lifecycle.complete(
        run.configHash,
        resultFor(0.5 + (camThreshold as number) + seed / 100),
        run.runId,
        'worker-q',
      );
    }
    const page = await results.runs({
      sweepId: created.sweepId,
      withResultsOnly: true,
      filters: [
        { field: 'readNoise', op: 'eq', value: '0.05' },
        { field: 'dynamicAccuracy', op: 'gte', value: 0.5 },
      ],
      sort: [{ field: 'dynamicAccuracy', direction: 'desc' }],
      limit: 3,
      offset: 0,
    });
    expect(page.total).toBe(4);
    expect(page.items).toHaveLength(3);
    const accuracies = page.items.map((r) => r.metrics?.dynamicAccuracy ?? -1);
    expect(accuracies).toEqual([...accuracies].sort((x, y) => y - x));
    expect(page.items[0].parameters.readNoise).toBe(0.05);
    expect(page.items[0].exitAccuracy).toEqual([1, null, 0.5]);
    await expect(
      results.runs({ filters: [{ field: 'shoeSize', op: 'eq', value: 1 }], limit: 1, offset: 0 }),
    ).rejects.toThrow(/shoeSize: unknown field/);
    await expect(
      results.runs({ filters: [{ field: 'seed', op: 'eq', value: 'x' }], limit: 1, offset: 0 }),
    ).rejects.toThrow(/seed: not a number/);

    const summary = await results.summary(
      created.sweepId,
      ['readNoise', 'camThreshold'],
      ['dynamicAccuracy'],
    );
    expect(summary.groups).toHaveLength(4);
    for (const group of summary.groups) {
      expect(group.count).toBe(2);
      // Two repeats (seeds 0 and 1) whose accuracies differ by 0.01: std = 0.01 / sqrt(2).
      expect(group.metrics.dynamicAccuracy?.std).toBeCloseTo(0.01 / Math.SQRT2, 10);
    }

    const stats = new PlatformStats(db.dataSource);
    const counts = await stats.runsByStatus();
    expect(counts.succeeded).toBeGreaterThanOrEqual(8);
    const durations = await stats.runDurations([0.5, 60]);
    expect(durations.count).toBeGreaterThanOrEqual(8);
    expect(durations.buckets[1].count).toBe(durations.count);
  });

  // How fast is measured by `npm run bench:platform` (accepting a 10,000-run sweep), not here.
  it('accepts a 10,000-run sweep in one transaction', async () => {
    const big: SweepSpec = {
      name: 'big',
      model: 'resnet-mnist',
      grid: {
        seed: Array.from({ length: 100 }, (_, i) => i),
        camThreshold: Array.from({ length: 100 }, (_, i) => i / 100),
      },
      fixed: { memorySize: 1 },
      sampleCount: 1,
    };
    const { gridAxes: axes, runs } = prepare(big);
    const created = await sweeps.createSweep({ spec: big, gridAxes: axes, artifact, runs });
    expect(created.queued).toHaveLength(10_000);
    const [{ count }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM runs WHERE sweep_id = $1`,
      [created.sweepId],
    );
    expect(count).toBe(10_000);
  }, 60_000);
});
