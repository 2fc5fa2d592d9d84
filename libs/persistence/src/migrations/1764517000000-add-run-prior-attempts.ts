import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attempts survive a new job: retry-failed and the reconciler enqueue a fresh BullMQ job (whose
 * own count starts again at 1), so a run keeps the attempts of its earlier jobs here and
 * `attempts` = prior_attempts + the current job's attempt.
 */
export class AddRunPriorAttempts1764517000000 implements MigrationInterface {
  name = 'AddRunPriorAttempts1764517000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE runs ADD COLUMN prior_attempts integer NOT NULL DEFAULT 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN prior_attempts`);
  }
}
