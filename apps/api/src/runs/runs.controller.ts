import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RunPageDto } from '../http/dto';
import { parseRunQuery } from './run-query-params';
import { RunsService } from './runs.service';

@ApiTags('runs')
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
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @ApiQuery({ name: 'sweepId', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'offset', required: false })
  @ApiQuery({ name: 'sort', required: false })
  @ApiOkResponse({ type: RunPageDto })
  @ApiProduces('application/json', 'text/csv')
  async list(
    @Query() query: Record<string, string | string[]>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const parsed = parseRunQuery(query);
    if (parsed.format === 'csv') return this.runs.writeCsv({}, parsed, response, 'runs.csv');
    return this.runs.page({}, parsed);
  }
}
