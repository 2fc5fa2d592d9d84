import type { DefaultJobOptions } from 'bullmq';
import { QueueName } from './queues';

/** Worker options set explicitly for every queue (BullMQ's defaults are never relied upon). */
export interface QueueWorkerOptions {
  /** Jobs one worker process runs at once. */
  concurrency: number;
  /** How long a job's lock lives without renewal; the worker renews it every half. */
  lockDuration: number;
  /** How often each worker looks for jobs whose lock expired (their worker died). */
  stalledInterval: number;
  /** Stalls (worker killed mid-run) a job survives: the next one fails it for good. */
  maxStalledCount: number;
}

export interface QueueJobOptions {
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
  removeOnComplete: DefaultJobOptions['removeOnComplete'];
  removeOnFail: DefaultJobOptions['removeOnFail'];
}

export interface QueueDefinition {
  worker: QueueWorkerOptions;
  job: QueueJobOptions;
}

/**
 * The per-queue table. Simulation runs are CPU-bound for seconds to minutes, but the worker
 * evaluates them on worker threads, so its event loop stays free to renew locks every
 * lockDuration / 2: the lock only has to outlive event-loop hiccups (GC, a burst of DB writes),
 * not a whole run. A killed worker's job is then picked up within lockDuration + stalledInterval.
 */
export const QUEUE_DEFINITIONS: Readonly<Record<QueueName, QueueDefinition>> = {
  [QueueName.SimulationRuns]: {
    worker: {
      // One evaluation thread per core on the 2-core reference machine.
      concurrency: 2,
      lockDuration: 60_000,
      stalledInterval: 30_000,
      // A job runs again after up to two crashes; a third (stall count > 2) means the
      // configuration probably kills workers: it fails instead of running a fourth time.
      maxStalledCount: 2,
    },
    job: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      // Results and failures live in PostgreSQL; a kept job would also block re-adding its id
      // (the config hash) when a later sweep needs the same configuration again.
      removeOnComplete: true,
      removeOnFail: true,
    },
  },
};

/** A queue's worker options with deployment overrides (validated by the app's config). */
export function workerOptionsFor(
  queue: QueueName,
  overrides: Partial<QueueWorkerOptions> = {},
): QueueWorkerOptions {
  const merged = { ...QUEUE_DEFINITIONS[queue].worker };
  for (const [key, value] of Object.entries(overrides) as [
    keyof QueueWorkerOptions,
    number | undefined,
  ][]) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

export function jobOptionsFor(queue: QueueName): QueueJobOptions {
  return QUEUE_DEFINITIONS[queue].job;
}
