export { ModelArtifactEntity, ResultEntity, RunEntity, SweepEntity } from './entities';
export {
  ENTITIES,
  MIGRATIONS,
  checkSchemaName,
  createExperimentDataSource,
  experimentDataSourceOptions,
  migrateDatabase,
  type DatabaseSettings,
} from './data-source';
export {
  METRIC_COLUMNS,
  METRIC_NAMES,
  PARAMETER_COLUMNS,
  PENDING_STATUSES,
  QUERY_FIELDS,
  RUN_STATUSES,
  SUMMARY_METRICS,
  type MetricName,
  type QueryField,
  type RunStatus,
} from './fields';
export {
  SweepStore,
  type CreatedSweep,
  type QueuedRun,
  type NewRun,
  type NewSweep,
  type RunCounts,
  type SweepProgress,
  type SweepStatus,
} from './sweep-store';
export { RunLifecycle, type Claim, type ClaimedRun, type ComputedResult } from './run-lifecycle';
export {
  RECONCILER_LOCK_KEY,
  RunReconciliation,
  type PendingJob,
  type RepairedHashes,
} from './run-reconciliation';
export {
  QueryFieldError,
  ResultQuery,
  queryField,
  type FieldValue,
  type Filter,
  type FilterOperator,
  type RunQuery,
  type RunParameters,
  type RunRecord,
  type SortKey,
  type SummaryGroup,
  type SweepSummary,
} from './result-query';
export { PlatformStats, type DurationHistogram } from './platform-stats';
export { sql, type SqlExecutor, type SqlResult } from './sql';
export { TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from './testing';
export { startPostgresServer, type PostgresTestServer } from './testing-postgres';
export { loadDatabaseConfig } from './database-config';
export { READ_ONLY_ROLE } from './migrations/1764500000000-add-sql-views';
export { isDatabaseUnavailableError } from './database-errors';
