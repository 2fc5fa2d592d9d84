import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { loadQueueConnectionConfig } from '@engram/queue';
import {
  RedisTestServers,
  redisServerAvailable,
  startRedisCluster,
  startRedisServer,
} from '@engram/queue/testing';
import { Platform } from './support/platform';

// The API in-process and a worker process (their production entry points' configuration and Nest
// wiring) on a real 3-node Redis Cluster started by the test, and on a single node with the same
// hash-tagged prefix: /health, /metrics, a sweep through the queue, and a worker refusing a prefix
// without a hash tag in cluster mode.
jest.setTimeout(90_000);

const hasRedisServer = redisServerAvailable();
const describeWithRedis = hasRedisServer ? describe.each : describe.skip.each;
if (!hasRedisServer) {
  console.warn('e2e redis-cluster.e2e-spec: skipped, redis-server is not on the PATH');
}

describeWithRedis([
  ['a 3-node Redis Cluster', true],
  ['a single Redis node', false],
])('the platform on %s', (_, clusterMode) => {
  let servers: RedisTestServers | undefined;
  let platform: Platform | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    servers = clusterMode ? await startRedisCluster(3) : await startRedisServer();
    env = { ...servers.env, QUEUE_PREFIX: `{engram_test_${randomBytes(4).toString('hex')}}` };
    platform = await Platform.start({ ...env, WRITE_RATE_LIMIT_PER_MINUTE: '1000' });
  });

  afterAll(async () => {
    await platform?.stop();
    await servers?.stop();
  });

  it('answers /health and /metrics from the queue', async () => {
    const health = await platform!.http().get('/health');
    expect(health.status).toBe(200);
    expect(health.body.checks.redis).toMatchObject({ status: 'up' });
    const metrics = await platform!.get('/metrics');
    expect(metrics.text).toContain('engram_queue_jobs{queue="simulation-runs",state="waiting"} 0');
  });

  it('runs a sweep through the queue, every queue key in the hash tag slot', async () => {
    await platform!.startWorker(env);
    const submitted = await platform!.post('/sweeps', {
      name: 'redis',
      model: 'resnet-mnist',
      grid: { seed: [1, 2] },
      fixed: { memorySize: 2, camThreshold: 0.2 },
      sampleCount: 20,
    });
    expect(submitted.status).toBe(202);
    const done = await platform!.waitForSweep(submitted.body.sweepId as string, 60_000);
    expect(done).toMatchObject({ status: 'completed', counts: { succeeded: 2, failed: 0 } });

    const { redis, prefix } = loadQueueConnectionConfig(env);
    const client = redis.cluster
      ? new Cluster(redis.nodes, { lazyConnect: true })
      : new Redis({ ...redis.nodes[0], lazyConnect: true });
    try {
      await client.connect();
      const nodes = client instanceof Cluster ? client.nodes('master') : [client];
      expect(nodes).toHaveLength(clusterMode ? 3 : 1);
      const keys = (await Promise.all(nodes.map((node) => node.keys(`${prefix}:*`)))).flat();
      expect(keys.length).toBeGreaterThan(0);
      if (client instanceof Cluster) {
        const slots = await Promise.all(keys.map((key) => client.cluster('KEYSLOT', key)));
        expect(new Set(slots)).toEqual(new Set([await client.cluster('KEYSLOT', prefix)]));
      }
    } finally {
      await client.quit();
    }
  });

  // In single-node mode a prefix without a hash tag is fine (the default `engram`).
  if (clusterMode) {
    it('stops a worker whose prefix has no hash tag, naming QUEUE_PREFIX', async () => {
      await expect(platform!.startWorker({ ...env, QUEUE_PREFIX: 'engram' })).rejects.toThrow(
        /invalid configuration: QUEUE_PREFIX: must contain a hash tag such as \{engram\}/,
      );
    });
  }
});
