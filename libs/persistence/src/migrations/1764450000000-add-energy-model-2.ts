import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Energy model 2 (dataflow digital baselines, docs/energy-model.md): results gain the reduction
 * against the static network and against the digital baseline with the same exits, the baseline's
 * name, its energy with exits and its breakdown, and the version of the energy model. Rows stored
 * before keep every value and are marked as energy model 1; their reduction against the static
 * network is the one they had, the fields model 1 did not compute stay null. Runs gain the
 * digitalBaseline sweep parameter (null: the profile's baseline).
 */
export class AddEnergyModel21764450000000 implements MigrationInterface {
  name = 'AddEnergyModel21764450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE results ADD COLUMN energy_model_version integer,
                           ADD COLUMN energy_digital_baseline text,
                           ADD COLUMN digital_dynamic_energy_per_inference_pj double precision,
                           ADD COLUMN energy_reduction_vs_digital_static double precision,
                           ADD COLUMN energy_reduction_vs_digital_dynamic double precision,
                           ADD COLUMN digital_energy_breakdown_pj jsonb`,
    );
    await queryRunner.query(
      `UPDATE results SET energy_model_version = 1,
                          energy_reduction_vs_digital_static = energy_reduction_vs_digital`,
    );
    await queryRunner.query(
      `ALTER TABLE results ALTER COLUMN energy_model_version SET NOT NULL,
                           ALTER COLUMN energy_reduction_vs_digital_static SET NOT NULL`,
    );
    await queryRunner.query(`ALTER TABLE runs ADD COLUMN digital_baseline text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Results priced by model 2 have no model 1 figures to go back to: they are removed (their
    // runs keep their configs and can be computed again).
    await queryRunner.query(`DELETE FROM results WHERE energy_model_version <> 1`);
    await queryRunner.query(`ALTER TABLE runs DROP COLUMN digital_baseline`);
    await queryRunner.query(
      `ALTER TABLE results DROP COLUMN energy_model_version,
                           DROP COLUMN energy_digital_baseline,
                           DROP COLUMN digital_dynamic_energy_per_inference_pj,
                           DROP COLUMN energy_reduction_vs_digital_static,
                           DROP COLUMN energy_reduction_vs_digital_dynamic,
                           DROP COLUMN digital_energy_breakdown_pj`,
    );
  }
}
