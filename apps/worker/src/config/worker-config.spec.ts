import { QUEUE_DEFINITIONS } from '@engram/queue';
import { loadWorkerConfig } from './worker-config';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/engram',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('loadWorkerConfig', () => {
  it('takes the queue table options unless overridden', () => {
    expect(loadWorkerConfig(valid).runWorker).toEqual(QUEUE_DEFINITIONS['simulation-runs'].worker);
    const config = loadWorkerConfig({
      ...valid,
      WORKER_CONCURRENCY: '4',
      RUN_LOCK_DURATION_MS: '5000',
      RUN_STALLED_INTERVAL_MS: '1000',
      WORKER_ID: 'w1',
    });
    expect(config.runWorker).toMatchObject({
      concurrency: 4,
      lockDuration: 5_000,
      stalledInterval: 1_000,
    });
    expect(config.workerId).toBe('w1');
    expect(config.queue.prefix).toBe('engram');
    expect(config.queue.redis.cluster).toBe(false);
    expect(config.shutdownGraceMs).toBe(30_000);
  });

  it.each([
    [{ WORKER_CONCURRENCY: '0' }, /^WORKER_CONCURRENCY: must be an integer in \[1, 64\]/],
    [{ REDIS_URL: undefined }, /^REDIS_URL: is required/],
    [
      { REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'engram' },
      /^QUEUE_PREFIX: must contain a hash tag such as \{engram\}/,
    ],
    [
      { REDIS_CLUSTER: 'true', QUEUE_PREFIX: '{engram}', REDIS_URL: 'redis://10.0.0.1:7000/1' },
      /^REDIS_URL: a Redis Cluster has only database 0/,
    ],
    [{ SHUTDOWN_GRACE_MS: '-1' }, /^SHUTDOWN_GRACE_MS: must be an integer/],
    [
      { RUN_LOCK_DURATION_MS: '2000', RUN_STALLED_INTERVAL_MS: '3000' },
      /^RUN_STALLED_INTERVAL_MS: must not exceed the lock duration/,
    ],
  ])('fails fast naming the bad variable (%o)', (override, message) => {
    expect(() => loadWorkerConfig({ ...valid, ...override })).toThrow(message);
  });

  it('reads cluster mode and its seed nodes', () => {
    const config = loadWorkerConfig({
      ...valid,
      REDIS_URL: 'redis://10.0.0.1:7000',
      REDIS_CLUSTER: 'true',
      REDIS_CLUSTER_NODES: '10.0.0.2:7001,10.0.0.3:7002',
      QUEUE_PREFIX: '{engram}',
    });
    expect(config.queue.redis.cluster).toBe(true);
    expect(config.queue.redis.nodes.map((n) => `${n.host}:${n.port}`)).toEqual([
      '10.0.0.1:7000',
      '10.0.0.2:7001',
      '10.0.0.3:7002',
    ]);
    expect(config.queue.prefix).toBe('{engram}');
  });
});
