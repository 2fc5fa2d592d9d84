import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import type { EvaluationConfig, ResolvedDeviceParameters } from '@engram/contracts';
import type { RunStatus } from '../fields';
import { SweepEntity } from './sweep.entity';

/**
 * One configuration of one sweep. The resolved config is kept whole (JSONB) and its sweep
 * parameters again as typed columns for filtering. Null device columns mean "the profile value".
 */
@Entity({ name: 'runs' })
@Unique('runs_sweep_config_unique', ['sweepId', 'configHash'])
@Unique('runs_sweep_index_unique', ['sweepId', 'runIndex'])
@Check(
  'runs_status_check',
  `status IN ('queued', 'running', 'succeeded', 'cached', 'failed', 'cancelled')`,
)
@Index('runs_sweep_status_idx', ['sweepId', 'status'])
@Index('runs_config_hash_idx', ['configHash'])
@Index('runs_pending_job_key_idx', ['jobKey'], { where: `status IN ('queued', 'running')` })
@Index('runs_model_artifact_idx', ['model', 'artifactVersion'])
@Index('runs_programming_noise_idx', ['programmingNoise'])
@Index('runs_read_noise_idx', ['readNoise'])
@Index('runs_cam_threshold_idx', ['camThreshold'])
@Index('runs_memory_size_idx', ['memorySize'])
@Index('runs_adc_bits_idx', ['adcBits'])
@Index('runs_seed_idx', ['seed'])
export class RunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'runs_pkey' })
  id!: string;

  @Column({ name: 'sweep_id', type: 'uuid' })
  sweepId!: string;

  @ManyToOne(() => SweepEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'sweep_id', foreignKeyConstraintName: 'runs_sweep_fkey' })
  sweep?: SweepEntity;

  @Column({ name: 'run_index', type: 'integer' })
  runIndex!: number;

  @Column({ name: 'repeat_index', type: 'integer' })
  repeatIndex!: number;

  @Column({ name: 'config_hash', type: 'character', length: 64 })
  configHash!: string;

  /**
   * The job that computes the run (and its id in the queue): the chip hash when the run's metrics
   * derive from its chip's shared hardware pass, else the config hash (a job of its own).
   */
  @Column({ name: 'job_key', type: 'character', length: 64 })
  jobKey!: string;

  @Column({ type: 'text' })
  model!: string;

  @Column({ name: 'artifact_version', type: 'text' })
  artifactVersion!: string;

  @Column({ type: 'jsonb' })
  config!: EvaluationConfig;

  @Column({ name: 'programming_noise', type: 'double precision', nullable: true })
  programmingNoise!: number | null;

  @Column({ name: 'read_noise', type: 'double precision', nullable: true })
  readNoise!: number | null;

  /** Null when the exits have different thresholds (see the per-exit columns). */
  @Column({ name: 'cam_threshold', type: 'double precision', nullable: true })
  camThreshold!: number | null;

  @Column({ name: 'cam_threshold_exit1', type: 'double precision', nullable: true })
  camThresholdExit1!: number | null;

  @Column({ name: 'cam_threshold_exit2', type: 'double precision', nullable: true })
  camThresholdExit2!: number | null;

  @Column({ name: 'memory_size', type: 'integer' })
  memorySize!: number;

  @Column({ name: 'adc_bits', type: 'integer', nullable: true })
  adcBits!: number | null;

  @Column({ name: 'dac_bits', type: 'integer', nullable: true })
  dacBits!: number | null;

  @Column({ type: 'integer' })
  seed!: number;

  @Column({ name: 'stuck_at_lrs_rate', type: 'double precision', nullable: true })
  stuckAtLrsRate!: number | null;

  @Column({ name: 'stuck_at_hrs_rate', type: 'double precision', nullable: true })
  stuckAtHrsRate!: number | null;

  @Column({ name: 'tile_rows', type: 'integer', nullable: true })
  tileRows!: number | null;

  @Column({ name: 'tile_cols', type: 'integer', nullable: true })
  tileCols!: number | null;

  /**
   * Every device knob as the profile resolved it at submission (null: invalid knobs, or a run
   * stored before this was recorded). The run_results view reads unset knobs from here.
   */
  @Column({ name: 'device_resolved', type: 'jsonb', nullable: true })
  deviceResolved!: ResolvedDeviceParameters | null;

  @Column({ name: 'exit_rule', type: 'text' })
  exitRule!: string;

  @Column({ name: 'device_profile', type: 'text' })
  deviceProfile!: string;

  @Column({ type: 'text' })
  engine!: string;

  /** The digital baseline the run's energy is compared with (null: the profile's). */
  @Column({ name: 'digital_baseline', type: 'text', nullable: true })
  digitalBaseline!: string | null;

  @Column({ type: 'text' })
  split!: string;

  @Column({ name: 'sample_count', type: 'integer', nullable: true })
  sampleCount!: number | null;

  @Column({ type: 'text' })
  status!: RunStatus;

  /**
   * Attempts started: those of earlier jobs (prior_attempts) plus the current job's failed
   * attempts and stalls, plus one. Releases for a database outage do not count.
   */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Attempts of the run's earlier jobs (before retry-failed or a reconciler re-enqueue). */
  @Column({ name: 'prior_attempts', type: 'integer', default: 0 })
  priorAttempts!: number;

  /** While running: the fraction of its job's pass done (a chip job computes its runs together). */
  @Column({ name: 'pass_progress', type: 'real', nullable: true })
  passProgress!: number | null;

  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'queued_at', type: 'timestamptz', default: () => 'now()' })
  queuedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
