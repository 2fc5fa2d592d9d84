/** Connection options for BullMQ from a redis:// or rediss:// URL, validated. */
export interface RedisConnectionOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
}

export function parseRedisUrl(url: string): RedisConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a URL: ${url}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`expected redis:// or rediss://, got ${parsed.protocol}//`);
  }
  const dbText = parsed.pathname.replace(/^\//, '') || '0';
  const db = Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new Error(`database index must be a non-negative integer, got ${dbText}`);
  const options: RedisConnectionOptions = {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

/**
 * The hash tag of a Redis key, by Redis Cluster's rule: the text between the first `{` and the
 * first `}` after it, when that text is not empty. Keys with the same tag hash to the same slot.
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/**
 * Queue prefixes become the first part of every BullMQ key (`<prefix>:<queue>:<suffix>`): keep them
 * to a safe alphabet. In Redis Cluster a queue's Lua scripts touch many keys at once, which must all
 * hash to one slot (BullMQ's requirement), so there the prefix must carry a hash tag: `{engram}`.
 * Braces are allowed on a single node too, so one prefix serves both.
 */
export function checkQueuePrefix(prefix: string, cluster = false): string {
  if (!/^[A-Za-z0-9_{}-]{1,64}$/.test(prefix)) {
    throw new Error(`must be 1-64 letters, digits, '-', '_', '{' or '}', got "${prefix}"`);
  }
  if (cluster && hashTagOf(prefix) === undefined) {
    throw new Error(
      'must contain a hash tag such as {engram} in Redis Cluster mode (REDIS_CLUSTER=true), so ' +
        `that all of a queue's keys hash to one slot, got "${prefix}"`,
    );
  }
  return prefix;
}
