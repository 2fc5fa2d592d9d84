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
    expect(config.shutdownGraceMs).toBe(30_000);
  });

  it.each([
    [{ WORKER_CONCURRENCY: '0' }, /^WORKER_CONCURRENCY: must be an integer in \[1, 64\]/],
    [{ REDIS_URL: undefined }, /^REDIS_URL: is required/],
    [{ SHUTDOWN_GRACE_MS: '-1' }, /^SHUTDOWN_GRACE_MS: must be an integer/],
    [
      { RUN_LOCK_DURATION_MS: '2000', RUN_STALLED_INTERVAL_MS: '3000' },
      /^RUN_STALLED_INTERVAL_MS: must not exceed the lock duration/,
    ],
  ])('fails fast naming the bad variable (%o)', (override, message) => {
    expect(() => loadWorkerConfig({ ...valid, ...override })).toThrow(message);
  });
});
