import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { EvaluationResult } from '@engram/contracts';
import { DEFAULT_DEVICE_PROFILE, resolveDeviceParameters } from '@engram/hardware';
import {
  ModelArtifactInfo,
  SweepSpec,
  SweepSpecValidator,
  expandSweep,
  gridAxes,
  runConfigHash,
} from '@engram/sweep-spec';
import { createExperimentDataSource, migrateDatabase } from './data-source';
import { READ_ONLY_ROLE } from './migrations/1764500000000-add-sql-views';
import { RunLifecycle } from './run-lifecycle';
import { SweepStore } from './sweep-store';
import { TEST_DATABASE_URL, TestDatabase, createTestDatabase } from './testing';

jest.setTimeout(60_000);

const artifact: ModelArtifactInfo = {
  model: 'resnet-mnist',
  version: 'sql-views-artifact',
  createdAt: '2025-01-01T00:00:00.000Z',
  metrics: {},
};

/** The sweep a researcher charts: accuracy vs programming noise, one line per memory size. */
const spec: SweepSpec = {
  name: 'noise vs memory',
  model: 'resnet-mnist',
  grid: { programmingNoise: [0.02, 0.1], memorySize: [1, 4] },
  fixed: { camThreshold: 0.1 },
  repeats: 2,
  sampleCount: 10,
};

/** A stored accuracy that depends on the parameters and the repeat, so a wrong GROUP BY shows. */
function accuracyOf(noise: number, memorySize: number, repeat: number): number {
  return 0.95 - noise + memorySize / 100 + repeat / 1000;
}

function result(accuracy: number): EvaluationResult {
  return {
    model: 'resnet-mnist',
    artifactVersion: artifact.version,
    engine: 'onnx',
    samples: 10,
    dynamicAccuracy: accuracy,
    staticAccuracy: accuracy,
    softwareAccuracy: 0.99,
    exitHistogram: [5, 5],
    exitAccuracy: [1, 0.8],
    meanMacsPerSample: 10,
    staticMacsPerSample: 20,
    computeReduction: 0.5,
    camSearchesPerSample: 1,
    camBitSearchesPerSample: 100,
    energyModelVersion: 2,
    digitalBaseline: 'int8-dataflow',
    energyPerInferencePj: 10,
    staticEnergyPerInferencePj: 20,
    digitalBaselineEnergyPerInferencePj: 90,
    digitalDynamicEnergyPerInferencePj: 60,
    energyReductionVsDigitalStatic: 1 - 10 / 90,
    energyReductionVsDigitalDynamic: 1 - 10 / 60,
    energyReductionVsDigital: 1 - 10 / 90,
    energyReductionVsStatic: 0.5,
    energyBreakdownPj: { cim: 8, cam: 2 },
    digitalEnergyBreakdownPj: { mac: 50, buffer: 40 },
    wallTimeMs: 5,
    dynamicWallTimeMs: 2,
    staticWallTimeMs: 3,
    timing: 'measured',
    chipPassWallTimeMs: null,
  };
}

/**
 * The SQL interface of dashboards: the views as the read-only role sees them, connected as a
 * login user that is a member of that role only.
 */
describe('SQL views for dashboard tools', () => {
  let db: TestDatabase;
  let reader: Client;
  let sweepId: string;
  const login = `engram_ro_test_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase('engram_views');
    const store = new SweepStore(db.dataSource);
    const lifecycle = new RunLifecycle(db.dataSource);
    const valid = new SweepSpecValidator({ maxRuns: 100 }).validate(spec);
    const runs = [...expandSweep(valid)].map((run) => ({
      index: run.index,
      repeat: run.repeat,
      config: run.config,
      configHash: runConfigHash(valid.model, artifact.version, run.config),
      deviceResolved: resolveDeviceParameters(run.config.deviceProfile, run.config.device),
    }));
    const created = await store.createSweep({
      spec: valid,
      gridAxes: gridAxes(valid),
      artifact,
      runs,
    });
    sweepId = created.sweepId;
    // Every run succeeds but one, which fails with its error.
    const failing = runs.find(
      (r) =>
        r.config.memorySize === 4 && r.repeat === 1 && r.config.device?.programmingNoise === 0.1,
    )!;
    for (const run of runs) {
      await lifecycle.claim(run.configHash, 'worker-sql', 1);
      if (run === failing) {
        await lifecycle.fail(
          run.configHash,
          'DatasetFormatError: t10k-images-idx3-ubyte: truncated',
        );
        continue;
      }
      const noise = run.config.device!.programmingNoise!;
      const { runId } = created.queued.find((q) => q.configHash === run.configHash)!;
      await lifecycle.complete(
        run.configHash,
        result(accuracyOf(noise, run.config.memorySize, run.repeat)),
        runId,
        'worker-sql',
      );
    }

    await db.dataSource.query(`CREATE ROLE ${login} LOGIN IN ROLE ${READ_ONLY_ROLE}`);
    const url = new URL(TEST_DATABASE_URL);
    url.username = login;
    url.password = '';
    reader = new Client({
      connectionString: url.toString(),
      options: `-c search_path=${db.settings.schema}`,
    });
    await reader.connect();
  });

  afterAll(async () => {
    await reader?.end();
    await db?.dataSource.query(`DROP ROLE IF EXISTS ${login}`);
    await db?.drop();
  });

  it('gives the read-only role accuracy vs programming noise per memory size', async () => {
    const { rows } = await reader.query(
      `SELECT memory_size, programming_noise, avg(dynamic_accuracy) AS accuracy, count(*)::int AS n
         FROM run_results
        WHERE sweep_id = $1 AND status = 'succeeded'
        GROUP BY memory_size, programming_noise
        ORDER BY memory_size, programming_noise`,
      [sweepId],
    );
    const expected = [
      [1, 0.02, 2],
      [1, 0.1, 2],
      [4, 0.02, 2],
      [4, 0.1, 1],
    ].map(([memorySize, noise, n]) => ({
      memory_size: memorySize,
      programming_noise: noise,
      n,
      accuracy:
        n === 2
          ? (accuracyOf(noise, memorySize, 0) + accuracyOf(noise, memorySize, 1)) / 2
          : accuracyOf(noise, memorySize, 0),
    }));
    expect(rows.map((r) => ({ ...r, accuracy: Number(r.accuracy) }))).toEqual(
      expected.map((e) => ({ ...e, accuracy: expect.closeTo(e.accuracy, 12) })),
    );
  });

  it('lists a failed run with its error and every parameter resolved, the unset ones from the profile', async () => {
    const { rows } = await reader.query(
      `SELECT status, error, dynamic_accuracy, programming_noise, programming_noise_model,
              read_noise, read_noise_model, adc_bits, dac_bits, tile_rows, tile_cols,
              stuck_at_lrs_rate, tcam_sense_noise, parameters_resolved, sample_count, sweep_name
         FROM run_results WHERE sweep_id = $1 AND status = 'failed'`,
      [sweepId],
    );
    const p = DEFAULT_DEVICE_PROFILE;
    expect(rows).toEqual([
      {
        status: 'failed',
        error: 'DatasetFormatError: t10k-images-idx3-ubyte: truncated',
        dynamic_accuracy: null,
        programming_noise: 0.1,
        programming_noise_model: 'uniform',
        read_noise: p.readNoise.model === 'uniform' ? p.readNoise.relativeStd : null,
        read_noise_model: p.readNoise.model,
        adc_bits: p.adc.bits,
        dac_bits: p.dac.bits,
        tile_rows: p.tile.rows,
        tile_cols: p.tile.cols,
        stuck_at_lrs_rate: p.stuckAtFaults.lrsRate,
        tcam_sense_noise: p.tcam.senseNoiseRelativeStd,
        parameters_resolved: true,
        sample_count: 10,
        sweep_name: 'noise vs memory',
      },
    ]);
    const overview = await reader.query(
      `SELECT status, run_count, succeeded, failed FROM sweep_overview WHERE sweep_id = $1`,
      [sweepId],
    );
    expect(overview.rows).toEqual([
      { status: 'completed_with_failures', run_count: 8, succeeded: 7, failed: 1 },
    ]);
  });

  it('describes every column of the views', async () => {
    const { rows } = await reader.query(
      `SELECT c.relname AS view, a.attname AS column, col_description(c.oid, a.attnum) AS comment
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
        WHERE n.nspname = $1 AND c.relkind = 'v'`,
      [db.settings.schema],
    );
    expect(new Set(rows.map((r) => r.view))).toEqual(new Set(['run_results', 'sweep_overview']));
    expect(rows.length).toBeGreaterThan(60);
    expect(rows.filter((r) => !r.comment)).toEqual([]);
  });

  it('cannot write, nor read the tables behind the views', async () => {
    const denied = async (statement: string) => {
      await expect(reader.query(statement)).rejects.toMatchObject({ code: '42501' });
    };
    // The views are not updatable (joins) whoever asks; the tables refuse the role.
    await expect(reader.query(`DELETE FROM run_results`)).rejects.toThrow(/cannot delete/);
    await denied(`DELETE FROM runs`);
    await denied(`UPDATE runs SET status = 'failed'`);
    await denied(`INSERT INTO sweeps (name, model, artifact_version, spec, grid_axes, run_count)
                  VALUES ('x', 'm', 'v', '{}', '{}', 0)`);
    await denied(`SELECT * FROM results`);
    await denied(`CREATE TABLE mine (x int)`);
    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM runs`);
    expect(n).toBe(8);
  });

  it('migrates schemas side by side on one server: the cluster-wide role is created once', async () => {
    const schemas = Array.from(
      { length: 3 },
      () => `engram_views_${randomBytes(4).toString('hex')}`,
    );
    const sources = schemas.map((schema) =>
      createExperimentDataSource({ url: TEST_DATABASE_URL, schema, poolSize: 1 }),
    );
    try {
      await Promise.all(sources.map((s) => s.initialize()));
      await Promise.all(sources.map((s) => migrateDatabase(s)));
      for (const schema of schemas) {
        const [{ usable }] = await db.dataSource.query(
          `SELECT has_schema_privilege($1, $2, 'USAGE') AND
                  has_table_privilege($1, $3, 'SELECT') AS usable`,
          [READ_ONLY_ROLE, schema, `${schema}.run_results`],
        );
        expect(usable).toBe(true);
      }
    } finally {
      for (const [i, source] of sources.entries()) {
        if (!source.isInitialized) continue;
        await source.query(`DROP SCHEMA IF EXISTS "${schemas[i]}" CASCADE`);
        await source.destroy();
      }
    }
  });
});
