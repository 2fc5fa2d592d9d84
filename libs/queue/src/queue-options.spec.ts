import { QUEUE_DEFINITIONS, QUEUE_NAMES, simulationRunJobId, workerOptionsFor } from './index';
import { checkQueuePrefix, parseRedisUrl } from './redis-url';

describe('queue contract', () => {
  it('sets every worker and job option explicitly for every queue', () => {
    for (const queue of QUEUE_NAMES) {
      const { worker, job } = QUEUE_DEFINITIONS[queue];
      for (const key of [
        'concurrency',
        'lockDuration',
        'stalledInterval',
        'maxStalledCount',
      ] as const) {
        expect(Number.isInteger(worker[key]) && worker[key] > 0).toBe(true);
      }
      // Renewal happens every lockDuration / 2; the stall check must not outpace the lock.
      expect(worker.stalledInterval).toBeLessThanOrEqual(worker.lockDuration);
      expect(job.attempts).toBeGreaterThan(1);
      expect(job.backoff.delay).toBeGreaterThan(0);
    }
  });

  it('applies only the overrides that are set', () => {
    const options = workerOptionsFor('simulation-runs', {
      concurrency: 4,
      lockDuration: undefined,
    });
    expect(options.concurrency).toBe(4);
    expect(options.lockDuration).toBe(QUEUE_DEFINITIONS['simulation-runs'].worker.lockDuration);
  });

  it('accepts job keys (config or chip hashes) as job ids and rejects anything with a colon', () => {
    const hash = 'a'.repeat(64);
    expect(simulationRunJobId(hash)).toBe(hash);
    expect(() => simulationRunJobId(`run:${hash}`)).toThrow(/not a job key/);
  });

  it('parses Redis URLs and names what is wrong', () => {
    expect(parseRedisUrl('redis://:secret@cache.local:6380/2')).toEqual({
      host: 'cache.local',
      port: 6380,
      db: 2,
      password: 'secret',
    });
    expect(parseRedisUrl('rediss://127.0.0.1').tls).toEqual({});
    expect(() => parseRedisUrl('http://127.0.0.1:6379')).toThrow(/expected redis/);
    expect(() => parseRedisUrl('redis://127.0.0.1/x')).toThrow(/database index/);
    expect(() => parseRedisUrl('not a url')).toThrow(/not a URL/);
  });

  it('keeps queue prefixes to a safe alphabet, braces included', () => {
    expect(checkQueuePrefix('engram_test-1')).toBe('engram_test-1');
    expect(checkQueuePrefix('{engram}')).toBe('{engram}');
    expect(() => checkQueuePrefix('a:b')).toThrow(/letters, digits/);
    expect(() => checkQueuePrefix('a b')).toThrow(/letters, digits/);
    expect(() => checkQueuePrefix('x'.repeat(65))).toThrow(/1-64/);
  });
});
