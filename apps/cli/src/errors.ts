import { EngramApiError } from '@engram/api-client';

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

/** An error the CLI prints as is (message + what to do) and exits with its code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Failure,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Turns an API client failure into a CliError that says what went wrong and what to do. */
export function apiFailure(error: unknown, apiUrl: string, what: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof EngramApiError) {
    if (error.status === 404)
      return new CliError(
        `${what}: not found (${error.message})`,
        ExitCode.Usage,
        'check the id with `engram sweep status <id>`; ids are printed by `engram sweep submit`',
      );
    if (error.status === 400 || error.status === 422)
      return new CliError(`${what}: rejected by the API: ${error.message}`, ExitCode.Usage);
    if (error.status === 401 || error.status === 403)
      return new CliError(
        `${what}: the API refused the key (${error.status})`,
        ExitCode.Usage,
        'pass --api-key or set ENGRAM_API_KEY to the API_KEY of the server',
      );
    if (error.status === 503)
      return new CliError(
        `${what}: the API is up but its database or Redis is not (${error.message})`,
        ExitCode.Unreachable,
      );
    return new CliError(`${what}: ${error.message}`, ExitCode.Failure);
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
      `${what}: cannot reach the Engram API at ${apiUrl}${code ? ` (${code})` : ''}`,
      ExitCode.Unreachable,
      'start one with `npm start` (or `engram up`), or point --api-url / ENGRAM_API_URL at a running API',
    );
  }
  return new CliError(`${what}: ${err?.message ?? String(error)}`, ExitCode.Failure);
}

export function formatCliError(error: CliError): string {
  return `engram: ${error.message}${error.hint ? `\n  → ${error.hint}` : ''}\n`;
}
