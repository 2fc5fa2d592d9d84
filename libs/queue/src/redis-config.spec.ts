import { ConfigError } from '@engram/config';
import { createQueueConnection, hashTagOf, loadQueueConnectionConfig } from './index';
import { reconnectDelayMs, redisClientPlan } from './redis-connection';
import { checkQueuePrefix } from './redis-url';

const single = { REDIS_URL: 'redis://127.0.0.1:6379' };
const cluster = {
  REDIS_URL: 'rediss://default:s%40cret@clustercfg.engram.cache.example:6379',
  REDIS_CLUSTER: 'true',
  QUEUE_PREFIX: '{engram}',
};

describe('hash tags (Redis Cluster key hashing)', () => {
  it.each([
    ['{engram}', 'engram'],
    ['{engram}:simulation-runs:wait', 'engram'],
    ['engram-{prod}', 'prod'],
    ['a{b}c{d}', 'b'],
    ['{}engram', undefined],
    ['{}{engram}', undefined],
    ['engram{', undefined],
    ['engram}', undefined],
    ['engram', undefined],
  ])('%s -> %s', (key, tag) => {
    expect(hashTagOf(key)).toBe(tag);
  });

  it('requires a hash tag in the prefix only in cluster mode', () => {
    expect(checkQueuePrefix('engram', false)).toBe('engram');
    expect(checkQueuePrefix('{engram}', true)).toBe('{engram}');
    expect(checkQueuePrefix('engram-{prod}', true)).toBe('engram-{prod}');
    for (const prefix of ['engram', '{}engram', 'engram{', '}engram{'])
      expect(() => checkQueuePrefix(prefix, true)).toThrow(/must contain a hash tag/);
  });
});

describe('loadQueueConnectionConfig', () => {
  it('reads a single node unchanged by default', () => {
    expect(loadQueueConnectionConfig({ REDIS_URL: 'redis://:pw@cache.local:6380/2' })).toEqual({
      redis: {
        cluster: false,
        nodes: [{ host: 'cache.local', port: 6380 }],
        db: 2,
        password: 'pw',
        tls: false,
      },
      prefix: 'engram',
    });
    // Braces are fine on a single node, so one prefix serves both modes.
    expect(loadQueueConnectionConfig({ ...single, QUEUE_PREFIX: '{engram}' }).prefix).toBe(
      '{engram}',
    );
    expect(loadQueueConnectionConfig({ ...single, REDIS_CLUSTER: 'false' }).redis.cluster).toBe(
      false,
    );
  });

  it('reads a cluster: seed nodes, credentials and TLS from REDIS_URL, hash-tagged prefix', () => {
    expect(loadQueueConnectionConfig(cluster)).toEqual({
      redis: {
        cluster: true,
        nodes: [{ host: 'clustercfg.engram.cache.example', port: 6379 }],
        db: 0,
        username: 'default',
        password: 's@cret',
        tls: true,
      },
      prefix: '{engram}',
    });
    const seeded = loadQueueConnectionConfig({
      ...cluster,
      REDIS_URL: 'redis://10.0.0.1:7000',
      REDIS_CLUSTER_NODES: ' 10.0.0.2:7001, 10.0.0.1:7000 ,redis-2.internal,[::1]:7005,',
    });
    expect(seeded.redis.nodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: 'redis-2.internal', port: 6379 },
      { host: '::1', port: 7005 },
    ]);
    expect(seeded.redis.tls).toBe(false);
  });

  it.each([
    [{ REDIS_URL: undefined }, /^REDIS_URL: is required/],
    [{ REDIS_URL: 'http://x:6379' }, /^REDIS_URL: expected redis:\/\/ or rediss:\/\//],
    [{ REDIS_CLUSTER: 'cluster' }, /^REDIS_CLUSTER: must be true or false, got "cluster"/],
    [{ QUEUE_PREFIX: 'engram' }, /^QUEUE_PREFIX: must contain a hash tag such as \{engram\}/],
    [{ QUEUE_PREFIX: undefined }, /^QUEUE_PREFIX: must contain a hash tag .*got "engram"/],
    [{ QUEUE_PREFIX: '{}engram' }, /^QUEUE_PREFIX: must contain a hash tag/],
    [{ QUEUE_PREFIX: '{eng:ram}' }, /^QUEUE_PREFIX: must be 1-64 letters/],
    [{ REDIS_URL: 'redis://10.0.0.1:7000/3' }, /^REDIS_URL: a Redis Cluster has only database 0/],
    [{ REDIS_CLUSTER_NODES: '10.0.0.2:x' }, /^REDIS_CLUSTER_NODES: expected host:port/],
    [{ REDIS_CLUSTER_NODES: 'redis://10.0.0.2' }, /^REDIS_CLUSTER_NODES: expected host:port/],
    [{ REDIS_CLUSTER_NODES: 'u:p@10.0.0.2:7000' }, /^REDIS_CLUSTER_NODES: expected host:port/],
  ])('cluster mode fails fast naming the bad variable (%o)', (override, message) => {
    const env = { ...cluster, ...override };
    expect(() => loadQueueConnectionConfig(env)).toThrow(message);
    try {
      loadQueueConnectionConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
    }
  });

  it('rejects cluster seed nodes when cluster mode is off', () => {
    expect(() =>
      loadQueueConnectionConfig({ ...single, REDIS_CLUSTER_NODES: '10.0.0.2:7001' }),
    ).toThrow(/^REDIS_CLUSTER_NODES: is only used with REDIS_CLUSTER=true/);
  });
});

describe('redisClientPlan', () => {
  const singleSettings = loadQueueConnectionConfig({
    REDIS_URL: 'rediss://user:pw@cache.local:6380/1',
  }).redis;
  const clusterSettings = loadQueueConnectionConfig({
    ...cluster,
    REDIS_CLUSTER_NODES: 'node-2.example:6379',
  }).redis;

  it('builds a single-node client: waiting consumers, failing-fast producers', () => {
    const consumer = redisClientPlan(singleSettings, 'consumer', 'engram-worker');
    expect(consumer).toMatchObject({
      cluster: false,
      options: {
        host: 'cache.local',
        port: 6380,
        db: 1,
        username: 'user',
        password: 'pw',
        tls: {},
        maxRetriesPerRequest: null,
        enableOfflineQueue: true,
        connectionName: 'engram-worker',
      },
    });
    expect(redisClientPlan(singleSettings, 'producer').options).toMatchObject({
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
  });

  it('builds an ioredis Cluster with the options BullMQ needs', () => {
    const plan = redisClientPlan(clusterSettings, 'consumer');
    if (!plan.cluster) throw new Error('expected a cluster plan');
    expect(plan.nodes).toEqual([
      { host: 'clustercfg.engram.cache.example', port: 6379 },
      { host: 'node-2.example', port: 6379 },
    ]);
    expect(plan.options).toMatchObject({
      enableReadyCheck: true,
      enableOfflineQueue: true,
      scaleReads: 'master',
      // Per-node options: BullMQ reads maxRetriesPerRequest from redisOptions on a Cluster.
      redisOptions: {
        maxRetriesPerRequest: null,
        username: 'default',
        password: 's@cret',
        tls: {},
      },
    });
    expect(plan.options.redisOptions).not.toHaveProperty('db');
    // TLS: connect by the announced host names so certificates match (ElastiCache).
    const lookup = jest.fn();
    plan.options.dnsLookup?.('node-2.example', lookup);
    expect(lookup).toHaveBeenCalledWith(null, 'node-2.example');
    expect(redisClientPlan(clusterSettings, 'producer').options).toMatchObject({
      enableOfflineQueue: false,
      redisOptions: { maxRetriesPerRequest: 1 },
    });
    const plain = redisClientPlan({ ...clusterSettings, tls: false }, 'consumer');
    expect(plain.options).not.toHaveProperty('dnsLookup');
    expect((plain.options as { redisOptions: object }).redisOptions).not.toHaveProperty('tls');
  });

  it("reconnects with BullMQ's back-off: 1 s growing to 20 s", () => {
    expect(reconnectDelayMs(1)).toBe(1_000);
    expect(reconnectDelayMs(8)).toBeCloseTo(Math.exp(8));
    expect(reconnectDelayMs(50)).toBe(20_000);
  });

  it('never builds a cluster connection with a prefix that spreads keys over slots', () => {
    expect(() =>
      createQueueConnection({ redis: clusterSettings, prefix: 'engram' }, 'producer'),
    ).toThrow(/must contain a hash tag/);
  });
});
