import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inference engine becomes a sweep parameter (onnx or tfjs), stored as a typed run column
 * like the other parameters. Runs from before it ran on TensorFlow.js, the only engine then.
 */
export class AddRunEngine1764300000000 implements MigrationInterface {
  name = 'AddRunEngine1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE runs ADD COLUMN engine text`);
    await queryRunner.query(`UPDATE runs SET engine = COALESCE(config->>'engine', 'tfjs')`);
    await queryRunner.query(`ALTER TABLE runs ALTER COLUMN engine SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN engine`);
  }
}
