import { EngramApiError, type ApiIssue } from '@engram/api-client';
import type { ApiUrl } from './api-target';

/** Exit codes a script can rely on (documented in apps/cli/README.md). */
export const ExitCode = {
  Ok: 0,
  /** The operation failed (a sweep finished with failed runs under --watch, a stack that failed to start...). */
  Failure: 1,
  /** Usage or validation error: bad flags, bad spec (the field is named), unknown sweep id. */
  Usage: 2,
  /** The API or the infrastructure (database, Redis) could not be reached. */
  Unreachable: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What the API said, kept for `--json` errors. */
export interface ApiErrorDetails {
  status: number;
  issues: ApiIssue[];
}

/** An error the CLI prints as is (message + what to do) and exits with its code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Failure,
    readonly hint?: string,
    readonly api?: ApiErrorDetails,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Turns an API client failure into a CliError that says what went wrong and what to do. */
export function apiFailure(error: unknown, api: ApiUrl, what: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof EngramApiError) {
    const details = { status: error.status, issues: error.issues };
    const at = `the API at ${api.url} (${api.origin})`;
    if (error.status === 404)
      return new CliError(
        `${what}: not found on ${at} (${error.message})`,
        ExitCode.Usage,
        'list the sweeps of this API with `engram sweep list`; ids are also printed by `engram sweep submit`',
        details,
      );
    if (error.status === 400 || error.status === 422)
      return new CliError(
        `${what}: rejected by the API: ${error.message}`,
        ExitCode.Usage,
        undefined,
        details,
      );
    if (error.status === 409)
      return new CliError(
        `${what}: refused by the API: ${error.message}`,
        ExitCode.Failure,
        undefined,
        details,
      );
    if (error.status === 401 || error.status === 403)
      return new CliError(
        `${what}: ${at} refused the key (${error.status})`,
        ExitCode.Usage,
        'pass --api-key or set ENGRAM_API_KEY to the API_KEY of the server',
        details,
      );
    if (error.status === 503)
      return new CliError(
        `${what}: the API is up but its database or Redis is not (${error.message})`,
        ExitCode.Unreachable,
        undefined,
        details,
      );
    return new CliError(`${what}: ${error.message}`, ExitCode.Failure, undefined, details);
  }
  const err = error as Error & { cause?: { code?: string } };
  const code = err?.cause?.code;
  if (
    err?.name === 'TimeoutError' ||
    (err instanceof TypeError && /fetch failed/.test(err.message)) ||
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ECONNRESET'
  ) {
    return new CliError(
      `${what}: cannot reach the Engram API at ${api.url}${code ? ` (${code})` : ''}; the URL is ${api.origin}`,
      ExitCode.Unreachable,
      'start one with `npm start` (or `engram up`), or point --api-url / ENGRAM_API_URL at a running API',
    );
  }
  return new CliError(`${what}: ${err?.message ?? String(error)}`, ExitCode.Failure);
}

export function formatCliError(error: CliError): string {
  return `engram: ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}\n`;
}

/**
 * The one shape of every error under `--json`, printed on stdout (where a script reads), with a
 * non-zero exit code: `{"error": {"message", "exitCode", "hint"?, "status"?, "issues"?}}`.
 */
export function cliErrorJson(error: CliError): string {
  const body = {
    error: {
      message: error.message,
      exitCode: error.exitCode,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.api ? { status: error.api.status, issues: error.api.issues } : {}),
    },
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
