// The persistence library's public face: what the apps and the benches use of it (`npm run
// report:exports` counts it). Test helpers: '@engram/persistence/testing'.
export { createExperimentDataSource, migrateDatabase, type DatabaseSettings } from './data-source';
export { METRIC_NAMES, RUN_STATUSES } from './fields';
export {
  SweepStore,
  type NewRun,
  type QueuedRun,
  type SweepProgress,
  type SweepStatus,
} from './sweep-store';
export { RunLifecycle, type ClaimedRun, type ComputedResult } from './run-lifecycle';
export { RunReconciliation } from './run-reconciliation';
export {
  QueryFieldError,
  ResultQuery,
  runFilter,
  runSortKey,
  summaryMetrics,
  type RunQuery,
  type RunRecord,
} from './result-query';
export { PlatformStats } from './platform-stats';
export { loadDatabaseConfig } from './database-config';
export { READ_ONLY_ROLE } from './migrations/1764500000000-add-sql-views';
export { isDatabaseUnavailableError } from './database-errors';
