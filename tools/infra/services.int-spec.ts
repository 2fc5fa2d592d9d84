import { Client } from 'pg';
import Redis from 'ioredis';

// Proves the integration path: the suite talks to the real PostgreSQL and Redis of the machine.
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('real services', () => {
  it('runs a query on PostgreSQL', async () => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ sum: number }>('SELECT 20 + 22 AS sum');
      expect(rows[0].sum).toBe(42);
    } finally {
      await client.end();
    }
  });

  it('round-trips a key through Redis', async () => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    await redis.connect();
    try {
      const key = `engram:test:${process.pid}:${Date.now()}`;
      await redis.set(key, 'hello', 'EX', 10);
      expect(await redis.get(key)).toBe('hello');
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
  });
});
