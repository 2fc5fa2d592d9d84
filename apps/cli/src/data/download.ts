import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface DownloadProgress {
  /** Bytes on disk (including what earlier attempts or runs downloaded). */
  bytes: number;
  /** The whole file's size, when the server says it. */
  totalBytes?: number;
  /** Bytes this run already had on disk when it started (for the rate and the ETA). */
  resumedFromBytes: number;
}

export interface DownloadOptions {
  url: string;
  /** The complete file; the download goes to `<file>.part` (kept on failure, resumed next time). */
  file: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Called once the size is known, before any byte is written (e.g. to check the free space). */
  onSize?: (remainingBytes: number, totalBytes: number) => void;
  /** Reconnections after a dropped connection (each continues where the last one stopped). */
  retries?: number;
  retryDelayMs?: number;
  /** A connection that sends nothing for this long is dropped and retried. */
  idleTimeoutMs?: number;
}

/** The server could not be reached, or kept dropping the connection. */
export class NetworkError extends Error {
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(`cannot download ${url}: ${detail}`);
    this.name = 'NetworkError';
  }
}

/** The server answered with an error status (404, 500...): retrying will not help. */
export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`cannot download ${url}: the server answered HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

/** What the last response said about the file, kept beside the partial file to resume it safely. */
interface PartState {
  url: string;
  etag?: string;
  lastModified?: string;
}

/**
 * Downloads `url` to `file`, resumably: the bytes go to `<file>.part`, and a later attempt (after a
 * dropped connection, or in a new process after an interruption) asks the server for the rest with
 * an HTTP Range request (`If-Range` with the ETag / Last-Modified seen first, so a file that changed
 * on the server is downloaded again from the start). The complete file is renamed into place.
 * Disk errors (ENOSPC...) are thrown as they are; network failures as NetworkError.
 */
export async function downloadResumable(options: DownloadOptions): Promise<void> {
  const part = `${options.file}.part`;
  const stateFile = `${part}.json`;
  const retries = options.retries ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 2000;
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await delay(retryDelayMs * Math.min(attempt, 5));
    try {
      await downloadAttempt(options, part, stateFile);
      fs.renameSync(part, options.file);
      fs.rmSync(stateFile, { force: true });
      return;
    } catch (error) {
      if (!isNetworkFailure(error)) throw error;
      lastError = error;
      // an unknown host stays unknown (a transient DNS failure is EAI_AGAIN, retried)
      if (errorCode(error) === 'ENOTFOUND') {
        throw new NetworkError(options.url, describeNetworkFailure(error, attempt));
      }
    }
  }
  throw new NetworkError(options.url, describeNetworkFailure(lastError, retries));
}

async function downloadAttempt(
  options: DownloadOptions,
  part: string,
  stateFile: string,
): Promise<void> {
  const state = readState(stateFile);
  let offset = fileSize(part);
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (offset > 0) {
    headers['range'] = `bytes=${offset}-`;
    const validator = state?.url === options.url ? (state.etag ?? state.lastModified) : undefined;
    if (validator) headers['if-range'] = validator;
  }
  const controller = new AbortController();
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  let idleTimer = setTimeout(() => controller.abort(new IdleTimeout()), idleTimeoutMs);
  const touch = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => controller.abort(new IdleTimeout()), idleTimeoutMs);
  };
  try {
    const response = await fetch(options.url, { headers, signal: controller.signal });
    touch();
    if (response.status === 416 && offset > 0) {
      // the part is as long as (or longer than) the file: start again rather than guess
      await response.body?.cancel();
      fs.rmSync(part, { force: true });
      throw new RetryNow('range not satisfiable');
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new HttpStatusError(options.url, response.status);
    }
    let totalBytes: number | undefined;
    if (response.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(
        response.headers.get('content-range') ?? '',
      );
      if (!range || Number(range[1]) !== offset) {
        await response.body?.cancel();
        fs.rmSync(part, { force: true });
        throw new RetryNow(`unexpected Content-Range '${response.headers.get('content-range')}'`);
      }
      totalBytes = range[3] === '*' ? undefined : Number(range[3]);
    } else {
      offset = 0; // the server ignored the range (or the file changed): start over
      const length = response.headers.get('content-length');
      totalBytes = length === null ? undefined : Number(length);
    }
    writeState(stateFile, {
      url: options.url,
      etag: response.headers.get('etag') ?? undefined,
      lastModified: response.headers.get('last-modified') ?? undefined,
    });
    if (totalBytes !== undefined) options.onSize?.(totalBytes - offset, totalBytes);
    if (!response.body) throw new NetworkError(options.url, 'the response has no body');

    const resumedFromBytes = offset;
    let bytes = offset;
    options.onProgress?.({ bytes, totalBytes, resumedFromBytes });
    // each chunk is on disk before the next is read: whatever arrived before a drop is kept
    const handle = await fs.promises.open(part, offset > 0 ? 'a' : 'w');
    try {
      for await (const chunk of Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)) {
        touch();
        await handle.write(chunk);
        bytes += chunk.length;
        options.onProgress?.({ bytes, totalBytes, resumedFromBytes });
      }
    } finally {
      await handle.close();
    }
    if (totalBytes !== undefined && bytes !== totalBytes) {
      throw new TruncatedBody(bytes, totalBytes);
    }
  } catch (error) {
    throw controller.signal.aborted && controller.signal.reason instanceof IdleTimeout
      ? controller.signal.reason
      : error;
  } finally {
    clearTimeout(idleTimer);
  }
}

class IdleTimeout extends Error {
  constructor() {
    super('no data received for too long');
  }
}

class RetryNow extends Error {}

class TruncatedBody extends Error {
  constructor(bytes: number, totalBytes: number) {
    super(`the connection closed after ${bytes} of ${totalBytes} bytes`);
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** A failure worth a reconnection: refused, reset, unknown host, timeout, body cut short. */
function isNetworkFailure(error: unknown): boolean {
  if (error instanceof IdleTimeout || error instanceof RetryNow || error instanceof TruncatedBody) {
    return true;
  }
  if (error instanceof HttpStatusError) return false;
  const code = errorCode(error);
  if (code && NETWORK_CODES.has(code)) return true;
  // undici: `TypeError: fetch failed` (connect) or `TypeError: terminated` (body cut off)
  return error instanceof TypeError && /fetch failed|terminated/.test(error.message);
}

function describeNetworkFailure(error: unknown, retries: number): string {
  const code = errorCode(error);
  const what = code ?? (error as Error)?.message ?? String(error);
  const hint =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? 'the host name does not resolve: no network, or a wrong URL'
      : code === 'ECONNREFUSED'
        ? 'the server refused the connection'
        : 'the connection failed';
  return `${hint} (${what}) after ${retries + 1} attempt(s); what was downloaded is kept and the next run continues from it`;
}

function errorCode(error: unknown): string | undefined {
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    depth++
  ) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function readState(file: string): PartState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PartState;
  } catch {
    return undefined;
  }
}

function writeState(file: string, state: PartState): void {
  fs.writeFileSync(file, `${JSON.stringify(state)}\n`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
