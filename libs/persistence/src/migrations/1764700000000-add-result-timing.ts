import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Results derived from a chip's one hardware pass (issue #16) time no dynamic inference of their
 * own: `timing` says how a result was made ('derived' or 'measured'), its dynamic and static wall
 * times become nullable (null when derived) and `chip_pass_wall_time_ms` holds the pass's time.
 * Every result stored before was made by real dynamic inference: those rows are 'measured' and
 * keep their wall times.
 */
export class AddResultTiming1764700000000 implements MigrationInterface {
  name = 'AddResultTiming1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE results ADD COLUMN timing text NOT NULL DEFAULT 'measured'`,
    );
    await queryRunner.query(`ALTER TABLE results ALTER COLUMN timing DROP DEFAULT`);
    await queryRunner.query(
      `ALTER TABLE results ADD CONSTRAINT results_timing_check CHECK (timing IN ('derived', 'measured'))`,
    );
    await queryRunner.query(
      `ALTER TABLE results ADD COLUMN chip_pass_wall_time_ms double precision`,
    );
    await queryRunner.query(`ALTER TABLE results ALTER COLUMN dynamic_wall_time_ms DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE results ALTER COLUMN static_wall_time_ms DROP NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Derived rows timed no dynamic inference: NaN, not a made-up time, in the NOT NULL columns.
    await queryRunner.query(
      `UPDATE results SET dynamic_wall_time_ms = 'NaN', static_wall_time_ms = 'NaN' WHERE timing = 'derived'`,
    );
    await queryRunner.query(`ALTER TABLE results ALTER COLUMN static_wall_time_ms SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE results ALTER COLUMN dynamic_wall_time_ms SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE results DROP COLUMN chip_pass_wall_time_ms`);
    await queryRunner.query(`ALTER TABLE results DROP CONSTRAINT results_timing_check`);
    await queryRunner.query(`ALTER TABLE results DROP COLUMN timing`);
  }
}
