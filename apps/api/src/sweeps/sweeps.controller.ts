import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  MessageEvent,
  Param,
  Post,
  Query,
  Res,
  Sse,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import {
  MetricName,
  ResultQuery,
  SUMMARY_METRICS,
  SweepStore,
  METRIC_NAMES,
} from '@engram/persistence';
import { ParameterName, sweepSpecJsonSchema } from '@engram/sweep-spec';
import type { ApiConfig } from '../config/api-config';
import {
  SubmittedSweepDto,
  SweepDetailDto,
  SweepPageDto,
  RunPageDto,
  ValidationErrorDto,
  CancelledSweepDto,
  RetriedSweepDto,
} from '../http/dto';
import { IntegerQueryPipe, SingleQueryPipe, uuidParam } from '../http/param-pipes';
import { parseRunQuery } from '../runs/run-query-params';
import { RunsService } from '../runs/runs.service';
import { API_CONFIG } from '../tokens';
import { sweepEvents } from './sweep-events';
import { SweepsService } from './sweeps.service';

const FILTER_HELP =
  'Filter by any run field, sweep axis or metric: `readNoise=0.05`, `status=failed,cancelled`, ' +
  '`dynamicAccuracy[gte]=0.9` (operators eq, ne, gt, gte, lt, lte, in). Sort with `sort=-dynamicAccuracy,readNoise`.';

/** The sweep spec's JSON Schema as an OpenAPI 3.0 schema (which takes no $schema keyword). */
export function specSchemaForOpenApi(maxRuns: number): Record<string, unknown> {
  const schema = { ...sweepSpecJsonSchema({ maxRuns }) };
  delete schema['$schema'];
  return schema;
}

@ApiTags('sweeps')
@Controller('sweeps')
export class SweepsController {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly sweeps: SweepsService,
    private readonly store: SweepStore,
    private readonly runs: RunsService,
    private readonly resultQuery: ResultQuery,
  ) {}

  @Post()
  @UseGuards(ThrottlerGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Submit a sweep: its runs are stored in one transaction, then enqueued in bulk.',
  })
  // Decorators run before the configuration is known: createApiApp replaces this schema with
  // the one of the configured MAX_RUNS_PER_SWEEP.
  @ApiBody({ schema: specSchemaForOpenApi(10_000) })
  @ApiAcceptedResponse({ type: SubmittedSweepDto })
  @ApiBadRequestResponse({
    description: 'Invalid specification; `issues` name the fields.',
    type: ValidationErrorDto,
  })
  @ApiConflictResponse({ description: 'The model has no trained artifact yet.' })
  async submit(
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SubmittedSweepDto> {
    const submitted = await this.sweeps.submit(body);
    response.setHeader('Location', `/sweeps/${submitted.sweepId}`);
    return submitted;
  }

  @Get()
  @ApiOperation({ summary: 'Sweeps, newest first, with their progress.' })
  @ApiOkResponse({ type: SweepPageDto })
  async list(
    @Query('limit', new IntegerQueryPipe('limit', 1, 500, 50)) limit: number,
    @Query('offset', new IntegerQueryPipe('offset', 0, Number.MAX_SAFE_INTEGER, 0)) offset: number,
  ): Promise<SweepPageDto> {
    const { total, items } = await this.store.listSweeps(limit, offset);
    return { total, limit, offset, items };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status, counts by state, progress, timing and ETA of a sweep.' })
  @ApiOkResponse({ type: SweepDetailDto })
  async get(@Param('id', uuidParam()) id: string): Promise<SweepDetailDto> {
    const [progress, spec] = await Promise.all([this.sweeps.progress(id), this.sweeps.spec(id)]);
    return { ...progress, spec: spec as unknown as Record<string, unknown> };
  }

  @Sse(':id/events')
  @ApiOperation({
    summary:
      'Server-sent events: `progress` when counts change, then `end` when the sweep settles.',
  })
  @ApiProduces('text/event-stream')
  async events(@Param('id', uuidParam()) id: string): Promise<Observable<MessageEvent>> {
    await this.sweeps.progress(id);
    return sweepEvents(this.store, id, this.config.eventsIntervalMs);
  }

  @Post(':id/cancel')
  @UseGuards(ThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel: queued runs are removed; running runs finish.' })
  @ApiOkResponse({ type: CancelledSweepDto })
  async cancel(@Param('id', uuidParam()) id: string) {
    return this.sweeps.cancel(id);
  }

  @Post(':id/retry-failed')
  @UseGuards(ThrottlerGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Requeue the failed runs of a sweep (only those).' })
  @ApiAcceptedResponse({ type: RetriedSweepDto })
  async retryFailed(@Param('id', uuidParam()) id: string) {
    return this.sweeps.retryFailed(id);
  }

  @Get(':id/results')
  @ApiOperation({
    summary: 'Runs of the sweep that have results, with their metrics.',
    description: FILTER_HELP,
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'offset', required: false })
  @ApiQuery({ name: 'sort', required: false })
  @ApiOkResponse({ type: RunPageDto })
  @ApiProduces('application/json', 'text/csv')
  @ApiBadRequestResponse({ description: 'Invalid filter, sort or page', type: ValidationErrorDto })
  async results(
    @Param('id', uuidParam()) id: string,
    @Query() query: Record<string, string | string[]>,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.sweeps.progress(id);
    const parsed = parseRunQuery(query);
    const scope = { sweepId: id, withResultsOnly: true };
    if (parsed.format === 'csv')
      return this.runs.writeCsv(scope, parsed, response, `sweep-${id}-results.csv`);
    return this.runs.page(scope, parsed);
  }

  @Get(':id/summary')
  @ApiOperation({
    summary:
      'Mean, standard deviation and count of each metric per grid point, over seeds and repeats.',
  })
  @ApiQuery({
    name: 'metrics',
    required: false,
    description: `Comma-separated; default ${SUMMARY_METRICS.join(',')}`,
  })
  async summary(
    @Param('id', uuidParam()) id: string,
    @Query('metrics', new SingleQueryPipe('metrics')) metricsText?: string,
  ) {
    const progress = await this.sweeps.progress(id);
    const metrics = metricsText ? parseMetrics(metricsText) : SUMMARY_METRICS;
    const groupBy = progress.gridAxes.filter((axis) => axis !== 'seed') as ParameterName[];
    const summary = await this.resultQuery.summary(id, groupBy, metrics);
    return { sweepId: id, status: progress.status, ...summary };
  }
}

function parseMetrics(text: string): MetricName[] {
  const names = text.split(',').filter(Boolean);
  const unknown = names.filter((name) => !(METRIC_NAMES as string[]).includes(name));
  if (unknown.length > 0) {
    throw new BadRequestException({
      message: 'invalid query',
      issues: unknown.map((name) => ({
        field: `metrics.${name}`,
        message: `not a metric; metrics: ${METRIC_NAMES.join(', ')}`,
      })),
    });
  }
  return names as MetricName[];
}
