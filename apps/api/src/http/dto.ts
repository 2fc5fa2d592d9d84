import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  DIGITAL_BASELINE_NAMES,
  ENGINE_NAMES,
  EXIT_RULE_NAMES,
  MODEL_NAMES,
  PARAMETER_NAMES,
  RUN_TIMINGS,
  SPLIT_NAMES,
  type RunTiming,
} from '@engram/contracts';
import { METRIC_NAMES, RUN_STATUSES } from '@engram/persistence';
import { registrySchemaRef } from '../openapi/registry-schemas';

/**
 * Response shapes, for the OpenAPI document (and through it the generated client). Properties
 * that are always sent are required, even when their value may be null.
 */

const SWEEP_STATUSES = [
  'queued',
  'running',
  'cancelling',
  'cancelled',
  'completed',
  'completed_with_failures',
] as const;
const STATUS_HELP =
  'completed_with_failures: settled with at least one failed run; cancelling: cancelled while ' +
  'runs still finish.';

@ApiSchema({ name: 'SubmittedSweep' })
export class SubmittedSweepDto {
  @ApiProperty({ format: 'uuid' }) sweepId!: string;
  @ApiProperty({ description: 'Runs in the sweep (grid points x repeats).' }) runCount!: number;
  @ApiProperty({ description: 'Runs served from existing results, not recomputed.' })
  cachedCount!: number;
  @ApiProperty({ description: 'Runs enqueued for the workers.' }) queuedCount!: number;
}

@ApiSchema({ name: 'RunCounts' })
export class RunCountsDto {
  @ApiProperty() queued!: number;
  @ApiProperty() running!: number;
  @ApiProperty() succeeded!: number;
  @ApiProperty() cached!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() cancelled!: number;
}

@ApiSchema({ name: 'SweepProgress' })
export class SweepProgressDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ description: 'A registered model (GET /models).' }) model!: string;
  @ApiProperty() artifactVersion!: string;
  @ApiProperty({ type: [String], description: 'Parameters the grid varies.' })
  gridAxes!: string[];
  @ApiProperty({ enum: SWEEP_STATUSES, enumName: 'SweepStatus', description: STATUS_HELP })
  status!: (typeof SWEEP_STATUSES)[number];
  @ApiProperty() runCount!: number;
  @ApiProperty({ type: RunCountsDto }) counts!: RunCountsDto;
  @ApiProperty({
    description:
      'Settled runs over all runs, 0..1, plus the part done of the running runs (a chip job computes its runs in one pass and settles them together).',
  })
  progress!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ nullable: true, type: Date }) startedAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) finishedAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) cancelledAt!: Date | null;
  @ApiProperty() elapsedMs!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Estimated time to completion (null before the first run settles).',
  })
  etaMs!: number | null;
}

@ApiSchema({ name: 'SweepDetail' })
export class SweepDetailDto extends SweepProgressDto {
  @ApiProperty(registrySchemaRef('SweepSpec', 'The submitted specification.'))
  spec!: Record<string, unknown>;
}

@ApiSchema({ name: 'SweepPage' })
export class SweepPageDto {
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: [SweepProgressDto] }) items!: SweepProgressDto[];
}

@ApiSchema({ name: 'DeviceOverrides' })
export class DeviceOverridesDto {
  @ApiPropertyOptional() programmingNoise?: number;
  @ApiPropertyOptional() readNoise?: number;
  @ApiPropertyOptional({ type: 'integer' }) adcBits?: number;
  @ApiPropertyOptional({ type: 'integer' }) dacBits?: number;
  @ApiPropertyOptional() stuckAtLrsRate?: number;
  @ApiPropertyOptional() stuckAtHrsRate?: number;
  @ApiPropertyOptional({ type: 'integer' }) tileRows?: number;
  @ApiPropertyOptional({ type: 'integer' }) tileCols?: number;
  @ApiPropertyOptional() tcamSenseNoise?: number;
  @ApiPropertyOptional({
    enum: DIGITAL_BASELINE_NAMES,
    description: 'Digital baseline the energy reductions are against (docs/energy-model.md).',
  })
  digitalBaseline?: string;
}

/** The resolved evaluation contract of a run (what the worker evaluated). */
@ApiSchema({ name: 'EvaluationConfig' })
export class EvaluationConfigDto {
  @ApiProperty({ enum: MODEL_NAMES }) model!: string;
  @ApiPropertyOptional() deviceProfile?: string;
  @ApiPropertyOptional({
    type: DeviceOverridesDto,
    description: 'Overrides of the device profile (unset: the profile value).',
  })
  device?: DeviceOverridesDto;
  @ApiProperty({
    oneOf: [{ type: 'number' }, { type: 'array', items: { type: 'number' } }],
    description: 'TCAM exit threshold: one for every exit, or one per exit.',
  })
  camThreshold!: number | number[];
  @ApiPropertyOptional({ enum: EXIT_RULE_NAMES }) exitRule?: string;
  @ApiProperty({ type: 'integer' }) memorySize!: number;
  @ApiProperty({ type: 'integer' }) seed!: number;
  @ApiPropertyOptional({ enum: SPLIT_NAMES }) split?: string;
  @ApiPropertyOptional({ type: 'integer' }) sampleCount?: number;
  @ApiPropertyOptional({ description: `Inference engine: ${ENGINE_NAMES.join(' or ')}.` })
  engine?: string;
  @ApiPropertyOptional({
    enum: ['derived', 'measured'],
    description:
      "measured: real dynamic inference of its own; unset (derived): from its chip's shared hardware pass.",
  })
  timing?: 'derived' | 'measured';
}

/**
 * Scalar metrics of a result: accuracies as fractions in [0, 1], MACs and TCAM searches per
 * sample, energies in pJ per inference, wall times in ms. One property per metric of the
 * persistence layer's METRIC_NAMES, so a new metric reaches the document by itself.
 */
@ApiSchema({ name: 'RunMetrics' })
export class RunMetricsDto {}
for (const name of METRIC_NAMES) ApiProperty({ type: Number })(RunMetricsDto.prototype, name);

@ApiSchema({ name: 'RunRecord' })
export class RunRecordDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ format: 'uuid' }) sweepId!: string;
  @ApiProperty() runIndex!: number;
  @ApiProperty() repeat!: number;
  @ApiProperty({
    enum: RUN_STATUSES,
    enumName: 'RunStatus',
    description: 'cached: served from the result of an identical configuration.',
  })
  status!: string;
  @ApiProperty({ description: 'SHA-256 of model, artifact version and resolved config.' })
  configHash!: string;
  @ApiProperty() model!: string;
  @ApiProperty() artifactVersion!: string;
  @ApiProperty(registrySchemaRef('RunParameters', 'The value of every sweep parameter.'))
  parameters!: Record<string, number | string | null>;
  @ApiProperty({ enum: SPLIT_NAMES }) split!: string;
  @ApiProperty({ nullable: true, type: Number }) sampleCount!: number | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String }) workerId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the run failed.' })
  error!: string | null;
  @ApiProperty() queuedAt!: Date;
  @ApiProperty({ nullable: true, type: Date }) startedAt!: Date | null;
  @ApiProperty({ nullable: true, type: Date }) finishedAt!: Date | null;
  @ApiProperty({ type: EvaluationConfigDto }) config!: EvaluationConfigDto;
  @ApiProperty({ type: RunMetricsDto, nullable: true, description: 'Null until computed.' })
  metrics!: Record<string, number> | null;
  @ApiProperty({
    nullable: true,
    type: [Number],
    description: 'Samples that left at each exit; the last entry is the final classifier.',
  })
  exitHistogram!: number[] | null;
  @ApiProperty({
    nullable: true,
    type: 'array',
    items: { type: 'number', nullable: true },
    description: 'Accuracy of the samples that left at each exit (null where none left).',
  })
  exitAccuracy!: (number | null)[] | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Energy of the dynamic run on the chip per inference by component, pJ.',
  })
  energyBreakdownPj!: Record<string, number> | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Digital baseline the energy reductions are against (null for results of energy model 1).',
  })
  energyBaseline!: string | null;
  @ApiProperty({
    nullable: true,
    enum: RUN_TIMINGS,
    description:
      "How the result was made: 'derived' from its chip's one hardware pass (no wall time of its own) or 'measured' by real dynamic inference (null: no result yet).",
  })
  timing!: RunTiming | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'number' },
    description:
      'Energy of the static network on the digital baseline per inference by component, pJ (null for energy model 1).',
  })
  digitalEnergyBreakdownPj!: Record<string, number> | null;
}

@ApiSchema({ name: 'RunPage' })
export class RunPageDto {
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: [RunRecordDto] }) items!: RunRecordDto[];
}

@ApiSchema({ name: 'SummaryGroup' })
export class SummaryGroupDto {
  @ApiProperty(registrySchemaRef('GridPoint', 'The grid point.')) values!: Record<string, unknown>;
  @ApiProperty({ description: 'Runs with a result at the grid point.' }) count!: number;
  @ApiProperty(registrySchemaRef('SummaryMetrics', 'Statistics of each metric.'))
  metrics!: Record<string, unknown>;
}

@ApiSchema({ name: 'SweepSummary' })
export class SweepSummaryDto {
  @ApiProperty({ format: 'uuid' }) sweepId!: string;
  @ApiProperty({ enum: SWEEP_STATUSES, enumName: 'SweepStatus', description: STATUS_HELP })
  status!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'string', enum: [...PARAMETER_NAMES] },
    description: 'The grid axes grouped by (every axis but seed).',
  })
  groupBy!: string[];
  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...METRIC_NAMES] } })
  metrics!: string[];
  @ApiProperty({ type: [SummaryGroupDto] }) groups!: SummaryGroupDto[];
}

@ApiSchema({ name: 'ModelParameter' })
export class ModelParameterDto {
  @ApiProperty({ enum: PARAMETER_NAMES }) name!: string;
  @ApiProperty({ enum: ['number', 'integer', 'enum'] }) kind!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'What an unset parameter means.' }) default!: string;
  @ApiPropertyOptional({ type: [String], description: 'Allowed values (kind enum).' })
  values?: string[];
  @ApiPropertyOptional({ description: 'Smallest value (numeric kinds).' }) minimum?: number;
  @ApiPropertyOptional({ description: 'Largest value (numeric kinds).' }) maximum?: number;
}

@ApiSchema({ name: 'SplitSamples' })
export class SplitSamplesDto {
  @ApiPropertyOptional({ type: 'integer' }) test?: number;
  @ApiPropertyOptional({ type: 'integer' }) validation?: number;
}

@ApiSchema({ name: 'Model' })
export class ModelDto {
  @ApiProperty({ enum: MODEL_NAMES }) name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Current artifact version (null: not trained yet).',
  })
  artifactVersion!: string | null;
  @ApiProperty({ type: SplitSamplesDto, description: 'Samples in each split the model has.' })
  splitSamples!: SplitSamplesDto;
  @ApiProperty({ type: [ModelParameterDto] }) parameters!: ModelParameterDto[];
}

@ApiSchema({ name: 'HealthCheck' })
export class HealthCheckDto {
  @ApiProperty({ enum: ['up', 'down'] }) status!: string;
  @ApiProperty() latencyMs!: number;
  @ApiPropertyOptional() error?: string;
}

@ApiSchema({ name: 'HealthChecks' })
export class HealthChecksDto {
  @ApiProperty({ type: HealthCheckDto }) database!: HealthCheckDto;
  @ApiProperty({ type: HealthCheckDto }) redis!: HealthCheckDto;
}

@ApiSchema({ name: 'Health' })
export class HealthDto {
  @ApiProperty({ enum: ['ok', 'error'] }) status!: string;
  @ApiProperty({ type: HealthChecksDto }) checks!: HealthChecksDto;
}

@ApiSchema({ name: 'Issue' })
export class IssueDto {
  @ApiProperty({ example: 'grid.readNoise[1]' }) field!: string;
  @ApiProperty({ example: 'must be <= 1' }) message!: string;
}

/**
 * Every error answer (the one envelope of http/error-envelope.filter.ts): status, reason, message
 * and the fields at fault; a 4xx always names at least one (`(request)` for the request as a whole).
 */
@ApiSchema({ name: 'Error' })
export class ErrorDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty() message!: string;
  @ApiProperty({
    type: [IssueDto],
    description: 'The fields at fault (at least one for a 4xx; empty for a 5xx).',
  })
  issues!: IssueDto[];
}

@ApiSchema({ name: 'CancelledSweep' })
export class CancelledSweepDto {
  @ApiProperty({ description: 'Queued runs now cancelled.' }) cancelledRuns!: number;
  @ApiProperty({
    description: 'Jobs removed from the queue (not those another sweep still needs).',
  })
  removedJobs!: number;
  @ApiProperty({ type: SweepProgressDto }) sweep!: SweepProgressDto;
}

@ApiSchema({ name: 'RetriedSweep' })
export class RetriedSweepDto {
  @ApiProperty({ description: 'Failed runs queued again.' }) requeuedRuns!: number;
  @ApiProperty({ type: SweepProgressDto }) sweep!: SweepProgressDto;
}
