import type { DataSource, EntityManager } from 'typeorm';
import type { EvaluationConfig, ParameterName, ResolvedDeviceParameters } from '@engram/contracts';
import type { ModelArtifactInfo, SweepSpec } from '@engram/sweep-spec';
import { PARAMETER_COLUMNS, RUN_STATUSES, RunStatus } from './fields';
import { sql } from './sql';

/** One run of a new sweep, expanded and hashed by the caller. */
export interface NewRun {
  index: number;
  repeat: number;
  configHash: string;
  /**
   * The job that computes the run: its chip hash when runs of one chip share a job, the config
   * hash (the default) for a run computed by a job of its own.
   */
  jobKey?: string;
  config: EvaluationConfig;
  /** The device knobs as the profile resolves them (null when they are invalid). */
  deviceResolved: ResolvedDeviceParameters | null;
}

export interface NewSweep {
  spec: SweepSpec;
  gridAxes: readonly ParameterName[];
  artifact: ModelArtifactInfo;
  runs: readonly NewRun[];
}

export interface CreatedSweep {
  sweepId: string;
  runCount: number;
  /** Runs whose configuration already had a result: stored as cached, not enqueued. */
  cachedCount: number;
  /** Runs left to compute. */
  queued: QueuedRun[];
}

/** A run waiting for its job: the job key names the job (several runs may share it). */
export interface QueuedRun {
  runId: string;
  configHash: string;
  jobKey: string;
}

export type RunCounts = Record<RunStatus, number>;

export type SweepStatus =
  'queued' | 'running' | 'cancelling' | 'cancelled' | 'completed' | 'completed_with_failures';

export interface SweepProgress {
  id: string;
  name: string;
  description: string | null;
  model: string;
  artifactVersion: string;
  gridAxes: string[];
  status: SweepStatus;
  runCount: number;
  counts: RunCounts;
  /**
   * Settled runs (succeeded, cached, failed, cancelled) over all runs, in [0, 1], plus the part
   * done of the running runs' passes (a chip job settles its runs together at its end).
   */
  progress: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  cancelledAt: Date | null;
  elapsedMs: number;
  /** Remaining runs at the rate runs settled so far; null before the first run settles. */
  etaMs: number | null;
}

const PARAMETER_NAMES_IN_COLUMN_ORDER = Object.keys(PARAMETER_COLUMNS) as ParameterName[];
const SQL_TYPE = {
  number: 'float8',
  integer: 'int4',
  text: 'text',
  uuid: 'uuid',
  timestamp: 'timestamptz',
} as const;

/** Inserting 10,000 runs as one unnest() per chunk keeps a big sweep to a few round trips. */
const INSERT_CHUNK = 5_000;

function emptyCounts(): RunCounts {
  return Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as RunCounts;
}

/**
 * `pendingFromBeforeCancel`: pending runs queued before the sweep was cancelled (running ones
 * finishing); runs requeued by retry-failed after the cancellation make the sweep run again.
 */
function sweepStatus(
  counts: RunCounts,
  cancelledAt: Date | null,
  pendingFromBeforeCancel: number,
): SweepStatus {
  const pending = counts.queued + counts.running;
  if (pending > 0) {
    if (cancelledAt && pendingFromBeforeCancel > 0) return 'cancelling';
    const settled = counts.succeeded + counts.failed + counts.cancelled;
    return counts.running > 0 || settled > 0 ? 'running' : 'queued';
  }
  if (counts.cancelled > 0) return 'cancelled';
  return counts.failed > 0 ? 'completed_with_failures' : 'completed';
}

interface ProgressRow {
  id: string;
  name: string;
  description: string | null;
  model: string;
  artifact_version: string;
  grid_axes: string[];
  run_count: number;
  created_at: Date;
  cancelled_at: Date | null;
  first_started_at: Date | null;
  last_finished_at: Date | null;
  /** Runs a worker settled (not served from cache, not cancelled): the rate behind the ETA. */
  worker_settled: number;
  pending_before_cancel: number;
  /** Sum over running runs of the fraction of their job's pass done. */
  running_progress: number | null;
  now: Date;
  status_counts: Record<string, number> | null;
}

function toProgress(row: ProgressRow): SweepProgress {
  const counts = emptyCounts();
  for (const [status, count] of Object.entries(row.status_counts ?? {}))
    counts[status as RunStatus] = count;
  const settled = counts.succeeded + counts.cached + counts.failed + counts.cancelled;
  const pending = counts.queued + counts.running;
  const finishedAt = pending === 0 ? (row.last_finished_at ?? row.created_at) : null;
  const startedAt = row.first_started_at;
  const now = row.now.getTime();
  const elapsedMs = (finishedAt ?? row.now).getTime() - row.created_at.getTime();
  let etaMs: number | null = null;
  if (pending === 0) etaMs = 0;
  else if (startedAt && row.worker_settled > 0) {
    etaMs = Math.round(((now - startedAt.getTime()) / row.worker_settled) * pending);
  }
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    model: row.model,
    artifactVersion: row.artifact_version,
    gridAxes: row.grid_axes,
    status: sweepStatus(counts, row.cancelled_at, row.pending_before_cancel),
    runCount: row.run_count,
    counts,
    progress:
      row.run_count > 0
        ? Math.min(
            1,
            (settled + Math.min(row.running_progress ?? 0, counts.running)) / row.run_count,
          )
        : 1,
    createdAt: row.created_at,
    startedAt,
    finishedAt,
    cancelledAt: row.cancelled_at,
    elapsedMs,
    etaMs,
  };
}

const PROGRESS_SELECT = `
  SELECT s.id, s.name, s.description, s.model, s.artifact_version, s.grid_axes, s.run_count,
         s.created_at, s.cancelled_at, now() AS now,
         agg.first_started_at, agg.last_finished_at, agg.worker_settled, agg.pending_before_cancel,
         agg.running_progress, agg.status_counts
  FROM sweeps s
  CROSS JOIN LATERAL (
    SELECT min(r.started_at) AS first_started_at,
           max(r.finished_at) AS last_finished_at,
           count(*) FILTER (WHERE r.status IN ('succeeded', 'failed') AND r.started_at IS NOT NULL)::int AS worker_settled,
           count(*) FILTER (WHERE r.status IN ('queued', 'running') AND r.queued_at <= s.cancelled_at)::int AS pending_before_cancel,
           sum(r.pass_progress) FILTER (WHERE r.status = 'running')::float8 AS running_progress,
           jsonb_build_object(
             'queued', count(*) FILTER (WHERE r.status = 'queued'),
             'running', count(*) FILTER (WHERE r.status = 'running'),
             'succeeded', count(*) FILTER (WHERE r.status = 'succeeded'),
             'cached', count(*) FILTER (WHERE r.status = 'cached'),
             'failed', count(*) FILTER (WHERE r.status = 'failed'),
             'cancelled', count(*) FILTER (WHERE r.status = 'cancelled')) AS status_counts
    FROM runs r WHERE r.sweep_id = s.id
  ) agg`;

/** Sweeps and their runs: creation in one transaction, progress, cancellation and retries. */
export class SweepStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes the sweep and all its runs in one transaction. Runs whose config hash already has a
   * result are stored as cached (finished at once); the rest are queued for the caller to enqueue.
   */
  async createSweep(sweep: NewSweep): Promise<CreatedSweep> {
    return this.dataSource.transaction(async (manager) => {
      const { artifact, spec } = sweep;
      await manager.query(
        `INSERT INTO model_artifacts (model, version, artifact_created_at, metrics)
         VALUES ($1, $2, $3, $4) ON CONFLICT (model, version) DO NOTHING`,
        [artifact.model, artifact.version, artifact.createdAt, JSON.stringify(artifact.metrics)],
      );
      const [{ id: sweepId }] = (await manager.query(
        `INSERT INTO sweeps (name, description, model, artifact_version, spec, grid_axes, run_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [
          spec.name,
          spec.description ?? null,
          spec.model,
          artifact.version,
          JSON.stringify(spec),
          sweep.gridAxes,
          sweep.runs.length,
        ],
      )) as { id: string }[];
      const queued: CreatedSweep['queued'] = [];
      let cachedCount = 0;
      for (let start = 0; start < sweep.runs.length; start += INSERT_CHUNK) {
        const rows = await this.insertRuns(
          manager,
          sweepId,
          artifact,
          sweep.runs.slice(start, start + INSERT_CHUNK),
        );
        for (const row of rows) {
          if (row.status === 'cached') cachedCount++;
          else queued.push({ runId: row.id, configHash: row.config_hash, jobKey: row.job_key });
        }
      }
      return { sweepId, runCount: sweep.runs.length, cachedCount, queued };
    });
  }

  private async insertRuns(
    manager: EntityManager,
    sweepId: string,
    artifact: ModelArtifactInfo,
    runs: readonly NewRun[],
  ): Promise<{ id: string; config_hash: string; job_key: string; status: RunStatus }[]> {
    const parameterColumns = PARAMETER_NAMES_IN_COLUMN_ORDER.map((name) => PARAMETER_COLUMNS[name]);
    const arrays: unknown[][] = [
      runs.map((r) => r.index),
      runs.map((r) => r.repeat),
      runs.map((r) => r.configHash),
      runs.map((r) => r.jobKey ?? r.configHash),
      runs.map((r) => JSON.stringify(r.config)),
      runs.map((r) => (r.deviceResolved ? JSON.stringify(r.deviceResolved) : null)),
      runs.map((r) => r.config.split ?? 'test'),
      runs.map((r) => r.config.sampleCount ?? null),
      ...parameterColumns.map((p) => runs.map((r) => p.read(r.config))),
    ];
    const types = [
      'int4',
      'int4',
      'text',
      'text',
      'jsonb',
      'jsonb',
      'text',
      'int4',
      ...parameterColumns.map((p) => SQL_TYPE[p.type]),
    ];
    const names = [
      'run_index',
      'repeat_index',
      'config_hash',
      'job_key',
      'config',
      'device_resolved',
      'split',
      'sample_count',
      ...parameterColumns.map((p) => p.column),
    ];
    const unnest = types.map((t, i) => `$${i + 4}::${t}[]`).join(', ');
    return manager.query(
      `INSERT INTO runs (sweep_id, model, artifact_version, ${names.join(', ')}, status, finished_at)
       SELECT $1, $2, $3, ${names.map((n) => `u.${n}`).join(', ')},
              CASE WHEN m.config_hash IS NULL THEN 'queued' ELSE 'cached' END,
              CASE WHEN m.config_hash IS NULL THEN NULL ELSE now() END
       FROM unnest(${unnest}) AS u(${names.join(', ')})
       LEFT JOIN results m ON m.config_hash = u.config_hash
       RETURNING id, config_hash, job_key, status`,
      [sweepId, artifact.model, artifact.version, ...arrays],
    );
  }

  async getProgress(sweepId: string): Promise<SweepProgress | null> {
    const rows = (await this.dataSource.query(`${PROGRESS_SELECT} WHERE s.id = $1`, [
      sweepId,
    ])) as ProgressRow[];
    return rows.length > 0 ? toProgress(rows[0]) : null;
  }

  /** Newest first. */
  async listSweeps(
    limit: number,
    offset: number,
  ): Promise<{ total: number; items: SweepProgress[] }> {
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM sweeps`,
    )) as { total: number }[];
    const rows = (await this.dataSource.query(
      `${PROGRESS_SELECT} ORDER BY s.created_at DESC, s.id LIMIT $1 OFFSET $2`,
      [limit, offset],
    )) as ProgressRow[];
    return { total, items: rows.map(toProgress) };
  }

  async getSpec(sweepId: string): Promise<SweepSpec | null> {
    const rows = (await this.dataSource.query(`SELECT spec FROM sweeps WHERE id = $1`, [
      sweepId,
    ])) as { spec: SweepSpec }[];
    return rows[0]?.spec ?? null;
  }

  /**
   * Cancels the sweep's queued runs (running ones finish). Returns the job keys no pending run of
   * any sweep needs any more: their jobs (a chip job once none of its runs is pending) can be
   * removed from the queue.
   */
  async cancel(sweepId: string): Promise<{ cancelledRuns: number; unneededJobKeys: string[] }> {
    return this.dataSource.transaction(async (manager) => {
      // The latest cancellation: runs requeued by retry-failed before it are cancelled too.
      await manager.query(`UPDATE sweeps SET cancelled_at = now() WHERE id = $1`, [sweepId]);
      const cancelled = await sql<{ job_key: string }>(
        manager,
        `UPDATE runs SET status = 'cancelled', finished_at = now(), pass_progress = NULL
         WHERE sweep_id = $1 AND status = 'queued' RETURNING job_key`,
        [sweepId],
      );
      if (cancelled.count === 0) return { cancelledRuns: 0, unneededJobKeys: [] };
      const keys = [...new Set(cancelled.rows.map((r) => r.job_key))];
      const unneeded = (await manager.query(
        `SELECT k.job_key FROM unnest($1::text[]) AS k(job_key)
         WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_key = k.job_key AND r.status IN ('queued', 'running'))`,
        [keys],
      )) as { job_key: string }[];
      return { cancelledRuns: cancelled.count, unneededJobKeys: unneeded.map((r) => r.job_key) };
    });
  }

  /**
   * Puts the sweep's failed runs back in the queued state; returns them for enqueueing. Their
   * attempts so far are kept (the new job counts on from them); the sweep's cancellation time
   * stays, and its cancelled runs stay cancelled.
   */
  async requeueFailed(sweepId: string): Promise<QueuedRun[]> {
    const { rows } = await sql<{ id: string; config_hash: string; job_key: string }>(
      this.dataSource,
      `UPDATE runs SET status = 'queued', error = NULL, worker_id = NULL, started_at = NULL,
              finished_at = NULL, queued_at = now(), prior_attempts = attempts, pass_progress = NULL
       WHERE sweep_id = $1 AND status = 'failed' RETURNING id, config_hash, job_key`,
      [sweepId],
    );
    return rows.map((r) => ({ runId: r.id, configHash: r.config_hash, jobKey: r.job_key }));
  }

  /**
   * After enqueueing: a run whose job id was already taken by a job that has since finished
   * would wait forever; its result exists now, so it is served from cache.
   */
  async settleCachedRuns(sweepId: string): Promise<number> {
    const result = await sql(
      this.dataSource,
      `UPDATE runs r SET status = 'cached', finished_at = now()
       FROM results m WHERE r.sweep_id = $1 AND r.status = 'queued' AND m.config_hash = r.config_hash`,
      [sweepId],
    );
    return result.count;
  }

  /** When enqueueing failed: the runs fail with the reason, so retry-failed can requeue them. */
  async failQueuedRuns(sweepId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE runs SET status = 'failed', error = $2, finished_at = now() WHERE sweep_id = $1 AND status = 'queued'`,
      [sweepId, error],
    );
  }
}
