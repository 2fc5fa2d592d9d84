import createClient from 'openapi-fetch';
import type { paths } from './generated/openapi';
import type {
  ApiIssue,
  CancelledSweep,
  Health,
  Model,
  RetriedSweep,
  RunPage,
  RunQuery,
  SubmittedSweep,
  SweepDetail,
  SweepPage,
  SweepProgress,
  SweepSpec,
  SweepSummary,
} from './types';

/** A non-2xx answer, with the API's field-level issues when it sent them. */
export class EngramApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(
      `${status}: ${message}${issues.length ? ` (${issues.map((i) => `${i.field}: ${i.message}`).join('; ')})` : ''}`,
    );
    this.name = 'EngramApiError';
  }
}

export interface EngramClientOptions {
  baseUrl: string;
  apiKey?: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

/**
 * The run query as the API reads it: one query parameter per filter (`readNoise=0.05`,
 * `dynamicAccuracy[gte]=0.9`), lists joined by commas (`status=failed,cancelled`).
 */
function runQueryString(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.append(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params.toString();
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a 2xx answer, or an EngramApiError with the answer's message and issues. */
function dataOf<T>({ data, error, response }: Answer<T>): T {
  if (response.ok) return data as T;
  let message = response.statusText;
  let issues: ApiIssue[] = [];
  if (typeof error === 'string') {
    message = error || message;
  } else if (error && typeof error === 'object') {
    const body = error as { message?: unknown; issues?: unknown };
    if (typeof body.message === 'string') message = body.message;
    else if (Array.isArray(body.message)) message = body.message.join('; ');
    if (Array.isArray(body.issues)) issues = body.issues as typeof issues;
  }
  throw new EngramApiError(response.status, message, issues);
}

/**
 * Client of the Engram HTTP API: openapi-fetch over the types generated from the committed
 * OpenAPI document (apps/api/openapi.json), so a route's path, parameters and answer are those
 * the API documents.
 */
export class EngramClient {
  private readonly api;

  constructor(private readonly options: EngramClientOptions) {
    this.api = createClient<paths, 'application/json'>({
      baseUrl: options.baseUrl.replace(/\/$/, ''),
      headers: options.apiKey ? { 'x-api-key': options.apiKey } : {},
      querySerializer: runQueryString,
    });
  }

  private get signal(): AbortSignal {
    return AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
  }

  /** Any object is sent: the API validates it, and a 400 names the fields at fault. */
  async submitSweep(spec: SweepSpec | object): Promise<SubmittedSweep> {
    return dataOf(await this.api.POST('/sweeps', { body: spec as SweepSpec, signal: this.signal }));
  }

  async listSweeps(limit = 50, offset = 0): Promise<SweepPage> {
    return dataOf(
      await this.api.GET('/sweeps', { params: { query: { limit, offset } }, signal: this.signal }),
    );
  }

  async getSweep(id: string): Promise<SweepDetail> {
    return dataOf(
      await this.api.GET('/sweeps/{id}', { params: { path: { id } }, signal: this.signal }),
    );
  }

  async cancelSweep(id: string): Promise<CancelledSweep> {
    return dataOf(
      await this.api.POST('/sweeps/{id}/cancel', { params: { path: { id } }, signal: this.signal }),
    );
  }

  async retryFailed(id: string): Promise<RetriedSweep> {
    return dataOf(
      await this.api.POST('/sweeps/{id}/retry-failed', {
        params: { path: { id } },
        signal: this.signal,
      }),
    );
  }

  async results(id: string, query: RunQuery = {}): Promise<RunPage> {
    return dataOf(
      await this.api.GET('/sweeps/{id}/results', {
        // The run query's filters are query parameters of their own (the document's exploded
        // `filters` object), so the query is not the generated type: runQueryString writes it.
        params: { path: { id }, query: query as never },
        signal: this.signal,
      }),
    );
  }

  async resultsCsv(id: string, query: RunQuery = {}): Promise<string> {
    return dataOf(
      await this.api.GET('/sweeps/{id}/results', {
        params: { path: { id }, query: { ...query, format: 'csv' } as never },
        parseAs: 'text',
        signal: this.signal,
      }),
    );
  }

  async summary(id: string, metrics?: string[]): Promise<SweepSummary> {
    return dataOf(
      await this.api.GET('/sweeps/{id}/summary', {
        params: { path: { id }, query: metrics ? { metrics: metrics.join(',') } : {} },
        signal: this.signal,
      }),
    );
  }

  async runs(query: RunQuery = {}): Promise<RunPage> {
    return dataOf(
      await this.api.GET('/runs', { params: { query: query as never }, signal: this.signal }),
    );
  }

  /** Every run matching the query (any state, errors included) as CSV. */
  async runsCsv(query: RunQuery = {}): Promise<string> {
    return dataOf(
      await this.api.GET('/runs', {
        params: { query: { ...query, format: 'csv' } as never },
        parseAs: 'text',
        signal: this.signal,
      }),
    );
  }

  async schema(): Promise<Record<string, unknown>> {
    return dataOf(await this.api.GET('/sweep-spec/schema', { signal: this.signal }));
  }

  async models(): Promise<Model[]> {
    return dataOf(await this.api.GET('/models', { signal: this.signal }));
  }

  /** The checks, also when the API answers 503 (a check is down). */
  async health(): Promise<Health> {
    const { data, error, response } = await this.api.GET('/health', { signal: this.signal });
    if (response.status === 503) return error as Health;
    return dataOf({ data, error, response });
  }

  /** Polls the sweep until it settles (completed, completed_with_failures or cancelled). */
  async waitForSweep(
    id: string,
    options: {
      intervalMs?: number;
      timeoutMs?: number;
      onProgress?: (p: SweepProgress) => void;
    } = {},
  ): Promise<SweepDetail> {
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    for (;;) {
      const sweep = await this.getSweep(id);
      options.onProgress?.(sweep);
      if (
        sweep.status === 'completed' ||
        sweep.status === 'completed_with_failures' ||
        sweep.status === 'cancelled'
      )
        return sweep;
      if (Date.now() > deadline)
        throw new Error(`sweep ${id} still ${sweep.status} after ${options.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    }
  }
}
