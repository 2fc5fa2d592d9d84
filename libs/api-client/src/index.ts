export { EngramApiError, EngramClient, type EngramClientOptions } from './client';
export type {
  Health,
  Page,
  RunQuery,
  RunRecord,
  RunStatus,
  SubmittedSweep,
  SweepDetail,
  SweepProgress,
  SweepStatus,
  SweepSummary,
} from './types';
