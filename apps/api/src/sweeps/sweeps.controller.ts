import {
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
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { ResultQuery, SweepStore, summaryMetrics } from '@engram/persistence';
import type { ParameterName } from '@engram/contracts';
import type { ApiConfig } from '../config/api-config';
import {
  SubmittedSweepDto,
  SweepDetailDto,
  SweepPageDto,
  RunPageDto,
  ErrorDto,
  CancelledSweepDto,
  RetriedSweepDto,
  SweepSummaryDto,
  SweepProgressDto,
} from '../http/dto';
import {
  ApiKeyRequired,
  BAD_RUN_QUERY,
  ApiRunQuery,
  ApiSweepIdResponses,
  ApiWriteRateLimited,
} from '../openapi/api-responses';
import { registrySchemaRef } from '../openapi/registry-schemas';
import { IntegerQueryPipe, SingleQueryPipe, uuidParam } from '../http/param-pipes';
import { parseRunQuery, refusingBadFields } from '../runs/run-query-params';
import { RunsService } from '../runs/runs.service';
import { API_CONFIG } from '../tokens';
import { sweepEvents } from './sweep-events';
import { SweepsService } from './sweeps.service';

const FILTER_HELP =
  'Filter by any run field, sweep axis or metric: `readNoise=0.05`, `status=failed,cancelled`, ' +
  '`dynamicAccuracy[gte]=0.9` (operators eq, ne, gt, gte, lt, lte, in). Sort with `sort=-dynamicAccuracy,readNoise`.';

@ApiTags('sweeps')
@ApiKeyRequired()
@ApiExtraModels(RunPageDto, SweepProgressDto)
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
  // The SweepSpec component is written with this deployment's MAX_RUNS_PER_SWEEP.
  @ApiBody({ schema: registrySchemaRef('SweepSpec', 'The sweep specification.') })
  @ApiAcceptedResponse({
    description: 'Stored; its runs are enqueued (or served from cached results).',
    type: SubmittedSweepDto,
    headers: {
      Location: { description: 'The new sweep: `/sweeps/{id}`.', schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({
    description: 'Invalid specification; `issues` name the fields.',
    type: ErrorDto,
  })
  @ApiConflictResponse({
    description:
      'The model has no trained artifact yet, or its dataset is missing on this deployment (the message says what to do).',
    type: ErrorDto,
  })
  @ApiWriteRateLimited()
  @ApiServiceUnavailableResponse({
    description: 'Stored but not enqueued (Redis unreachable): its runs failed; retry them later.',
    type: ErrorDto,
  })
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
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  })
  @ApiQuery({
    name: 'offset',
    required: false,
    schema: { type: 'integer', minimum: 0, default: 0 },
  })
  @ApiOkResponse({ description: 'A page of sweeps.', type: SweepPageDto })
  @ApiBadRequestResponse({ description: '`limit` or `offset` is not an integer.', type: ErrorDto })
  async list(
    @Query('limit', new IntegerQueryPipe('limit', 1, 500, 50)) limit: number,
    @Query('offset', new IntegerQueryPipe('offset', 0, Number.MAX_SAFE_INTEGER, 0)) offset: number,
  ): Promise<SweepPageDto> {
    const { total, items } = await this.store.listSweeps(limit, offset);
    return { total, limit, offset, items };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status, counts by state, progress, timing and ETA of a sweep.' })
  @ApiOkResponse({ description: 'The sweep and its specification.', type: SweepDetailDto })
  @ApiSweepIdResponses()
  async get(@Param('id', uuidParam()) id: string): Promise<SweepDetailDto> {
    const [progress, spec] = await Promise.all([this.sweeps.progress(id), this.sweeps.spec(id)]);
    return { ...progress, spec: spec as unknown as Record<string, unknown> };
  }

  @Sse(':id/events')
  @ApiOperation({
    summary:
      'Server-sent events: `progress` when counts change, then `end` when the sweep settles.',
  })
  @ApiOkResponse({
    description:
      'A `text/event-stream`: `event: progress` then `event: end`, each with `data:` a ' +
      'SweepProgress as JSON.',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example: 'event: progress\ndata: {"id":"...","status":"running","progress":0.5,...}\n\n',
      },
    },
  })
  @ApiSweepIdResponses()
  async events(@Param('id', uuidParam()) id: string): Promise<Observable<MessageEvent>> {
    await this.sweeps.progress(id);
    return sweepEvents(this.store, id, this.config.eventsIntervalMs);
  }

  @Post(':id/cancel')
  @UseGuards(ThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel: queued runs are removed; running runs finish.' })
  @ApiOkResponse({ description: 'Cancelled, with the progress after it.', type: CancelledSweepDto })
  @ApiSweepIdResponses()
  @ApiWriteRateLimited()
  async cancel(@Param('id', uuidParam()) id: string) {
    return this.sweeps.cancel(id);
  }

  @Post(':id/retry-failed')
  @UseGuards(ThrottlerGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Requeue the failed runs of a sweep (only those).' })
  @ApiAcceptedResponse({
    description: 'The failed runs are queued again.',
    type: RetriedSweepDto,
  })
  @ApiSweepIdResponses()
  @ApiWriteRateLimited()
  async retryFailed(@Param('id', uuidParam()) id: string) {
    return this.sweeps.retryFailed(id);
  }

  @Get(':id/results')
  @ApiOperation({
    summary: 'Runs of the sweep that have results, with their metrics.',
    description: FILTER_HELP,
  })
  @ApiRunQuery()
  @ApiOkResponse({
    description: 'A page of runs, or with `format=csv` all of them as CSV (one row per run).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(RunPageDto) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiSweepIdResponses(BAD_RUN_QUERY)
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
    description: `Comma-separated; default ${summaryMetrics(undefined).join(',')}`,
    schema: { type: 'string' },
  })
  @ApiOkResponse({ description: 'One group per grid point.', type: SweepSummaryDto })
  @ApiSweepIdResponses('`metrics` names an unknown metric.')
  async summary(
    @Param('id', uuidParam()) id: string,
    @Query('metrics', new SingleQueryPipe('metrics')) metricsText?: string,
  ) {
    const progress = await this.sweeps.progress(id);
    const metrics = refusingBadFields(() => summaryMetrics(metricsText));
    const groupBy = progress.gridAxes.filter((axis) => axis !== 'seed') as ParameterName[];
    const summary = await this.resultQuery.summary(id, groupBy, metrics);
    return { sweepId: id, status: progress.status, ...summary };
  }
}
