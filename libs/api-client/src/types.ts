/** Wire types of the Engram API (JSON as served; dates are ISO strings). */

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'cached' | 'failed' | 'cancelled';
export type SweepStatus =
  'queued' | 'running' | 'cancelling' | 'cancelled' | 'completed' | 'completed_with_failures';

export interface SubmittedSweep {
  sweepId: string;
  runCount: number;
  cachedCount: number;
  queuedCount: number;
}

export interface SweepProgress {
  id: string;
  name: string;
  description: string | null;
  model: string;
  artifactVersion: string;
  gridAxes: string[];
  status: SweepStatus;
  runCount: number;
  counts: Record<RunStatus, number>;
  progress: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelledAt: string | null;
  elapsedMs: number;
  etaMs: number | null;
}

export interface SweepDetail extends SweepProgress {
  spec: Record<string, unknown>;
}

export interface Page<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
}

export interface RunRecord {
  runId: string;
  sweepId: string;
  runIndex: number;
  repeat: number;
  status: RunStatus;
  configHash: string;
  model: string;
  artifactVersion: string;
  parameters: Record<string, number | string | null>;
  split: string;
  sampleCount: number | null;
  attempts: number;
  workerId: string | null;
  error: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  config: Record<string, unknown>;
  metrics: Record<string, number> | null;
  exitHistogram: number[] | null;
  exitAccuracy: (number | null)[] | null;
  /** Energy of the dynamic run on the chip per inference by component, pJ. */
  energyBreakdownPj: Record<string, number> | null;
  /** Digital baseline the energy reductions are against (null for energy model 1 results). */
  energyBaseline: string | null;
  /** The static network on that baseline per inference by component, pJ. */
  digitalEnergyBreakdownPj: Record<string, number> | null;
}

export interface SweepSummary {
  sweepId: string;
  status: SweepStatus;
  groupBy: string[];
  metrics: string[];
  groups: {
    values: Record<string, number | string | null>;
    count: number;
    metrics: Record<string, { mean: number | null; std: number | null }>;
  }[];
}

export interface Health {
  status: 'ok' | 'error';
  checks: Record<string, { status: 'up' | 'down'; latencyMs: number; error?: string }>;
}

/** Query of /runs and /sweeps/:id/results: `{ readNoise: 0.05, 'dynamicAccuracy[gte]': 0.9, sort: '-dynamicAccuracy' }`. */
export type RunQuery = Record<string, string | number | readonly (string | number)[]>;
