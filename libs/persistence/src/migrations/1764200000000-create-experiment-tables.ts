import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * sweeps -> runs (one per configuration of a sweep) -> results (one per distinct configuration,
 * keyed by config hash, shared by every sweep that contains it), plus the model artifacts runs
 * were computed with. Tables are created unqualified: the connection's search_path picks the
 * schema, so tests migrate into a schema of their own.
 */
export class CreateExperimentTables1764200000000 implements MigrationInterface {
  name = 'CreateExperimentTables1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE model_artifacts (
        model text NOT NULL,
        version text NOT NULL,
        artifact_created_at timestamptz NOT NULL,
        metrics jsonb NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT model_artifacts_pkey PRIMARY KEY (model, version)
      )`);

    await queryRunner.query(`
      CREATE TABLE sweeps (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text,
        model text NOT NULL,
        artifact_version text NOT NULL,
        spec jsonb NOT NULL,
        grid_axes text[] NOT NULL,
        run_count integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        cancelled_at timestamptz,
        CONSTRAINT sweeps_pkey PRIMARY KEY (id),
        CONSTRAINT sweeps_artifact_fkey FOREIGN KEY (model, artifact_version)
          REFERENCES model_artifacts (model, version)
      )`);
    await queryRunner.query(`CREATE INDEX sweeps_created_at_idx ON sweeps (created_at)`);

    await queryRunner.query(`
      CREATE TABLE runs (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        sweep_id uuid NOT NULL,
        run_index integer NOT NULL,
        repeat_index integer NOT NULL,
        config_hash character(64) NOT NULL,
        model text NOT NULL,
        artifact_version text NOT NULL,
        config jsonb NOT NULL,
        programming_noise double precision,
        read_noise double precision,
        cam_threshold double precision NOT NULL,
        memory_size integer NOT NULL,
        adc_bits integer,
        dac_bits integer,
        seed integer NOT NULL,
        stuck_at_lrs_rate double precision,
        stuck_at_hrs_rate double precision,
        tile_rows integer,
        tile_cols integer,
        exit_rule text NOT NULL,
        device_profile text NOT NULL,
        split text NOT NULL,
        sample_count integer,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        worker_id text,
        error text,
        queued_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT runs_pkey PRIMARY KEY (id),
        CONSTRAINT runs_sweep_fkey FOREIGN KEY (sweep_id) REFERENCES sweeps (id) ON DELETE CASCADE,
        CONSTRAINT runs_sweep_config_unique UNIQUE (sweep_id, config_hash),
        CONSTRAINT runs_sweep_index_unique UNIQUE (sweep_id, run_index),
        CONSTRAINT runs_status_check
          CHECK (status IN ('queued', 'running', 'succeeded', 'cached', 'failed', 'cancelled'))
      )`);
    // Progress counts per sweep, the worker's lookup of pending runs by hash, and the
    // dashboard's filters on the main axes across sweeps.
    await queryRunner.query(`CREATE INDEX runs_sweep_status_idx ON runs (sweep_id, status)`);
    await queryRunner.query(`CREATE INDEX runs_config_hash_idx ON runs (config_hash)`);
    await queryRunner.query(
      `CREATE INDEX runs_model_artifact_idx ON runs (model, artifact_version)`,
    );
    for (const column of [
      'programming_noise',
      'read_noise',
      'cam_threshold',
      'memory_size',
      'adc_bits',
      'seed',
    ]) {
      await queryRunner.query(`CREATE INDEX runs_${column}_idx ON runs (${column})`);
    }

    await queryRunner.query(`
      CREATE TABLE results (
        config_hash character(64) NOT NULL,
        model text NOT NULL,
        artifact_version text NOT NULL,
        samples integer NOT NULL,
        dynamic_accuracy double precision NOT NULL,
        static_accuracy double precision NOT NULL,
        software_accuracy double precision NOT NULL,
        mean_macs_per_sample double precision NOT NULL,
        static_macs_per_sample double precision NOT NULL,
        compute_reduction double precision NOT NULL,
        cam_searches_per_sample double precision NOT NULL,
        cam_bit_searches_per_sample double precision NOT NULL,
        energy_per_inference_pj double precision NOT NULL,
        static_energy_per_inference_pj double precision NOT NULL,
        digital_baseline_energy_per_inference_pj double precision NOT NULL,
        energy_reduction_vs_digital double precision NOT NULL,
        energy_reduction_vs_static double precision NOT NULL,
        wall_time_ms double precision NOT NULL,
        dynamic_wall_time_ms double precision NOT NULL,
        static_wall_time_ms double precision NOT NULL,
        exit_histogram jsonb NOT NULL,
        exit_accuracy jsonb NOT NULL,
        energy_breakdown_pj jsonb NOT NULL,
        run_id uuid NOT NULL,
        worker_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT results_pkey PRIMARY KEY (config_hash),
        CONSTRAINT results_artifact_fkey FOREIGN KEY (model, artifact_version)
          REFERENCES model_artifacts (model, version)
      )`);
    await queryRunner.query(
      `CREATE INDEX results_dynamic_accuracy_idx ON results (dynamic_accuracy)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE results`);
    await queryRunner.query(`DROP TABLE runs`);
    await queryRunner.query(`DROP TABLE sweeps`);
    await queryRunner.query(`DROP TABLE model_artifacts`);
  }
}
