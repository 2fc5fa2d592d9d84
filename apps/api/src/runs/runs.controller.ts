import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { RunPageDto } from '../http/dto';
import { ApiKeyRequired, ApiRunQuery } from '../openapi/api-responses';
import { parseRunQuery } from './run-query-params';
import { RunsService } from './runs.service';

@ApiTags('runs')
@ApiKeyRequired()
@ApiExtraModels(RunPageDto)
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Get()
  @ApiOperation({
    summary: 'Runs of every sweep, with metrics where computed.',
    description:
      'Filter by any run field (sweepId, status, ...), sweep axis or metric: `readNoise=0.05`, ' +
      '`status=failed,cancelled`, `dynamicAccuracy[gte]=0.9` (eq, ne, gt, gte, lt, lte, in). ' +
      'Sort with `sort=-dynamicAccuracy,readNoise`; page with limit (<= 1000) and offset; `format=csv` exports.',
  })
  @ApiRunQuery({ sweepIdFilter: true })
  @ApiOkResponse({
    description: 'A page of runs, or with `format=csv` all of them as CSV (one row per run).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(RunPageDto) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async list(
    @Query() query: Record<string, string | string[]>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const parsed = parseRunQuery(query);
    if (parsed.format === 'csv') return this.runs.writeCsv({}, parsed, response, 'runs.csv');
    return this.runs.page({}, parsed);
  }
}
