import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RUN_STATUSES } from '@engram/persistence';

/** Response shapes, for the OpenAPI document. */

export class SubmittedSweepDto {
  @ApiProperty({ format: 'uuid' }) sweepId!: string;
  @ApiProperty({ description: 'Runs in the sweep (grid points x repeats).' }) runCount!: number;
  @ApiProperty({ description: 'Runs served from existing results, not recomputed.' })
  cachedCount!: number;
  @ApiProperty({ description: 'Runs enqueued for the workers.' }) queuedCount!: number;
}

export class RunCountsDto {
  @ApiProperty() queued!: number;
  @ApiProperty() running!: number;
  @ApiProperty() succeeded!: number;
  @ApiProperty() cached!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() cancelled!: number;
}

export class SweepProgressDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) description!: string | null;
  @ApiProperty() model!: string;
  @ApiProperty() artifactVersion!: string;
  @ApiProperty({ type: [String] }) gridAxes!: string[];
  @ApiProperty({
    enum: ['queued', 'running', 'cancelling', 'cancelled', 'completed', 'completed_with_failures'],
  })
  status!: string;
  @ApiProperty() runCount!: number;
  @ApiProperty({ type: RunCountsDto }) counts!: RunCountsDto;
  @ApiProperty({ description: 'Settled runs over all runs, 0..1.' }) progress!: number;
  @ApiProperty() createdAt!: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) startedAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) finishedAt!: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) cancelledAt!: Date | null;
  @ApiProperty() elapsedMs!: number;
  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Estimated time to completion.',
  })
  etaMs!: number | null;
}

export class SweepDetailDto extends SweepProgressDto {
  @ApiProperty({
    description: 'The submitted specification.',
    type: 'object',
    additionalProperties: true,
  })
  spec!: Record<string, unknown>;
}

export class SweepPageDto {
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: [SweepProgressDto] }) items!: SweepProgressDto[];
}

export class RunRecordDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ format: 'uuid' }) sweepId!: string;
  @ApiProperty() runIndex!: number;
  @ApiProperty() repeat!: number;
  @ApiProperty({ enum: RUN_STATUSES }) status!: string;
  @ApiProperty({ description: 'SHA-256 of model, artifact version and resolved config.' })
  configHash!: string;
  @ApiProperty() model!: string;
  @ApiProperty() artifactVersion!: string;
  @ApiProperty({
    description: 'Sweep parameters (null: the device profile value).',
    type: 'object',
    additionalProperties: true,
  })
  parameters!: Record<string, unknown>;
  @ApiProperty() split!: string;
  @ApiPropertyOptional({ nullable: true, type: Number }) sampleCount!: number | null;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) workerId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({
    description: 'The resolved EvaluationConfig.',
    type: 'object',
    additionalProperties: true,
  })
  config!: Record<string, unknown>;
  @ApiPropertyOptional({
    nullable: true,
    description: 'Scalar metrics of the result.',
    type: 'object',
    additionalProperties: true,
  })
  metrics!: Record<string, number> | null;
  @ApiPropertyOptional({ nullable: true, type: [Number] }) exitHistogram!: number[] | null;
  @ApiPropertyOptional({
    nullable: true,
    description: 'Energy of the dynamic run on the chip per inference by component, pJ.',
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  energyBreakdownPj!: Record<string, number> | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      'Digital baseline the energy reductions are against (null for results of energy model 1).',
  })
  energyBaseline!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    description:
      'Energy of the static network on the digital baseline per inference by component, pJ (null for energy model 1).',
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  digitalEnergyBreakdownPj!: Record<string, number> | null;
}

export class RunPageDto {
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: [RunRecordDto] }) items!: RunRecordDto[];
}

export class IssueDto {
  @ApiProperty({ example: 'grid.readNoise[1]' }) field!: string;
  @ApiProperty({ example: 'must be <= 1' }) message!: string;
}

export class ValidationErrorDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty() message!: string;
  @ApiProperty({ type: [IssueDto] }) issues!: IssueDto[];
}

export class CancelledSweepDto {
  @ApiProperty({ description: 'Queued runs now cancelled.' }) cancelledRuns!: number;
  @ApiProperty({
    description: 'Jobs removed from the queue (not those another sweep still needs).',
  })
  removedJobs!: number;
  @ApiProperty({ type: SweepProgressDto }) sweep!: SweepProgressDto;
}

export class RetriedSweepDto {
  @ApiProperty({ description: 'Failed runs queued again.' }) requeuedRuns!: number;
  @ApiProperty({ type: SweepProgressDto }) sweep!: SweepProgressDto;
}
