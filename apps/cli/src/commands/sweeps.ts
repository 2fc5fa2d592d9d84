import * as path from 'node:path';
import { MODEL_NAMES, type ModelName } from '@engram/contracts';
import {
  EngramClient,
  RunQuery,
  RunRecord,
  SweepDetail,
  SweepProgress,
  SweepSummary,
  metricOf,
  parameterOf,
} from '@engram/api-client';
import { ModelArtifactNotFoundError, readModelArtifactInfo } from '@engram/sweep-spec';
import { ApiUrl, resolveApiUrl } from '../api-target';
import { CliError, ExitCode, apiFailure } from '../errors';
import { ProgressPrinter, formatDuration, progressLine, renderTable } from '../format';
import { readSpecFile } from './spec-file';

export interface ApiOptions {
  apiUrl?: string;
  apiKey?: string;
  json?: boolean;
}

export function apiTarget(opts: ApiOptions): { api: ApiUrl; client: EngramClient } {
  const api = resolveApiUrl(opts.apiUrl);
  const apiKey = opts.apiKey ?? process.env.ENGRAM_API_KEY;
  return { api, client: new EngramClient({ baseUrl: api.url, apiKey }) };
}

async function call<T>(
  opts: ApiOptions,
  what: string,
  fn: (client: EngramClient) => Promise<T>,
): Promise<T> {
  const { api, client } = apiTarget(opts);
  try {
    return await fn(client);
  } catch (error) {
    throw apiFailure(error, api, what);
  }
}

function out(text: string): void {
  process.stdout.write(text);
}

function printJson(value: unknown): void {
  out(`${JSON.stringify(value, null, 2)}\n`);
}

export function sweepStatusText(s: SweepProgress): string {
  const c = s.counts;
  return (
    [
      `sweep ${s.id}  ${s.name}`,
      `  model ${s.model} (artifact ${s.artifactVersion}), axes ${s.gridAxes.join(', ') || '-'}`,
      `  status ${s.status}: ${s.runCount} runs — ${c.succeeded} succeeded, ${c.cached} cached, ${c.failed} failed, ${c.cancelled} cancelled, ${c.running} running, ${c.queued} queued`,
      `  elapsed ${formatDuration(s.elapsedMs)}, ETA ${formatDuration(s.etaMs)}`,
    ].join('\n') + '\n'
  );
}

/** Exit code of a settled sweep under --watch: 0 when every run succeeded (or was cached). */
export function sweepExitCode(s: SweepProgress): number {
  return s.status === 'completed' ? ExitCode.Ok : ExitCode.Failure;
}

/** Polls the sweep to its end, drawing a progress bar on stderr (none with --json). */
export async function watchSweep(
  opts: ApiOptions,
  id: string,
  intervalMs = 1000,
): Promise<SweepDetail> {
  const printer = new ProgressPrinter();
  try {
    return await call(opts, `watching sweep ${id}`, (client) =>
      client.waitForSweep(id, {
        intervalMs,
        timeoutMs: 7 * 24 * 3_600_000,
        onProgress: (p) => {
          // Off a TTY, a new line per change of counts or per 5 % of progress (a chip pass).
          if (!opts.json)
            printer.update(
              progressLine(p),
              `${p.status} ${JSON.stringify(p.counts)} ${Math.floor(p.progress * 20)}`,
            );
        },
      }),
    );
  } finally {
    printer.done();
  }
}

export async function submitCommand(
  file: string,
  opts: ApiOptions & { watch?: boolean },
): Promise<number> {
  const spec = readSpecFile(file);
  const submitted = await call(opts, `submitting ${file}`, (client) => client.submitSweep(spec));
  if (!opts.watch) {
    if (opts.json) printJson(submitted);
    else
      out(
        `submitted sweep ${submitted.sweepId}: ${submitted.runCount} runs (${submitted.queuedCount} queued, ${submitted.cachedCount} cached)\n` +
          `  follow it: engram sweep status ${submitted.sweepId}\n`,
      );
    return ExitCode.Ok;
  }
  if (!opts.json)
    out(
      `submitted sweep ${submitted.sweepId}: ${submitted.runCount} runs (${submitted.cachedCount} cached)\n`,
    );
  const final = await watchSweep(opts, submitted.sweepId);
  if (opts.json) printJson({ ...submitted, sweep: final });
  else out(sweepStatusText(final));
  return sweepExitCode(final);
}

export async function statusCommand(
  id: string,
  opts: ApiOptions & { watch?: boolean },
): Promise<number> {
  const sweep = opts.watch
    ? await watchSweep(opts, id)
    : await call(opts, `sweep ${id}`, (client) => client.getSweep(id));
  if (opts.json) printJson(sweep);
  else out(sweepStatusText(sweep));
  return opts.watch ? sweepExitCode(sweep) : ExitCode.Ok;
}

export async function cancelCommand(id: string, opts: ApiOptions): Promise<number> {
  const result = await call(opts, `cancelling sweep ${id}`, (client) => client.cancelSweep(id));
  if (opts.json) printJson(result);
  else
    out(
      `cancelled ${result.cancelledRuns} queued runs of sweep ${id} (runs already running finish)\n` +
        sweepStatusText(result.sweep),
    );
  return ExitCode.Ok;
}

export async function retryCommand(
  id: string,
  opts: ApiOptions & { watch?: boolean },
): Promise<number> {
  const result = await call(opts, `retrying sweep ${id}`, (client) => client.retryFailed(id));
  if (opts.json && !opts.watch) printJson(result);
  else if (!opts.json) out(`re-queued ${result.requeuedRuns} failed runs of sweep ${id}\n`);
  if (!opts.watch) return ExitCode.Ok;
  const final = await watchSweep(opts, id);
  if (opts.json) printJson({ ...result, sweep: final });
  else out(sweepStatusText(final));
  return sweepExitCode(final);
}

/** `axis=value` filters of `--where`, repeatable; `metric[gte]=0.9` works as in the API. */
export function parseWhere(values: string[]): RunQuery {
  const query: Record<string, string> = {};
  for (const item of values) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new CliError(
        `--where ${item}: expected axis=value (e.g. --where readNoise=0.05)`,
        ExitCode.Usage,
      );
    query[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return query;
}

const TABLE_METRICS = [
  'dynamicAccuracy',
  'staticAccuracy',
  'computeReduction',
  'energyPerInferencePj',
];

/** Errors are cut to this many characters in the table (whole in JSON and CSV). */
const TABLE_ERROR_CHARS = 100;

function shortError(error: string | null): string | null {
  if (error === null) return null;
  const line = error.replace(/\s+/g, ' ').trim();
  return line.length > TABLE_ERROR_CHARS ? `${line.slice(0, TABLE_ERROR_CHARS - 1)}…` : line;
}

/** Runs as a table: the sweep's axes, status, the main metrics, and the error of failed runs. */
export function resultsTable(runs: RunRecord[], axes: string[]): string {
  const metrics = TABLE_METRICS.filter((m) => runs.some((r) => r.metrics && m in r.metrics));
  const withErrors = runs.some((r) => r.error !== null && r.status === 'failed');
  const headers = ['run', ...axes, 'status', ...metrics, ...(withErrors ? ['error'] : [])];
  const rows = runs.map((r) => [
    r.runIndex,
    ...axes.map((a) => parameterOf(r, a)),
    r.status,
    ...metrics.map((m) => metricOf(r, m)),
    ...(withErrors ? [r.status === 'failed' ? shortError(r.error) : null] : []),
  ]);
  return renderTable(headers, rows);
}

/**
 * Every run of a sweep matching the query, whatever its state (queued, failed with its error,
 * succeeded with its metrics): the API's /runs route scoped to the sweep. /sweeps/:id/results
 * lists only the runs that have results, so `--where status=failed` there is always empty.
 */
export async function fetchAllRuns(
  client: EngramClient,
  id: string,
  query: RunQuery,
): Promise<RunRecord[]> {
  const items: RunRecord[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await client.runs({
      sort: 'runIndex',
      ...query,
      sweepId: id,
      limit: 1000,
      offset,
    });
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) return items;
  }
}

export async function resultsCommand(
  id: string,
  opts: ApiOptions & { format?: string; where?: string[] },
): Promise<number> {
  const format = opts.json ? 'json' : (opts.format ?? 'table');
  if (!['table', 'csv', 'json'].includes(format))
    throw new CliError(`--format ${format}: expected table, csv or json`, ExitCode.Usage);
  const query = parseWhere(opts.where ?? []);
  if ('sweepId' in query)
    throw new CliError('--where sweepId=...: the sweep is the <id> argument', ExitCode.Usage);
  // The sweep first: an unknown id is a 404 naming the sweep, not an empty listing.
  const sweep = await call(opts, `sweep ${id}`, (client) => client.getSweep(id));
  if (format === 'csv') {
    out(
      await call(opts, `runs of sweep ${id}`, (client) =>
        client.runsCsv({ sort: 'runIndex', ...query, sweepId: id }),
      ),
    );
    return ExitCode.Ok;
  }
  const runs = await call(opts, `runs of sweep ${id}`, (client) => fetchAllRuns(client, id, query));
  if (format === 'json') printJson(runs);
  else {
    out(resultsTable(runs, sweep.gridAxes));
    const failed = runs.filter((r) => r.status === 'failed').length;
    if (failed > 0 && !(opts.where ?? []).some((w) => w.startsWith('status=')))
      process.stderr.write(
        `${failed} failed runs; their whole errors: engram results ${id} --where status=failed --json\n`,
      );
  }
  return ExitCode.Ok;
}

/** `engram sweep list`: the sweeps of the API, newest first. */
export async function listCommand(
  opts: ApiOptions & { limit?: number; offset?: number },
): Promise<number> {
  const limit = opts.limit ?? 50;
  const offset = opts.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new CliError(`--limit ${limit}: expected 1 to 500`, ExitCode.Usage);
  if (!Number.isInteger(offset) || offset < 0)
    throw new CliError(`--offset ${offset}: expected 0 or more`, ExitCode.Usage);
  const page = await call(opts, 'listing sweeps', (client) => client.listSweeps(limit, offset));
  if (opts.json) {
    printJson(page);
    return ExitCode.Ok;
  }
  out(
    renderTable(
      ['id', 'name', 'model', 'status', 'runs', 'failed', 'created'],
      page.items.map((s) => [
        s.id,
        s.name,
        s.model,
        s.status,
        s.runCount,
        s.counts.failed,
        s.createdAt.replace('T', ' ').slice(0, 19),
      ]),
    ),
  );
  if (page.total > page.offset + page.items.length)
    out(
      `${page.items.length} of ${page.total} sweeps; the next ones: engram sweep list --offset ${page.offset + page.items.length}\n`,
    );
  return ExitCode.Ok;
}

/** The summary as a table: one row per grid point, `mean ± std` of each metric. */
function summaryTable(summary: SweepSummary): string {
  const cell = (m: { mean: number | null; std: number | null } | undefined) => {
    if (!m || m.mean === null) return null;
    const mean = m.mean.toPrecision(4);
    return m.std === null ? mean : `${mean} ± ${m.std.toPrecision(2)}`;
  };
  return renderTable(
    [...summary.groupBy, 'n', ...summary.metrics],
    summary.groups.map((g) => [
      ...summary.groupBy.map((axis) => g.values[axis] ?? null),
      g.count,
      ...summary.metrics.map((m) => cell(g.metrics[m])),
    ]),
  );
}

/** `engram sweep summary <id>`: mean and std of each metric per grid point (over seeds, repeats). */
export async function summaryCommand(
  id: string,
  opts: ApiOptions & { metrics?: string },
): Promise<number> {
  const metrics = opts.metrics?.split(',').filter(Boolean);
  const summary = await call(opts, `summary of sweep ${id}`, (client) =>
    client.summary(id, metrics),
  );
  if (opts.json) printJson(summary);
  else {
    out(`sweep ${summary.sweepId} (${summary.status}): mean ± std over seeds and repeats\n`);
    out(summaryTable(summary));
  }
  return ExitCode.Ok;
}

export function modelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.ENGRAM_MODELS_DIR || path.join(__dirname, '../../../../models'));
}

export interface ModelListing {
  model: ModelName;
  trained: boolean;
  version?: string;
  createdAt?: string;
  accuracy?: Record<string, number | null>;
  manifest: string;
}

export function listModels(dir = modelsDir()): ModelListing[] {
  return MODEL_NAMES.map((model) => {
    const manifest = path.join(dir, model, 'artifact.json');
    try {
      const info = readModelArtifactInfo(dir, model);
      const accuracy: Record<string, number | null> = {};
      for (const [variant, metrics] of Object.entries(info.metrics)) {
        const value = (metrics as { testAccuracy?: unknown } | null)?.testAccuracy;
        accuracy[variant] = typeof value === 'number' && Number.isFinite(value) ? value : null;
      }
      return {
        model,
        trained: true,
        version: info.version,
        createdAt: info.createdAt,
        accuracy,
        manifest,
      };
    } catch (error) {
      if (error instanceof ModelArtifactNotFoundError) return { model, trained: false, manifest };
      throw error;
    }
  });
}

export function modelsCommand(opts: { json?: boolean }): number {
  const models = listModels();
  if (opts.json) {
    printJson(models);
    return ExitCode.Ok;
  }
  const pct = (v: number | null | undefined) =>
    v === null || v === undefined ? '-' : `${(100 * v).toFixed(2)}%`;
  out(
    renderTable(
      ['model', 'artifact', 'float acc.', 'ternary acc.', 'created'],
      models.map((m) => [
        m.model,
        m.trained ? m.version! : 'not trained',
        pct(m.accuracy?.float),
        pct(m.accuracy?.ternary),
        m.createdAt ?? '',
      ]),
    ),
  );
  for (const m of models.filter((x) => !x.trained)) {
    out(
      `${m.model}: no ${path.relative(process.cwd(), m.manifest)}; train it with \`npm run engram -- train ${m.model}\`\n`,
    );
  }
  return ExitCode.Ok;
}
