import { randomBytes } from 'node:crypto';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { ConfigError } from '@engram/config';
import {
  QueueConnection,
  QueueConnectionConfig,
  QueueName,
  SimulationRunJobData,
  SimulationRunJobResult,
  createQueueConnection,
  enqueueSimulationRuns,
  loadQueueConnectionConfig,
  removeSimulationRunJobs,
  workerOptionsFor,
} from './index';
import {
  RedisTestServers,
  redisServerAvailable,
  startRedisCluster,
  startRedisServer,
} from './testing';

/*
 * The queue layer against a real Redis Cluster: three redis-server processes in cluster mode on
 * free ports, joined with `redis-cli --cluster create`, and, for comparison, one single node. The
 * platform's own pieces do the work: loadQueueConnectionConfig, createQueueConnection (producer for
 * the API's side, consumer for the Worker and QueueEvents), enqueueSimulationRuns and
 * removeSimulationRunJobs.
 */

const hasRedisServer = redisServerAvailable();
const describeWithRedis = hasRedisServer ? describe : describe.skip;
if (!hasRedisServer) {
  console.warn('redis-cluster.int-spec: skipped, redis-server is not on the PATH');
}

const configHash = (i: number) =>
  randomBytes(32).toString('hex').slice(0, 56) + String(i).padStart(8, '0');

/** Runs `count` jobs through the platform's queue layer on `config` and checks what happened. */
async function roundTrip(config: QueueConnectionConfig, count: number, removeCount: number) {
  const producer = createQueueConnection(config, 'producer', 'engram-test-api');
  const consumer = createQueueConnection(config, 'consumer', 'engram-test-worker');
  const queue = new Queue<SimulationRunJobData>(QueueName.SimulationRuns, producer.bullOptions);
  const events = new QueueEvents(QueueName.SimulationRuns, {
    ...consumer.bullOptions,
    autorun: true,
  });
  let worker: Worker<SimulationRunJobData, SimulationRunJobResult> | undefined;
  try {
    await queue.waitUntilReady();
    await events.waitUntilReady();
    // Run and chip jobs alike: the job key is the id.
    const runs = Array.from({ length: count }, (_, i) => ({
      jobKey: configHash(i),
      kind: i % 2 === 0 ? ('run' as const) : ('chip' as const),
      runId: `run-${i}`,
      sweepId: 'sweep-1',
    }));
    await enqueueSimulationRuns(queue, runs);
    // A configuration shared by a second sweep is deduplicated by its job id.
    await enqueueSimulationRuns(queue, runs.slice(0, 3));
    expect((await queue.getJobCounts('waiting')).waiting).toBe(count);
    const removed = await removeSimulationRunJobs(
      queue,
      runs.slice(count - removeCount).map((r) => r.jobKey),
    );
    expect(removed).toBe(removeCount);

    const expected = count - removeCount;
    const completed = new Set<string>();
    const allCompleted = new Promise<void>((resolve) =>
      events.on('completed', ({ jobId }) => {
        completed.add(jobId);
        if (completed.size === expected) resolve();
      }),
    );
    const processed: string[] = [];
    worker = new Worker<SimulationRunJobData, SimulationRunJobResult>(
      QueueName.SimulationRuns,
      async (job: Job<SimulationRunJobData>) => {
        processed.push(job.data.jobKey);
        return { outcome: 'computed', settledRuns: 1, durationMs: 0 };
      },
      {
        ...consumer.bullOptions,
        ...workerOptionsFor(QueueName.SimulationRuns, { concurrency: 4 }),
      },
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      allCompleted,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${completed.size} of ${expected} jobs completed in 15 s`)),
          15_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    expect(processed.sort()).toEqual(
      runs
        .slice(0, expected)
        .map((r) => r.jobKey)
        .sort(),
    );
    expect([...completed].sort()).toEqual([...processed].sort());
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    // removeOnComplete: the platform keeps nothing in Redis once a job is done.
    expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
    return { producer, consumer };
  } finally {
    await worker?.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await producer.close();
    await consumer.close();
  }
}

describeWithRedis('queue layer on Redis', () => {
  let cluster: RedisTestServers | undefined;
  let single: RedisTestServers | undefined;
  const suffix = randomBytes(4).toString('hex');

  beforeAll(async () => {
    [cluster, single] = await Promise.all([startRedisCluster(3), startRedisServer()]);
  }, 25_000);

  afterAll(async () => {
    await Promise.all([cluster?.stop(), single?.stop()]);
  });

  const clusterEnv = (prefix: string) => ({ ...cluster?.env, QUEUE_PREFIX: prefix });

  it('runs jobs on a 3-node cluster: enqueue, dedup, remove, process, events', async () => {
    const prefix = `{engram_test_${suffix}}`;
    const config = loadQueueConnectionConfig(clusterEnv(prefix));
    expect(config.redis.cluster).toBe(true);

    // Every key of the queue lands in the hash tag's slot, so one node holds them all.
    const probe = createQueueConnection(config, 'consumer');
    expect(probe.client).toBeInstanceOf(Cluster);
    const queue = new Queue(QueueName.SimulationRuns, probe.bullOptions);
    try {
      await enqueueSimulationRuns(queue, [
        { jobKey: configHash(0), kind: 'chip', runId: 'r', sweepId: 's' },
      ]);
      const keys = await keysOnEveryPrimary(probe, `${prefix}:*`);
      expect(keys.length).toBeGreaterThan(1);
      const slots = new Set(
        await Promise.all(keys.map((key) => (probe.client as Cluster).cluster('KEYSLOT', key))),
      );
      const tagSlot = await (probe.client as Cluster).cluster('KEYSLOT', prefix);
      expect([...slots]).toEqual([tagSlot]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await probe.close();
    }

    await roundTrip(config, 40, 5);
  }, 30_000);

  it('rejects a prefix without a hash tag in cluster mode, which Redis would refuse', async () => {
    const prefix = `engram_test_${suffix}`;
    expect(() => loadQueueConnectionConfig(clusterEnv(prefix))).toThrow(ConfigError);
    expect(() => loadQueueConnectionConfig(clusterEnv(prefix))).toThrow(
      /^QUEUE_PREFIX: must contain a hash tag such as \{engram\}/,
    );
    const tagged = loadQueueConnectionConfig(clusterEnv(`{${prefix}}`));
    expect(() => createQueueConnection({ ...tagged, prefix }, 'producer')).toThrow(
      /must contain a hash tag/,
    );
    // Why: without the tag a queue's keys hash to different slots, and BullMQ's multi-key scripts
    // are refused (by ioredis for a pipeline, by the server for a single script call).
    const raw = new Cluster([{ host: '127.0.0.1', port: cluster?.ports[0] }], {
      redisOptions: { maxRetriesPerRequest: 1 },
    });
    const queue = new Queue(QueueName.SimulationRuns, { prefix, connection: raw });
    try {
      await expect(
        enqueueSimulationRuns(queue, [
          { jobKey: configHash(1), kind: 'run', runId: 'r', sweepId: 's' },
        ]),
      ).rejects.toThrow(/should belong to the same slot/);
      await expect(queue.add('simulate-run', { jobKey: configHash(2) })).rejects.toThrow(
        /CROSSSLOT/,
      );
    } finally {
      await queue.close();
      await raw.quit();
    }
  }, 15_000);

  it('keeps single-node mode working, with or without braces in the prefix', async () => {
    for (const prefix of [`engram_test_${suffix}`, `{engram_test_${suffix}}`]) {
      const config = loadQueueConnectionConfig({
        REDIS_URL: single?.url,
        QUEUE_PREFIX: prefix,
      });
      expect(config.redis.cluster).toBe(false);
      const { producer } = await roundTrip(config, 10, 2);
      expect(producer.client).toBeInstanceOf(Redis);
    }
  }, 30_000);
});

/** The keys matching `pattern` on every primary of the cluster. */
async function keysOnEveryPrimary(connection: QueueConnection, pattern: string) {
  const cluster = connection.client as Cluster;
  const primaries = cluster.nodes('master');
  expect(primaries).toHaveLength(3);
  const perNode = await Promise.all(primaries.map((node) => node.keys(pattern)));
  expect(perNode.filter((keys) => keys.length > 0)).toHaveLength(1);
  return perNode.flat();
}
