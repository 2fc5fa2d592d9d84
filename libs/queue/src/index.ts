export {
  QUEUE_NAMES,
  QueueName,
  SIMULATE_CHIP_JOB,
  SIMULATE_RUN_JOB,
  simulationRunJobId,
  type SimulationRunJobData,
  type SimulationRunJobResult,
} from './queues';
export { QUEUE_DEFINITIONS, workerOptionsFor, type QueueWorkerOptions } from './queue-options';
export { hashTagOf } from './redis-url';
export { loadQueueConnectionConfig, type QueueConnectionConfig } from './redis-config';
export { createQueueConnection, type QueueConnection } from './redis-connection';
export { isRedisUnavailableError } from './redis-errors';
export {
  QueueReconciler,
  loadReconcilerConfig,
  scheduleReconciler,
  type ReconcilerConfig,
  type ReconcilePass,
} from './reconciler';
export { enqueueSimulationRuns, removeSimulationRunJobs } from './run-queue';
// Test helpers (real Redis servers and clusters for specs): '@engram/queue/testing'.
