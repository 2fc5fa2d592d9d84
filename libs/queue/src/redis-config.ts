import { ConfigError, EnvReader } from '@engram/config';
import { checkQueuePrefix, parseRedisUrl } from './redis-url';

export interface RedisNode {
  host: string;
  port: number;
}

/** Where the queue's Redis is and how to reach it, validated (see loadQueueConnectionConfig). */
export interface RedisSettings {
  /** A Redis Cluster (ioredis `Cluster` client) rather than a single primary. */
  cluster: boolean;
  /**
   * Single node: the server. Cluster: the seed nodes (REDIS_URL's host, then REDIS_CLUSTER_NODES);
   * the client discovers the other nodes and the slot map from any of them.
   */
  nodes: RedisNode[];
  /** Database index; always 0 in cluster mode (a cluster has no other database). */
  db: number;
  username?: string;
  password?: string;
  /** `rediss://`: TLS to every node. */
  tls: boolean;
}

/** The queue layer's connection settings: the Redis and the BullMQ key prefix that fits it. */
export interface QueueConnectionConfig {
  redis: RedisSettings;
  /** BullMQ key prefix; contains a hash tag (`{engram}`) in cluster mode. */
  prefix: string;
}

/** `host[:port]`, IPv6 in brackets; the port defaults to 6379. */
function parseNode(entry: string): RedisNode {
  let parsed: URL | undefined;
  try {
    parsed = new URL(`redis://${entry}`);
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    !parsed.hostname ||
    parsed.username ||
    parsed.password ||
    !['', '/'].includes(parsed.pathname) ||
    parsed.search ||
    parsed.hash
  ) {
    throw new Error(`expected host:port[,host:port...], got "${entry}"`);
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 6379,
  };
}

/**
 * REDIS_URL (required), REDIS_CLUSTER (default false), REDIS_CLUSTER_NODES (cluster only) and
 * QUEUE_PREFIX (default `engram`), read the same way by the API and the worker. Every error names
 * its variable. In cluster mode REDIS_URL is one seed node (or the managed service's configuration
 * endpoint) whose credentials and TLS apply to every node, and the prefix must carry a hash tag.
 */
export function loadQueueConnectionConfig(
  env: NodeJS.ProcessEnv = process.env,
): QueueConnectionConfig {
  const read = new EnvReader(env);
  const url = read.checked('REDIS_URL', undefined, parseRedisUrl);
  const cluster = read.boolean('REDIS_CLUSTER', false);
  const extraNodes = read.optionalString('REDIS_CLUSTER_NODES');
  if (extraNodes !== undefined && !cluster) {
    throw new ConfigError('REDIS_CLUSTER_NODES', 'is only used with REDIS_CLUSTER=true');
  }
  if (cluster && url.db !== 0) {
    throw new ConfigError(
      'REDIS_URL',
      `a Redis Cluster has only database 0, got /${url.db} (REDIS_CLUSTER=true)`,
    );
  }
  const nodes: RedisNode[] = [{ host: url.host, port: url.port }];
  if (extraNodes !== undefined) {
    const entries = extraNodes
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const node of read.checked('REDIS_CLUSTER_NODES', undefined, () =>
      entries.map(parseNode),
    )) {
      if (!nodes.some((n) => n.host === node.host && n.port === node.port)) nodes.push(node);
    }
  }
  const redis: RedisSettings = { cluster, nodes, db: url.db, tls: url.tls !== undefined };
  if (url.username !== undefined) redis.username = url.username;
  if (url.password !== undefined) redis.password = url.password;
  return {
    redis,
    prefix: read.checked('QUEUE_PREFIX', 'engram', (prefix) => checkQueuePrefix(prefix, cluster)),
  };
}
