import type { components } from './generated/openapi';

/** Wire types of the Engram API, generated from its OpenAPI document (dates are ISO strings). */
type Schemas = components['schemas'];

export type SweepSpec = Schemas['SweepSpec'];
export type SubmittedSweep = Schemas['SubmittedSweep'];
export type SweepProgress = Schemas['SweepProgress'];
export type SweepDetail = Schemas['SweepDetail'];
export type SweepPage = Schemas['SweepPage'];
export type CancelledSweep = Schemas['CancelledSweep'];
export type RetriedSweep = Schemas['RetriedSweep'];
export type RunRecord = Schemas['RunRecord'];
export type RunPage = Schemas['RunPage'];
export type SweepSummary = Schemas['SweepSummary'];
export type Model = Schemas['Model'];
export type Health = Schemas['Health'];
/** A field at fault in a 4xx answer (`{ field: 'grid.readNoise[1]', message: 'must be <= 1' }`). */
export type ApiIssue = Schemas['Issue'];

/**
 * Query of /runs and /sweeps/:id/results, one entry per query parameter:
 * `{ readNoise: 0.05, 'dynamicAccuracy[gte]': 0.9, status: ['failed'], sort: '-dynamicAccuracy' }`.
 */
export type RunQuery = Record<string, string | number | readonly (string | number)[]>;

/** A run's value of a parameter named at run time (a chosen axis); null: the default. */
export function parameterOf(run: RunRecord, name: string): number | string | null {
  return (run.parameters as Record<string, number | string | null>)[name] ?? null;
}

/** A run's value of a metric named at run time; null while the run has no result. */
export function metricOf(run: RunRecord, name: string): number | null {
  return (run.metrics as Record<string, number> | null)?.[name] ?? null;
}
