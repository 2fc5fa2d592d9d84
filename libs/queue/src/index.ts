export {
  QUEUE_NAMES,
  QueueName,
  SIMULATE_RUN_JOB,
  simulationRunJobId,
  type SimulationRunJobData,
  type SimulationRunJobResult,
} from './queues';
export {
  QUEUE_DEFINITIONS,
  jobOptionsFor,
  workerOptionsFor,
  type QueueDefinition,
  type QueueJobOptions,
  type QueueWorkerOptions,
} from './queue-options';
export { checkQueuePrefix, parseRedisUrl, type RedisConnectionOptions } from './redis-url';
export { enqueueSimulationRuns, removeSimulationRunJobs, type RunToEnqueue } from './run-queue';
