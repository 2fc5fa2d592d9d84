import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ModelArtifactEntity } from './model-artifact.entity';

@Entity({ name: 'sweeps' })
@Index('sweeps_created_at_idx', ['createdAt'])
export class SweepEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'sweeps_pkey' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text' })
  model!: string;

  @Column({ name: 'artifact_version', type: 'text' })
  artifactVersion!: string;

  @ManyToOne(() => ModelArtifactEntity, { nullable: false })
  @JoinColumn([
    {
      name: 'model',
      referencedColumnName: 'model',
      foreignKeyConstraintName: 'sweeps_artifact_fkey',
    },
    {
      name: 'artifact_version',
      referencedColumnName: 'version',
      foreignKeyConstraintName: 'sweeps_artifact_fkey',
    },
  ])
  artifact?: ModelArtifactEntity;

  /** The spec as submitted (validated). */
  @Column({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  /** Grid axes in expansion order: the summary groups by these (minus seed). */
  @Column({ name: 'grid_axes', type: 'text', array: true })
  gridAxes!: string[];

  @Column({ name: 'run_count', type: 'integer' })
  runCount!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;
}
