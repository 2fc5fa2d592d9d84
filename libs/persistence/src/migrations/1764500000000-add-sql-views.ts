import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cluster-wide role of SQL readers (Grafana, Metabase, psql): SELECT on the views, nothing
 * else. Login users are made members of it (`engram up` creates `engram_reader`).
 */
export const READ_ONLY_ROLE = 'engram_readonly';

/** [column, SQL expression, comment] of run_results, in order. `d` is runs.device_resolved. */
const RUN_RESULT_COLUMNS: [string, string, string][] = [
  ['run_id', 'r.id', 'The run (runs.id).'],
  ['sweep_id', 's.id', 'The sweep the run belongs to.'],
  ['sweep_name', 's.name', 'Name of the sweep, from its specification.'],
  ['sweep_created_at', 's.created_at', 'When the sweep was submitted.'],
  ['run_index', 'r.run_index', 'Position of the run in the expanded grid (0-based).'],
  [
    'repeat_index',
    'r.repeat_index',
    'Repeat of the grid point (0-based; repeats add to the seed).',
  ],
  [
    'status',
    'r.status',
    'queued, running, succeeded, cached (result of an identical configuration reused), failed or cancelled.',
  ],
  ['error', 'r.error', 'Why the run failed (or the last retried failure); NULL otherwise.'],
  ['attempts', 'r.attempts', 'Delivery attempts started.'],
  ['model', 'r.model', 'Model name (resnet-mnist, pointnet2-modelnet10).'],
  ['artifact_version', 'r.artifact_version', 'Content version of the trained model artifact.'],
  ['engine', 'r.engine', 'Inference engine (onnx or tfjs).'],
  ['exit_rule', 'r.exit_rule', 'Early-exit rule of the TCAM memory (margin or absolute).'],
  ['device_profile', 'r.device_profile', 'Device profile the knobs below apply to.'],
  ['split', 'r.split', 'Evaluated split (test or validation).'],
  [
    'sample_count',
    'COALESCE(m.samples, r.sample_count)',
    'Samples evaluated: the result count once computed; before, the requested count (NULL: the whole split).',
  ],
  ['memory_size', 'r.memory_size', 'Prototypes per class in the semantic memory (K).'],
  ['seed', 'r.seed', 'Seed of every random draw of the run.'],
  [
    'cam_threshold',
    'r.cam_threshold',
    'CAM threshold common to every exit; NULL when the exits differ.',
  ],
  ['cam_threshold_exit1', 'r.cam_threshold_exit1', 'CAM threshold of exit 1.'],
  [
    'cam_threshold_exit2',
    'r.cam_threshold_exit2',
    'CAM threshold of exit 2 (NULL when the model has one exit).',
  ],
  [
    'programming_noise',
    `COALESCE(r.programming_noise, CASE WHEN d->>'programmingNoiseModel' = 'uniform' THEN (d->>'programmingNoiseLrs')::float8 END)`,
    'Programming noise, relative std as a fraction of the conductance window, set or the profile value; NULL when the profile models it per state (see programming_noise_lrs/_hrs).',
  ],
  [
    'programming_noise_model',
    `d->>'programmingNoiseModel'`,
    'uniform (one std) or state-dependent (one per state).',
  ],
  [
    'programming_noise_lrs',
    `(d->>'programmingNoiseLrs')::float8`,
    'Programming noise relative std of low-resistance cells.',
  ],
  [
    'programming_noise_hrs',
    `(d->>'programmingNoiseHrs')::float8`,
    'Programming noise relative std of high-resistance cells.',
  ],
  [
    'read_noise',
    `COALESCE(r.read_noise, CASE WHEN d->>'readNoiseModel' = 'uniform' THEN (d->>'readNoiseLrs')::float8 END)`,
    'Read noise per read, relative std, set or the profile value; NULL when the profile models it per state.',
  ],
  ['read_noise_model', `d->>'readNoiseModel'`, 'uniform or state-dependent.'],
  [
    'adc_bits',
    `COALESCE(r.adc_bits, (d->>'adcBits')::int)`,
    'ADC resolution, set or the profile value.',
  ],
  [
    'dac_bits',
    `COALESCE(r.dac_bits, (d->>'dacBits')::int)`,
    'DAC resolution, set or the profile value.',
  ],
  [
    'stuck_at_lrs_rate',
    `COALESCE(r.stuck_at_lrs_rate, (d->>'stuckAtLrsRate')::float8)`,
    'Fraction of cells stuck at LRS, set or the profile value.',
  ],
  [
    'stuck_at_hrs_rate',
    `COALESCE(r.stuck_at_hrs_rate, (d->>'stuckAtHrsRate')::float8)`,
    'Fraction of cells stuck at HRS, set or the profile value.',
  ],
  [
    'tile_rows',
    `COALESCE(r.tile_rows, (d->>'tileRows')::int)`,
    'Crossbar tile rows (inputs), set or the profile value.',
  ],
  [
    'tile_cols',
    `COALESCE(r.tile_cols, (d->>'tileCols')::int)`,
    'Crossbar tile columns (outputs), set or the profile value.',
  ],
  [
    'tcam_sense_noise',
    `(d->>'tcamSenseNoise')::float8`,
    'TCAM sense-amplifier noise, fraction of one mismatch step (profile value).',
  ],
  [
    'parameters_resolved',
    'r.device_resolved IS NOT NULL',
    'False for runs stored before profile values were recorded: their unset device knobs read NULL.',
  ],
  ['queued_at', 'r.queued_at', 'When the run was (re)queued.'],
  ['started_at', 'r.started_at', 'When a worker started it.'],
  ['finished_at', 'r.finished_at', 'When it settled.'],
  ['worker_id', 'r.worker_id', 'Worker that ran it.'],
  [
    'dynamic_accuracy',
    'm.dynamic_accuracy',
    'Accuracy with early exits, fraction in [0, 1]; metrics are NULL until the run has a result.',
  ],
  [
    'static_accuracy',
    'm.static_accuracy',
    'Accuracy of the whole network on the same simulated chip.',
  ],
  [
    'software_accuracy',
    'm.software_accuracy',
    'Accuracy of the noise-free ternary network in software.',
  ],
  ['compute_reduction', 'm.compute_reduction', '1 - dynamic MACs / static MACs.'],
  ['mean_macs_per_sample', 'm.mean_macs_per_sample', 'MACs per sample with early exits.'],
  ['static_macs_per_sample', 'm.static_macs_per_sample', 'MACs per sample of the whole network.'],
  ['cam_searches_per_sample', 'm.cam_searches_per_sample', 'TCAM searches per sample.'],
  [
    'cam_bit_searches_per_sample',
    'm.cam_bit_searches_per_sample',
    'TCAM bit comparisons per sample.',
  ],
  [
    'energy_per_inference_pj',
    'm.energy_per_inference_pj',
    'Energy per inference with early exits, pJ.',
  ],
  [
    'static_energy_per_inference_pj',
    'm.static_energy_per_inference_pj',
    'Energy per inference of the whole network on the same chip, pJ.',
  ],
  [
    'digital_baseline_energy_per_inference_pj',
    'm.digital_baseline_energy_per_inference_pj',
    'Energy per inference of the whole network on a digital baseline, pJ.',
  ],
  [
    'energy_model_version',
    'm.energy_model_version',
    'Version of the energy model that priced the result (docs/energy-model.md); 1: rows stored before version 2.',
  ],
  [
    'digital_baseline',
    'm.energy_digital_baseline',
    'Digital baseline the reductions are against (int8-dataflow, int8-mac-only, int8-dram-weights, ternary-digital); NULL for energy model 1.',
  ],
  [
    'digital_dynamic_energy_per_inference_pj',
    'm.digital_dynamic_energy_per_inference_pj',
    'Energy per inference of the digital baseline with the same exits as the chip, pJ (NULL for energy model 1).',
  ],
  [
    'energy_reduction_vs_digital',
    'm.energy_reduction_vs_digital',
    '1 - dynamic energy / digital-baseline energy of the static network (same as energy_reduction_vs_digital_static).',
  ],
  [
    'energy_reduction_vs_digital_static',
    'm.energy_reduction_vs_digital_static',
    '1 - dynamic energy on chip / the static network on the digital baseline (early exits and compute-in-memory together).',
  ],
  [
    'energy_reduction_vs_digital_dynamic',
    'm.energy_reduction_vs_digital_dynamic',
    '1 - dynamic energy on chip / the digital baseline with the same exits (the compute-in-memory gain alone); NULL for energy model 1.',
  ],
  [
    'energy_reduction_vs_static',
    'm.energy_reduction_vs_static',
    '1 - dynamic energy / static energy on the same chip.',
  ],
  [
    'exit_histogram',
    'm.exit_histogram',
    'Samples that left at each exit (JSON array; last: the final classifier).',
  ],
  [
    'exit_accuracy',
    'm.exit_accuracy',
    'Accuracy of the samples that left at each exit (JSON array, null where none left).',
  ],
  [
    'energy_breakdown_pj',
    'm.energy_breakdown_pj',
    'Energy per inference on the chip by component, pJ (JSON object).',
  ],
  [
    'digital_energy_breakdown_pj',
    'm.digital_energy_breakdown_pj',
    'Energy per inference of the static network on the digital baseline by component, pJ (JSON object).',
  ],
  ['wall_time_ms', 'm.wall_time_ms', 'Wall time of the evaluation, ms.'],
];

const RUN_RESULTS_COMMENT =
  'One row per run: its sweep, every simulation parameter resolved (set by the sweep, else the device profile value), status, error and metrics. Read-only role: ' +
  READ_ONLY_ROLE +
  '.';

/** [column, SQL expression, comment] of sweep_overview. */
const SWEEP_OVERVIEW_COLUMNS: [string, string, string][] = [
  ['sweep_id', 's.id', 'The sweep.'],
  ['name', 's.name', 'Name from its specification.'],
  ['description', 's.description', 'Description from its specification.'],
  ['model', 's.model', 'Model name.'],
  [
    'artifact_version',
    's.artifact_version',
    'Content version of the model artifact at submission.',
  ],
  ['grid_axes', 's.grid_axes', 'Parameters the grid varies.'],
  [
    'status',
    `CASE WHEN c.queued + c.running > 0 THEN CASE WHEN s.cancelled_at IS NOT NULL THEN 'cancelling' WHEN c.running + c.succeeded + c.failed + c.cancelled > 0 THEN 'running' ELSE 'queued' END WHEN c.cancelled > 0 THEN 'cancelled' WHEN c.failed > 0 THEN 'completed_with_failures' ELSE 'completed' END`,
    'queued, running, cancelling, cancelled, completed or completed_with_failures (as the API reports it).',
  ],
  ['run_count', 's.run_count', 'Runs of the sweep.'],
  ['queued', 'c.queued', 'Runs waiting.'],
  ['running', 'c.running', 'Runs running.'],
  ['succeeded', 'c.succeeded', 'Runs computed.'],
  ['cached', 'c.cached', 'Runs served from an identical configuration computed before.'],
  ['failed', 'c.failed', 'Runs failed (see run_results.error).'],
  ['cancelled', 'c.cancelled', 'Runs cancelled.'],
  ['created_at', 's.created_at', 'Submitted at.'],
  ['finished_at', 'c.last_finished_at', 'Last run settled at.'],
];

/**
 * Views SQL tools point at (run_results, sweep_overview), commented column by column, and a
 * read-only role that may select them. Runs record the device parameters the profile resolved
 * (device_resolved), so a knob the sweep left unset reads as the value used, not NULL.
 */
export class AddSqlViews1764500000000 implements MigrationInterface {
  name = 'AddSqlViews1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE runs ADD COLUMN device_resolved jsonb`);

    await queryRunner.query(`
      CREATE VIEW run_results AS
      SELECT ${RUN_RESULT_COLUMNS.map(([name, expression]) => `${expression} AS ${name}`).join(',\n             ')}
      FROM runs r
      JOIN sweeps s ON s.id = r.sweep_id
      CROSS JOIN LATERAL (SELECT r.device_resolved AS d) resolved
      LEFT JOIN results m ON m.config_hash = r.config_hash AND r.status IN ('succeeded', 'cached')`);
    await this.comment(queryRunner, 'run_results', RUN_RESULTS_COMMENT, RUN_RESULT_COLUMNS);

    await queryRunner.query(`
      CREATE VIEW sweep_overview AS
      SELECT ${SWEEP_OVERVIEW_COLUMNS.map(([name, expression]) => `${expression} AS ${name}`).join(',\n             ')}
      FROM sweeps s
      CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE r.status = 'queued')::int AS queued,
               count(*) FILTER (WHERE r.status = 'running')::int AS running,
               count(*) FILTER (WHERE r.status = 'succeeded')::int AS succeeded,
               count(*) FILTER (WHERE r.status = 'cached')::int AS cached,
               count(*) FILTER (WHERE r.status = 'failed')::int AS failed,
               count(*) FILTER (WHERE r.status = 'cancelled')::int AS cancelled,
               max(r.finished_at) AS last_finished_at
        FROM runs r WHERE r.sweep_id = s.id) c`);
    await this.comment(
      queryRunner,
      'sweep_overview',
      'One row per sweep: status and run counts by state.',
      SWEEP_OVERVIEW_COLUMNS,
    );

    // Roles are cluster-wide: every schema (deployment, test) shares one. Creating it tolerates a
    // concurrent migration doing the same (unique_violation while both transactions are open) and
    // a database user without CREATEROLE (then an administrator creates the role; see the README).
    await queryRunner.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${READ_ONLY_ROLE}') THEN
          BEGIN
            CREATE ROLE ${READ_ONLY_ROLE} NOLOGIN;
          EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
              RAISE NOTICE 'role ${READ_ONLY_ROLE} not created: % (create it as an administrator, then grant)', SQLERRM;
          END;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${READ_ONLY_ROLE}') THEN
          EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${READ_ONLY_ROLE}', current_schema());
          GRANT SELECT ON run_results, sweep_overview TO ${READ_ONLY_ROLE};
        END IF;
      END
      $$`);
  }

  private async comment(
    queryRunner: QueryRunner,
    view: string,
    comment: string,
    columns: [string, string, string][],
  ): Promise<void> {
    const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
    await queryRunner.query(`COMMENT ON VIEW ${view} IS ${quote(comment)}`);
    for (const [name, , text] of columns)
      await queryRunner.query(`COMMENT ON COLUMN ${view}.${name} IS ${quote(text)}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The role stays: other schemas of the cluster may use it. Dropping the views drops its grants.
    await queryRunner.query(`DROP VIEW sweep_overview`);
    await queryRunner.query(`DROP VIEW run_results`);
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN device_resolved`);
  }
}
