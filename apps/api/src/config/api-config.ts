import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatabaseSettings } from '@engram/persistence';
import {
  QueueConnectionConfig,
  loadQueueConnectionConfig,
  loadReconcilerConfig,
} from '@engram/queue';
import { loadDatabaseConfig } from '@engram/persistence';
import { ConfigError, EnvReader } from '@engram/config';

export interface ApiConfig {
  host: string;
  port: number;
  database: DatabaseSettings;
  /** Apply pending migrations before serving. */
  migrateOnStart: boolean;
  /** Redis (single node or cluster) and the BullMQ prefix: REDIS_URL, REDIS_CLUSTER, QUEUE_PREFIX... */
  queue: QueueConnectionConfig;
  /** When set, every request except /health must present it (x-api-key or Bearer). */
  apiKey: string | undefined;
  maxRunsPerSweep: number;
  /** Write requests (POST) allowed per client per minute. */
  writeRateLimitPerMinute: number;
  /** Failed API key checks per client address per minute before its requests get 429s. */
  authFailuresPerMinute: number;
  /**
   * Proxies in front of the API (ingress, load balancer) whose X-Forwarded-For is believed: the
   * client address of rate limits is then the caller's, not the proxy's. 0: none.
   */
  trustProxyHops: number;
  /** How often the reconciler compares pending runs with the queue (0: never, in this replica). */
  reconcileIntervalMs: number;
  /** Most runs and sweeps the reconciler repairs in one pass. */
  reconcileBatchSize: number;
  /**
   * Test hook (ENGRAM_TEST_CRASH_AFTER_ENQUEUED_JOBS): the process kills itself once a
   * submission has enqueued this many jobs, as a crash mid-enqueue would. Unset in production.
   */
  crashAfterEnqueuedJobs: number | undefined;
  /** Folder with models/<name>/artifact.json; the same variable the evaluator reads. */
  modelsDir: string;
  /** How often /sweeps/:id/events re-reads progress. */
  eventsIntervalMs: number;
  /**
   * Refuse (409) a sweep whose model's dataset is missing here (the workers read the same
   * ENGRAM_MNIST_DIR / ENGRAM_MODELNET_DIR); off where the API does not mount the data.
   */
  submitChecksModelData: boolean;
  /** The workers' dataset folders (unset: the datasets library's defaults), for that check. */
  mnistDir: string | undefined;
  modelNetDir: string | undefined;
}

function defaultModelsDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('models');
    dir = parent;
  }
  return path.join(dir, 'models');
}

/** Reads the API's configuration, failing at start-up with the name of the bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const read = new EnvReader(env);
  const apiKey = read.optionalString('API_KEY');
  if (apiKey !== undefined && apiKey.length < 16) {
    throw new ConfigError('API_KEY', 'must be at least 16 characters');
  }
  const reconciler = loadReconcilerConfig(env);
  return {
    host: read.string('HOST', '0.0.0.0'),
    port: read.integer('PORT', 3000, 0, 65_535),
    database: { ...loadDatabaseConfig(env), applicationName: 'engram-api' },
    migrateOnStart: read.boolean('MIGRATE_ON_START', false),
    queue: loadQueueConnectionConfig(env),
    apiKey,
    maxRunsPerSweep: read.integer('MAX_RUNS_PER_SWEEP', 10_000, 1, 1_000_000),
    writeRateLimitPerMinute: read.integer('WRITE_RATE_LIMIT_PER_MINUTE', 60, 1, 1_000_000),
    authFailuresPerMinute: read.integer('AUTH_FAILURES_PER_MINUTE', 20, 1, 1_000_000),
    trustProxyHops: read.integer('TRUST_PROXY_HOPS', 0, 0, 10),
    reconcileIntervalMs: reconciler.intervalMs,
    reconcileBatchSize: reconciler.batchSize,
    crashAfterEnqueuedJobs: read.optionalInteger(
      'ENGRAM_TEST_CRASH_AFTER_ENQUEUED_JOBS',
      1,
      1_000_000,
    ),
    modelsDir: read.string('ENGRAM_MODELS_DIR', defaultModelsDir()),
    eventsIntervalMs: read.integer('EVENTS_INTERVAL_MS', 1_000, 50, 60_000),
    submitChecksModelData: read.boolean('SUBMIT_CHECKS_MODEL_DATA', true),
    mnistDir: read.optionalString('ENGRAM_MNIST_DIR'),
    modelNetDir: read.optionalString('ENGRAM_MODELNET_DIR'),
  };
}
