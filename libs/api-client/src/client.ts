import type {
  Health,
  Page,
  RunQuery,
  RunRecord,
  SubmittedSweep,
  SweepDetail,
  SweepProgress,
  SweepSummary,
} from './types';

/** A non-2xx answer, with the API's field-level issues when it sent them. */
export class EngramApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: { field: string; message: string }[] = [],
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

function queryString(query: RunQuery | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    params.append(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Typed client of the Engram HTTP API (Node 20's fetch; no dependencies). */
export class EngramClient {
  private readonly baseUrl: string;

  constructor(private readonly options: EngramClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
    if (!response.ok) {
      const text = await response.text();
      let message = text;
      let issues: { field: string; message: string }[] = [];
      try {
        const parsed = JSON.parse(text) as { message?: string; issues?: typeof issues };
        message = parsed.message ?? text;
        issues = parsed.issues ?? [];
      } catch {
        // Not JSON: keep the text.
      }
      throw new EngramApiError(response.status, message, issues);
    }
    return response;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  submitSweep(spec: unknown): Promise<SubmittedSweep> {
    return this.json('POST', '/sweeps', spec);
  }

  listSweeps(limit = 50, offset = 0): Promise<Page<SweepProgress>> {
    return this.json('GET', `/sweeps?limit=${limit}&offset=${offset}`);
  }

  getSweep(id: string): Promise<SweepDetail> {
    return this.json('GET', `/sweeps/${id}`);
  }

  cancelSweep(
    id: string,
  ): Promise<{ cancelledRuns: number; removedJobs: number; sweep: SweepProgress }> {
    return this.json('POST', `/sweeps/${id}/cancel`);
  }

  retryFailed(id: string): Promise<{ requeuedRuns: number; sweep: SweepProgress }> {
    return this.json('POST', `/sweeps/${id}/retry-failed`);
  }

  results(id: string, query?: RunQuery): Promise<Page<RunRecord>> {
    return this.json('GET', `/sweeps/${id}/results${queryString(query)}`);
  }

  async resultsCsv(id: string, query?: RunQuery): Promise<string> {
    return (
      await this.request('GET', `/sweeps/${id}/results${queryString({ ...query, format: 'csv' })}`)
    ).text();
  }

  summary(id: string, metrics?: string[]): Promise<SweepSummary> {
    return this.json(
      'GET',
      `/sweeps/${id}/summary${metrics ? `?metrics=${metrics.join(',')}` : ''}`,
    );
  }

  runs(query?: RunQuery): Promise<Page<RunRecord>> {
    return this.json('GET', `/runs${queryString(query)}`);
  }

  /** Every run matching the query (any state, errors included) as CSV. */
  async runsCsv(query?: RunQuery): Promise<string> {
    return (await this.request('GET', `/runs${queryString({ ...query, format: 'csv' })}`)).text();
  }

  schema(): Promise<Record<string, unknown>> {
    return this.json('GET', '/sweep-spec/schema');
  }

  async health(): Promise<Health> {
    const response = await fetch(`${this.baseUrl}/health`, {
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
    return (await response.json()) as Health;
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
