import type { DataSource, EntityManager } from 'typeorm';
import { sql } from './sql';

/**
 * One job key with runs waiting for a worker, its kind (a chip job when the key is not the run's
 * own config hash) and one of those runs (for the job payload).
 */
export interface PendingJob {
  jobKey: string;
  kind: 'run' | 'chip';
  runId: string;
  sweepId: string;
}

interface PendingRow {
  job_key: string;
  config_hash: string;
  id: string;
  sweep_id: string;
}

function pendingJob(row: PendingRow): PendingJob {
  return {
    jobKey: row.job_key,
    kind: row.job_key === row.config_hash ? 'run' : 'chip',
    runId: row.id,
    sweepId: row.sweep_id,
  };
}

export interface RepairedHashes {
  /** Runs settled without a job: from a result that already existed, or cancelled with their sweep. */
  settledRuns: number;
  /** Sweeps whose runs were settled here (the sweep status follows from its runs). */
  sweepsRepaired: number;
  /** Runs put back in the queued state. */
  requeuedRuns: number;
  /** Job keys to enqueue again, their runs queued, their attempts so far kept as prior attempts. */
  requeue: PendingJob[];
}

/** Arbitrary but fixed: the advisory lock key of the reconciler ("engram" + 17). */
export const RECONCILER_LOCK_KEY = 6_571_726_117;

/**
 * The database side of reconciliation (the ReconciliationStore of @engram/queue's
 * QueueReconciler): the database says which runs must still run; the reconciler compares that
 * with the queue and hands back the hashes whose job is gone.
 */
export class RunReconciliation {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `pass` inside a transaction holding the reconciler's advisory lock, or returns null at
   * once when another replica holds it: one pass at a time across every API and worker replica.
   */
  async exclusively<T>(pass: (manager: EntityManager) => Promise<T>): Promise<T | null> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [
        RECONCILER_LOCK_KEY,
      ])) as { locked: boolean }[];
      return locked ? pass(manager) : null;
    });
  }

  /** Up to `limit` job keys with pending runs, after `afterKey` in key order (a cursor). */
  async pendingJobKeys(
    manager: EntityManager,
    afterKey: string,
    limit: number,
  ): Promise<PendingJob[]> {
    const rows = (await manager.query(
      `SELECT DISTINCT ON (job_key) job_key, config_hash, id, sweep_id FROM runs
       WHERE status IN ('queued', 'running') AND job_key > $1
       ORDER BY job_key, queued_at LIMIT $2`,
      [afterKey, limit],
    )) as PendingRow[];
    return rows.map(pendingJob);
  }

  /**
   * For job keys that have no live job: runs whose result exists are settled from it; runs of a
   * cancelled sweep queued before the cancellation are cancelled (they were only waiting to be
   * stopped); the rest go back to queued and are returned for enqueueing. Their attempts so far
   * become prior attempts, except the one a running run was interrupted in: not a failure of its
   * own, its next claim repeats that attempt number (and a worker still computing it, whose job
   * vanished with Redis, settles it with the attempts it has).
   */
  async repair(manager: EntityManager, jobKeys: readonly string[]): Promise<RepairedHashes> {
    if (jobKeys.length === 0)
      return { settledRuns: 0, sweepsRepaired: 0, requeuedRuns: 0, requeue: [] };
    const settled = await sql<{ sweep_id: string }>(
      manager,
      `UPDATE runs r SET status = 'succeeded', finished_at = now(), error = NULL, pass_progress = NULL
       FROM results m
       WHERE m.config_hash = r.config_hash AND r.job_key = ANY($1::text[])
         AND r.status IN ('queued', 'running')
       RETURNING r.sweep_id`,
      [jobKeys],
    );
    const cancelled = await sql<{ sweep_id: string }>(
      manager,
      `UPDATE runs r SET status = 'cancelled', finished_at = now(), pass_progress = NULL
       FROM sweeps s
       WHERE s.id = r.sweep_id AND s.cancelled_at IS NOT NULL AND r.queued_at <= s.cancelled_at
         AND r.job_key = ANY($1::text[]) AND r.status IN ('queued', 'running')
       RETURNING r.sweep_id`,
      [jobKeys],
    );
    const requeued = await sql<PendingRow>(
      manager,
      `UPDATE runs SET status = 'queued', worker_id = NULL, pass_progress = NULL,
              prior_attempts = CASE WHEN status = 'running' THEN greatest(attempts - 1, 0) ELSE attempts END
       WHERE job_key = ANY($1::text[]) AND status IN ('queued', 'running')
       RETURNING job_key, config_hash, id, sweep_id`,
      [jobKeys],
    );
    const byKey = new Map<string, PendingJob>();
    for (const r of requeued.rows) if (!byKey.has(r.job_key)) byKey.set(r.job_key, pendingJob(r));
    const sweeps = new Set([...settled.rows, ...cancelled.rows].map((r) => r.sweep_id));
    return {
      settledRuns: settled.count + cancelled.count,
      sweepsRepaired: sweeps.size,
      requeuedRuns: requeued.count,
      requeue: [...byKey.values()],
    };
  }
}
