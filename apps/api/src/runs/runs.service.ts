import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { METRIC_NAMES, ResultQuery, RunQuery, RunRecord } from '@engram/persistence';
import { PARAMETER_NAMES } from '@engram/contracts';
import { csvLine } from '../http/csv';
import { CSV_PAGE_SIZE, DEFAULT_PAGE_SIZE, MAX_CSV_ROWS, ParsedRunQuery } from './run-query-params';

const CSV_HEAD = [
  'runId',
  'sweepId',
  'runIndex',
  'repeat',
  'status',
  'configHash',
  'model',
  'artifactVersion',
  'split',
  'sampleCount',
];
const CSV_TAIL = [
  'exitHistogram',
  'exitAccuracy',
  'energyBreakdownPj',
  'energyBaseline',
  'digitalEnergyBreakdownPj',
  'attempts',
  'workerId',
  'error',
  'startedAt',
  'finishedAt',
];
export const CSV_COLUMNS = [...CSV_HEAD, ...PARAMETER_NAMES, ...METRIC_NAMES, ...CSV_TAIL];

function csvRow(run: RunRecord): unknown[] {
  return [
    run.runId,
    run.sweepId,
    run.runIndex,
    run.repeat,
    run.status,
    run.configHash,
    run.model,
    run.artifactVersion,
    run.split,
    run.sampleCount,
    ...PARAMETER_NAMES.map((name) => run.parameters[name]),
    ...METRIC_NAMES.map((name) => run.metrics?.[name] ?? null),
    run.exitHistogram,
    run.exitAccuracy,
    run.energyBreakdownPj,
    run.energyBaseline,
    run.digitalEnergyBreakdownPj,
    run.attempts,
    run.workerId,
    run.error,
    run.startedAt,
    run.finishedAt,
  ];
}

/** Run listings as JSON pages or as a CSV download written page by page. */
@Injectable()
export class RunsService {
  constructor(private readonly results: ResultQuery) {}

  async page(scope: Pick<RunQuery, 'sweepId' | 'withResultsOnly'>, parsed: ParsedRunQuery) {
    const limit = parsed.limit ?? DEFAULT_PAGE_SIZE;
    const { total, items } = await this.results.runs({ ...scope, ...parsed, limit });
    return { total, limit, offset: parsed.offset, items };
  }

  async writeCsv(
    scope: Pick<RunQuery, 'sweepId' | 'withResultsOnly'>,
    parsed: ParsedRunQuery,
    response: Response,
    fileName: string,
  ) {
    const maxRows = parsed.limit ?? MAX_CSV_ROWS;
    // Validates the query (unknown fields -> 400) before any byte of the body is sent.
    let page = await this.results.runs({
      ...scope,
      ...parsed,
      limit: Math.min(CSV_PAGE_SIZE, maxRows),
    });
    response.status(200);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    response.write(csvLine(CSV_COLUMNS));
    let written = 0;
    for (;;) {
      for (const run of page.items) response.write(csvLine(csvRow(run)));
      written += page.items.length;
      if (page.items.length < CSV_PAGE_SIZE || written >= maxRows) break;
      page = await this.results.runs({
        ...scope,
        ...parsed,
        offset: parsed.offset + written,
        limit: Math.min(CSV_PAGE_SIZE, maxRows - written),
      });
    }
    response.end();
  }
}
