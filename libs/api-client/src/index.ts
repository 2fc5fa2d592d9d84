export { EngramApiError, EngramClient, type EngramClientOptions } from './client';
export type { components, paths } from './generated/openapi';
export { metricOf, parameterOf } from './types';
export type {
  ApiErrorBody,
  ApiIssue,
  CancelledSweep,
  Health,
  Model,
  RetriedSweep,
  RunMetrics,
  RunPage,
  RunParameters,
  RunQuery,
  RunRecord,
  RunStatus,
  SubmittedSweep,
  SummaryGroup,
  SweepDetail,
  SweepPage,
  SweepProgress,
  SweepSpec,
  SweepStatus,
  SweepSummary,
} from './types';
