import { loadApiConfig } from './api-config';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/engram',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('loadApiConfig', () => {
  it('applies documented defaults', () => {
    const config = loadApiConfig(valid);
    expect(config).toMatchObject({
      port: 3000,
      database: { schema: 'public', poolSize: 10 },
      queue: {
        redis: { cluster: false, nodes: [{ host: '127.0.0.1', port: 6379 }], db: 0, tls: false },
        prefix: 'engram',
      },
      apiKey: undefined,
      migrateOnStart: false,
      maxRunsPerSweep: 10_000,
      writeRateLimitPerMinute: 60,
      submitChecksModelData: true,
      authFailuresPerMinute: 20,
      trustProxyHops: 0,
      reconcileIntervalMs: 30_000,
      reconcileBatchSize: 1_000,
      crashAfterEnqueuedJobs: undefined,
    });
    expect(loadApiConfig({ ...valid, RECONCILE_INTERVAL_MS: '0' }).reconcileIntervalMs).toBe(0);
    expect(config.modelsDir).toMatch(/models$/);
  });

  it.each([
    [{ DATABASE_URL: undefined }, /^DATABASE_URL: is required/],
    [{ DATABASE_URL: 'mysql://x/y' }, /^DATABASE_URL: must use postgres:/],
    [{ REDIS_URL: 'http://127.0.0.1' }, /^REDIS_URL: expected redis/],
    [{ QUEUE_PREFIX: 'a:b' }, /^QUEUE_PREFIX: must be 1-64/],
    [{ REDIS_CLUSTER: 'true' }, /^QUEUE_PREFIX: must contain a hash tag such as \{engram\}/],
    [{ REDIS_CLUSTER_NODES: '10.0.0.2:7000' }, /^REDIS_CLUSTER_NODES: is only used with/],
    [{ DATABASE_SCHEMA: 'Robert; DROP' }, /^DATABASE_SCHEMA: must be a lower-case SQL identifier/],
    [{ PORT: '70000' }, /^PORT: must be an integer in \[0, 65535\]/],
    [{ API_KEY: 'short' }, /^API_KEY: must be at least 16 characters/],
    [{ MIGRATE_ON_START: 'maybe' }, /^MIGRATE_ON_START: must be true or false/],
    [{ MAX_RUNS_PER_SWEEP: '0' }, /^MAX_RUNS_PER_SWEEP: must be an integer/],
    [
      { RECONCILE_INTERVAL_MS: '500' },
      /^RECONCILE_INTERVAL_MS: must be 0 \(off\) or at least 1000/,
    ],
    [{ RECONCILE_BATCH_SIZE: '0' }, /^RECONCILE_BATCH_SIZE: must be an integer in \[1, 100000\]/],
    [{ AUTH_FAILURES_PER_MINUTE: '-1' }, /^AUTH_FAILURES_PER_MINUTE: must be an integer/],
  ])('fails fast naming the bad variable (%o)', (override, message) => {
    expect(() => loadApiConfig({ ...valid, ...override })).toThrow(message);
  });

  it('connects to a Redis Cluster with a hash-tagged prefix', () => {
    const config = loadApiConfig({
      ...valid,
      REDIS_URL: 'rediss://clustercfg.engram.cache.example:6379',
      REDIS_CLUSTER: 'true',
      QUEUE_PREFIX: '{engram}',
    });
    expect(config.queue).toEqual({
      redis: {
        cluster: true,
        nodes: [{ host: 'clustercfg.engram.cache.example', port: 6379 }],
        db: 0,
        tls: true,
      },
      prefix: '{engram}',
    });
  });
});
