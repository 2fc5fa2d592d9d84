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
      queuePrefix: 'engram',
      apiKey: undefined,
      migrateOnStart: false,
      maxRunsPerSweep: 10_000,
      writeRateLimitPerMinute: 60,
    });
    expect(config.modelsDir).toMatch(/models$/);
  });

  it.each([
    [{ DATABASE_URL: undefined }, /^DATABASE_URL: is required/],
    [{ DATABASE_URL: 'mysql://x/y' }, /^DATABASE_URL: must use postgres:/],
    [{ REDIS_URL: 'http://127.0.0.1' }, /^REDIS_URL: expected redis/],
    [{ QUEUE_PREFIX: 'a:b' }, /^QUEUE_PREFIX: must be 1-64/],
    [{ DATABASE_SCHEMA: 'Robert; DROP' }, /^DATABASE_SCHEMA: must be a lower-case SQL identifier/],
    [{ PORT: '70000' }, /^PORT: must be an integer in \[0, 65535\]/],
    [{ API_KEY: 'short' }, /^API_KEY: must be at least 16 characters/],
    [{ MIGRATE_ON_START: 'maybe' }, /^MIGRATE_ON_START: must be true or false/],
    [{ MAX_RUNS_PER_SWEEP: '0' }, /^MAX_RUNS_PER_SWEEP: must be an integer/],
  ])('fails fast naming the bad variable (%o)', (override, message) => {
    expect(() => loadApiConfig({ ...valid, ...override })).toThrow(message);
  });
});
