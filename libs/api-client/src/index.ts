export { EngramApiError, EngramClient } from './client';
export type { paths } from './generated/openapi';
export { metricOf, parameterOf } from './types';
export type {
  ApiIssue,
  RunQuery,
  RunRecord,
  SweepDetail,
  SweepProgress,
  SweepSummary,
} from './types';
