import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS, experimentDataSourceOptions, migrateDatabase } from '../data-source';
import { AddEnergyModel21764450000000 } from './1764450000000-add-energy-model-2';
import { TEST_DATABASE_URL } from '../testing';

/** A result row as energy model 1 stored it (the columns before this migration). */
const OLD_ROW = {
  config_hash: 'a'.repeat(64),
  model: 'resnet-mnist',
  artifact_version: 'v1',
  samples: 100,
  dynamic_accuracy: 0.99,
  static_accuracy: 0.991,
  software_accuracy: 0.993,
  mean_macs_per_sample: 1e7,
  static_macs_per_sample: 2e7,
  compute_reduction: 0.5,
  cam_searches_per_sample: 1.5,
  cam_bit_searches_per_sample: 2000,
  energy_per_inference_pj: 8e5,
  static_energy_per_inference_pj: 1.6e6,
  digital_baseline_energy_per_inference_pj: 1e8,
  energy_reduction_vs_digital: 0.992,
  energy_reduction_vs_static: 0.5,
  wall_time_ms: 10,
  dynamic_wall_time_ms: 4,
  static_wall_time_ms: 5,
  exit_histogram: JSON.stringify([50, 30, 20]),
  exit_accuracy: JSON.stringify([1, 0.98, 0.95]),
  energy_breakdown_pj: JSON.stringify({ cimPj: 4.5e5, totalPj: 8e5 }),
  run_id: '00000000-0000-4000-8000-000000000001',
  worker_id: 'worker-old',
};

const JSON_COLUMNS = new Set(['exit_histogram', 'exit_accuracy', 'energy_breakdown_pj']);

describe('migration AddEnergyModel2', () => {
  const schema = `engram_energy_${randomBytes(4).toString('hex')}`;
  const settings = { url: TEST_DATABASE_URL, schema, poolSize: 2 };
  let dataSource: DataSource | undefined;

  afterAll(async () => {
    if (dataSource?.isInitialized) {
      await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await dataSource.destroy();
    }
  });

  it('keeps the results stored before it, marked energy model 1 and measured timing', async () => {
    const before = new DataSource({
      ...experimentDataSourceOptions(settings),
      migrations: MIGRATIONS.slice(0, MIGRATIONS.indexOf(AddEnergyModel21764450000000)),
    });
    await before.initialize();
    await migrateDatabase(before);
    await before.query(
      `INSERT INTO model_artifacts (model, version, artifact_created_at, metrics)
       VALUES ('resnet-mnist', 'v1', now(), '{}')`,
    );
    const columns = Object.keys(OLD_ROW);
    await before.query(
      `INSERT INTO results (${columns.join(', ')})
       VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(OLD_ROW),
    );
    await before.destroy();

    dataSource = new DataSource(experimentDataSourceOptions(settings));
    await dataSource.initialize();
    expect((await migrateDatabase(dataSource))[0]).toBe('AddEnergyModel21764450000000');
    const [row] = await dataSource.query(`SELECT * FROM results`);
    for (const [column, value] of Object.entries(OLD_ROW)) {
      const expected = JSON_COLUMNS.has(column) ? JSON.parse(value as string) : value;
      expect({ [column]: row[column] }).toEqual({ [column]: expected });
    }
    expect(row).toMatchObject({
      energy_model_version: 1,
      energy_reduction_vs_digital_static: 0.992,
      energy_reduction_vs_digital_dynamic: null,
      energy_digital_baseline: null,
      digital_dynamic_energy_per_inference_pj: null,
      digital_energy_breakdown_pj: null,
      // AddResultTiming: a result stored before it came from real dynamic inference.
      timing: 'measured',
      chip_pass_wall_time_ms: null,
    });
  });
});
