import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-exit CAM thresholds become sweep parameters: every run stores the threshold each exit
 * used; cam_threshold keeps the common threshold and is null when the exits differ.
 */
export class AddExitThresholds1764400000000 implements MigrationInterface {
  name = 'AddExitThresholds1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE runs ADD COLUMN cam_threshold_exit1 double precision,
                        ADD COLUMN cam_threshold_exit2 double precision`,
    );
    await queryRunner.query(
      `UPDATE runs SET cam_threshold_exit1 = cam_threshold, cam_threshold_exit2 = cam_threshold`,
    );
    await queryRunner.query(`ALTER TABLE runs ALTER COLUMN cam_threshold DROP NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Runs with differing exit thresholds have no single threshold to go back to.
    await queryRunner.query(`DELETE FROM runs WHERE cam_threshold IS NULL`);
    await queryRunner.query(`ALTER TABLE runs ALTER COLUMN cam_threshold SET NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE runs DROP COLUMN cam_threshold_exit1, DROP COLUMN cam_threshold_exit2`,
    );
  }
}
