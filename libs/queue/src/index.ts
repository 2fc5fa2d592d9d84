export {
  QUEUE_NAMES,
  QueueName,
  SIMULATE_CHIP_JOB,
  SIMULATE_RUN_JOB,
  SIMULATION_JOB_NAMES,
  simulationRunJobId,
  type SimulationJobKind,
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
export {
  checkQueuePrefix,
  hashTagOf,
  parseRedisUrl,
  type RedisConnectionOptions,
} from './redis-url';
export {
  loadQueueConnectionConfig,
  type QueueConnectionConfig,
  type RedisNode,
  type RedisSettings,
} from './redis-config';
export {
  closeRedisClient,
  createQueueConnection,
  createRedisClient,
  reconnectDelayMs,
  redisClientPlan,
  type QueueConnection,
  type RedisClient,
  type RedisClientPlan,
  type RedisRole,
} from './redis-connection';
export { isRedisUnavailableError } from './redis-errors';
export {
  QueueReconciler,
  loadReconcilerConfig,
  scheduleReconciler,
  type ReconcilerConfig,
  type ReconcilePass,
  type ReconciliationStore,
  type RepairOutcome,
} from './reconciler';
export { enqueueSimulationRuns, removeSimulationRunJobs, type RunToEnqueue } from './run-queue';
export {
  redisServerAvailable,
  startRedisCluster,
  startRedisServer,
  type RedisTestServers,
} from './testing';
