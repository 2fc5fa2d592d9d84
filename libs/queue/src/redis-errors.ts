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

/** ioredis' wording for a client that is not connected or gave up on a command. */
const CLIENT_MESSAGES = [
  "Stream isn't writeable",
  'Connection is closed',
  'Reached the max retries per request limit',
  'LOADING',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'Failed to refresh slots cache',
  'None of startup nodes is available',
];

/**
 * True when the error says Redis could not be reached (down, restarting, loading, cluster
 * failover), not that a command was wrong: the API answers 503, the worker waits.
 */
export function isRedisUnavailableError(error: unknown): boolean {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e['code'] === 'string' && NETWORK_CODES.has(e['code'])) return true;
    const message = typeof e['message'] === 'string' ? e['message'] : '';
    if (CLIENT_MESSAGES.some((text) => message.includes(text))) return true;
    e = (e['lastNodeError'] ?? e['cause']) as Record<string, unknown> | undefined;
  }
  return false;
}
