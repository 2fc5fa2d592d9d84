/** Socket errors of a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs of a server that is down, starting, stopping or full: class 08 (connection
 * exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many
 * connections).
 */
function unavailableSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code);
}

/** node-postgres' own wording when the socket closes or the pool cannot connect in time. */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'Client was closed and is not queryable',
];

/**
 * True when the error says PostgreSQL could not be reached (down, restarting, connection lost),
 * not that the statement was wrong: such a request is retried later (API: 503; worker: the job
 * is released, not failed). TypeORM's QueryFailedError keeps the driver's error as driverError.
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 4; depth++) {
    const code = typeof e['code'] === 'string' ? e['code'] : undefined;
    if (
      code &&
      (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && unavailableSqlState(code)))
    )
      return true;
    const message = typeof e['message'] === 'string' ? e['message'] : '';
    if (DRIVER_MESSAGES.some((text) => message.includes(text))) return true;
    if (Array.isArray(e['errors'])) {
      // AggregateError of a connect attempt to several addresses (IPv4 and IPv6).
      if ((e['errors'] as unknown[]).some((inner) => isDatabaseUnavailableError(inner)))
        return true;
    }
    e = (e['driverError'] ?? e['cause']) as Record<string, unknown> | undefined;
  }
  return false;
}
