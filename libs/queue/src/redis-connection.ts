import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { QueueConnectionConfig, RedisNode, RedisSettings } from './redis-config';
import { checkQueuePrefix } from './redis-url';

/**
 * What a connection is for, which decides how it behaves while Redis is unreachable:
 * - `producer` (the API: adds and removes jobs, reads counts for /health and /metrics): commands
 *   fail at once (`enableOfflineQueue: false`, one retry) so a request answers 503 instead of
 *   hanging; BullMQ's "failing fast when Redis is down" pattern.
 * - `consumer` (workers, QueueEvents, anything in the worker process): commands wait for the
 *   reconnection (`maxRetriesPerRequest: null`, offline queue on), which BullMQ requires of the
 *   connections it blocks on, and throws at construction otherwise.
 */
export type RedisRole = 'producer' | 'consumer';

/** A single-node client or a cluster client: BullMQ takes either as `connection`. */
export type RedisClient = Redis | Cluster;

/** How createRedisClient builds the client: the constructor's arguments (pure, for tests). */
export type RedisClientPlan =
  | { cluster: false; options: RedisOptions }
  | { cluster: true; nodes: RedisNode[]; options: ClusterOptions };

/** BullMQ's own reconnect back-off for the connections it creates: 1 s growing to 20 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.max(Math.min(Math.exp(attempt), 20_000), 1_000);
}

/**
 * With TLS, connect to nodes by the names the cluster announces instead of resolving them to IPs
 * first, so the certificate's host name matches (ElastiCache in cluster mode with TLS; see
 * ioredis' README). Without TLS the default lookup is kept.
 */
const keepHostName: NonNullable<ClusterOptions['dnsLookup']> = (address, callback) =>
  callback(null, address);

export function redisClientPlan(
  settings: RedisSettings,
  role: RedisRole,
  connectionName?: string,
): RedisClientPlan {
  const perConnection: RedisOptions = {
    maxRetriesPerRequest: role === 'consumer' ? null : 1,
    ...(settings.username !== undefined ? { username: settings.username } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    ...(settings.tls ? { tls: {} } : {}),
    ...(connectionName !== undefined ? { connectionName } : {}),
  };
  const enableOfflineQueue = role === 'consumer';
  if (!settings.cluster) {
    const [node] = settings.nodes;
    return {
      cluster: false,
      options: {
        ...perConnection,
        host: node.host,
        port: node.port,
        db: settings.db,
        enableOfflineQueue,
        retryStrategy: reconnectDelayMs,
      },
    };
  }
  return {
    cluster: true,
    nodes: settings.nodes.map(({ host, port }) => ({ host, port })),
    options: {
      redisOptions: perConnection,
      enableOfflineQueue,
      // 'ready' only once CLUSTER INFO reports cluster_state:ok (every slot served).
      enableReadyCheck: true,
      // BullMQ's scripts write and then read their own keys: always on the slot's primary.
      scaleReads: 'master',
      clusterRetryStrategy: reconnectDelayMs,
      ...(settings.tls ? { dnsLookup: keepHostName } : {}),
    },
  };
}

/**
 * The one place the platform builds Redis clients: a `Redis` for a single node, an ioredis
 * `Cluster` in cluster mode, with the options of the role. The caller owns the client (close it
 * with closeRedisClient); BullMQ Workers and QueueEvents given it make their own duplicates.
 */
export function createRedisClient(
  settings: RedisSettings,
  role: RedisRole,
  connectionName?: string,
): RedisClient {
  const plan = redisClientPlan(settings, role, connectionName);
  return plan.cluster ? new Cluster(plan.nodes, plan.options) : new Redis(plan.options);
}

/** Quits politely (pending replies arrive first), or drops a client that never connected. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'wait') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** A Redis client with the queue prefix that fits it: what every BullMQ object is built with. */
export interface QueueConnection {
  readonly client: RedisClient;
  readonly prefix: string;
  /** `new Queue(name, { ...c.bullOptions })`, likewise Worker and QueueEvents (and BullModule). */
  readonly bullOptions: { prefix: string; connection: RedisClient };
  close(): Promise<void>;
}

/**
 * The queue layer's factory, used by the API, the worker and the tests. Re-checks the prefix
 * against the mode, so no code path can put a queue's keys in several cluster slots.
 */
export function createQueueConnection(
  config: QueueConnectionConfig,
  role: RedisRole,
  connectionName?: string,
): QueueConnection {
  const prefix = checkQueuePrefix(config.prefix, config.redis.cluster);
  const client = createRedisClient(config.redis, role, connectionName);
  return {
    client,
    prefix,
    bullOptions: { prefix, connection: client },
    close: () => closeRedisClient(client),
  };
}
