import * as os from 'node:os';
import type { DatabaseSettings } from '@engram/persistence';
import {
  QueueConnectionConfig,
  QueueName,
  QueueWorkerOptions,
  ReconcilerConfig,
  loadQueueConnectionConfig,
  loadReconcilerConfig,
  workerOptionsFor,
} from '@engram/queue';
import { loadDatabaseConfig } from '@engram/persistence';
import { ConfigError, EnvReader } from '@engram/config';

export interface WorkerConfig {
  workerId: string;
  database: DatabaseSettings;
  /** Redis (single node or cluster) and the BullMQ prefix: REDIS_URL, REDIS_CLUSTER, QUEUE_PREFIX... */
  queue: QueueConnectionConfig;
  /** Options of the simulation-runs worker: the queue table's, with deployment overrides. */
  runWorker: QueueWorkerOptions;
  /** On SIGTERM, how long running jobs may take to finish before they are released to the queue. */
  shutdownGraceMs: number;
  /** PASS_PROGRESS_INTERVAL_MS: the least time between two progress writes of a chip pass. */
  passProgressIntervalMs: number;
  /** RECONCILE_INTERVAL_MS, RECONCILE_BATCH_SIZE: this replica's reconciler passes. */
  reconciler: ReconcilerConfig;
  /** WORKER_HEARTBEAT_FILE: touched every 5 s while the event loop runs, for a liveness probe; unset: none. */
  heartbeatFile?: string;
}

/** Reads the worker's configuration, failing at start-up with the name of the bad variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const read = new EnvReader(env);
  const workerId = read.string('WORKER_ID', `${os.hostname()}-${process.pid}`);
  const config: WorkerConfig = {
    workerId,
    database: {
      ...loadDatabaseConfig(env),
      poolSize: read.integer('DATABASE_POOL_SIZE', 4, 1, 100),
      applicationName: `engram-worker ${workerId}`,
    },
    queue: loadQueueConnectionConfig(env),
    runWorker: workerOptionsFor(QueueName.SimulationRuns, {
      concurrency: read.optionalInteger('WORKER_CONCURRENCY', 1, 64),
      lockDuration: read.optionalInteger('RUN_LOCK_DURATION_MS', 1_000, 3_600_000),
      stalledInterval: read.optionalInteger('RUN_STALLED_INTERVAL_MS', 500, 3_600_000),
      maxStalledCount: read.optionalInteger('RUN_MAX_STALLED_COUNT', 0, 100),
    }),
    shutdownGraceMs: read.integer('SHUTDOWN_GRACE_MS', 30_000, 0, 3_600_000),
    passProgressIntervalMs: read.integer('PASS_PROGRESS_INTERVAL_MS', 1_000, 0, 3_600_000),
    reconciler: loadReconcilerConfig(env),
    heartbeatFile: read.optionalString('WORKER_HEARTBEAT_FILE'),
  };
  if (config.runWorker.stalledInterval > config.runWorker.lockDuration) {
    throw new ConfigError(
      'RUN_STALLED_INTERVAL_MS',
      `must not exceed the lock duration (${config.runWorker.lockDuration} ms)`,
    );
  }
  return config;
}
