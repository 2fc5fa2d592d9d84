import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chip jobs (issue #16): a run's job is named by its job key, the chip hash for runs whose metrics
 * derive from their chip's shared hardware pass, the config hash for runs that need a pass of
 * their own (measured timing, a configuration no chip can be made for). Runs stored before keep
 * their config hash: one job per run, as they were enqueued. `pass_progress` is the fraction of a
 * running run's chip pass done, so progress moves while a chip job computes its runs together.
 */
export class AddRunJobKey1764600000000 implements MigrationInterface {
  name = 'AddRunJobKey1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE runs ADD COLUMN job_key character(64)`);
    await queryRunner.query(`UPDATE runs SET job_key = config_hash`);
    await queryRunner.query(`ALTER TABLE runs ALTER COLUMN job_key SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE runs ADD COLUMN pass_progress real`);
    // The worker claims, and the reconciler pages through, pending runs by job key.
    await queryRunner.query(
      `CREATE INDEX runs_pending_job_key_idx ON runs (job_key) WHERE status IN ('queued', 'running')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX runs_pending_job_key_idx`);
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN pass_progress`);
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN job_key`);
  }
}
