import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { RunTiming } from '@engram/contracts';
import { ModelArtifactEntity } from './model-artifact.entity';

/**
 * The metrics of one distinct configuration, computed once and shared by every run (of any sweep)
 * with the same config hash. Every scalar of EvaluationResult is a typed column.
 */
@Entity({ name: 'results' })
@Check('results_timing_check', `timing IN ('derived', 'measured')`)
@Index('results_dynamic_accuracy_idx', ['dynamicAccuracy'])
export class ResultEntity {
  @PrimaryColumn({
    name: 'config_hash',
    type: 'character',
    length: 64,
    primaryKeyConstraintName: 'results_pkey',
  })
  configHash!: string;

  @Column({ type: 'text' })
  model!: string;

  @Column({ name: 'artifact_version', type: 'text' })
  artifactVersion!: string;

  @ManyToOne(() => ModelArtifactEntity, { nullable: false })
  @JoinColumn([
    {
      name: 'model',
      referencedColumnName: 'model',
      foreignKeyConstraintName: 'results_artifact_fkey',
    },
    {
      name: 'artifact_version',
      referencedColumnName: 'version',
      foreignKeyConstraintName: 'results_artifact_fkey',
    },
  ])
  artifact?: ModelArtifactEntity;

  @Column({ type: 'integer' })
  samples!: number;

  @Column({ name: 'dynamic_accuracy', type: 'double precision' })
  dynamicAccuracy!: number;

  @Column({ name: 'static_accuracy', type: 'double precision' })
  staticAccuracy!: number;

  @Column({ name: 'software_accuracy', type: 'double precision' })
  softwareAccuracy!: number;

  @Column({ name: 'mean_macs_per_sample', type: 'double precision' })
  meanMacsPerSample!: number;

  @Column({ name: 'static_macs_per_sample', type: 'double precision' })
  staticMacsPerSample!: number;

  @Column({ name: 'compute_reduction', type: 'double precision' })
  computeReduction!: number;

  @Column({ name: 'cam_searches_per_sample', type: 'double precision' })
  camSearchesPerSample!: number;

  @Column({ name: 'cam_bit_searches_per_sample', type: 'double precision' })
  camBitSearchesPerSample!: number;

  /** Energy model that priced the row: 1 for rows stored before the dataflow baselines. */
  @Column({ name: 'energy_model_version', type: 'integer' })
  energyModelVersion!: number;

  /** Digital baseline of the reductions (null for energy model 1: SRAM weight fetch per MAC). */
  @Column({ name: 'energy_digital_baseline', type: 'text', nullable: true })
  digitalBaseline!: string | null;

  @Column({ name: 'energy_per_inference_pj', type: 'double precision' })
  energyPerInferencePj!: number;

  @Column({ name: 'static_energy_per_inference_pj', type: 'double precision' })
  staticEnergyPerInferencePj!: number;

  @Column({ name: 'digital_baseline_energy_per_inference_pj', type: 'double precision' })
  digitalBaselineEnergyPerInferencePj!: number;

  @Column({
    name: 'digital_dynamic_energy_per_inference_pj',
    type: 'double precision',
    nullable: true,
  })
  digitalDynamicEnergyPerInferencePj!: number | null;

  /** Energy model 1 rows: the reduction against the static network (their only one). */
  @Column({ name: 'energy_reduction_vs_digital', type: 'double precision' })
  energyReductionVsDigital!: number;

  @Column({ name: 'energy_reduction_vs_digital_static', type: 'double precision' })
  energyReductionVsDigitalStatic!: number;

  /** Null for energy model 1 rows, which had no digital baseline with exits. */
  @Column({ name: 'energy_reduction_vs_digital_dynamic', type: 'double precision', nullable: true })
  energyReductionVsDigitalDynamic!: number | null;

  @Column({ name: 'energy_reduction_vs_static', type: 'double precision' })
  energyReductionVsStatic!: number;

  @Column({ name: 'wall_time_ms', type: 'double precision' })
  wallTimeMs!: number;

  /** Null for results derived from a chip's pass (no dynamic inference was timed). */
  @Column({ name: 'dynamic_wall_time_ms', type: 'double precision', nullable: true })
  dynamicWallTimeMs!: number | null;

  /** Null for results derived from a chip's pass. */
  @Column({ name: 'static_wall_time_ms', type: 'double precision', nullable: true })
  staticWallTimeMs!: number | null;

  /** Wall time of the chip pass a derived result came from (null: measured). */
  @Column({ name: 'chip_pass_wall_time_ms', type: 'double precision', nullable: true })
  chipPassWallTimeMs!: number | null;

  /** 'derived' from the chip's pass or 'measured' by real dynamic inference. */
  @Column({ name: 'timing', type: 'text' })
  timing!: RunTiming;

  /** Samples that left at each exit; the last entry is the final classifier. */
  @Column({ name: 'exit_histogram', type: 'jsonb' })
  exitHistogram!: number[];

  /** Accuracy per exit; null where no sample left (NaN in the evaluation result). */
  @Column({ name: 'exit_accuracy', type: 'jsonb' })
  exitAccuracy!: (number | null)[];

  @Column({ name: 'energy_breakdown_pj', type: 'jsonb' })
  energyBreakdownPj!: Record<string, number>;

  /** The static network on the digital baseline by component (null for energy model 1). */
  @Column({ name: 'digital_energy_breakdown_pj', type: 'jsonb', nullable: true })
  digitalEnergyBreakdownPj!: Record<string, number> | null;

  /** The run whose job computed it. */
  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @Column({ name: 'worker_id', type: 'text' })
  workerId!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
