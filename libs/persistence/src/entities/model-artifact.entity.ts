import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A trained model version runs were computed with (from models/<name>/artifact.json). */
@Entity({ name: 'model_artifacts' })
export class ModelArtifactEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'model_artifacts_pkey' })
  model!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'model_artifacts_pkey' })
  version!: string;

  @Column({ name: 'artifact_created_at', type: 'timestamptz' })
  artifactCreatedAt!: Date;

  @Column({ type: 'jsonb' })
  metrics!: Record<string, unknown>;

  @Column({ name: 'registered_at', type: 'timestamptz', default: () => 'now()' })
  registeredAt!: Date;
}
