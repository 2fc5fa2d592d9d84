import type { DataSource, EntityManager } from 'typeorm';
import { sql } from './sql';

/** One config hash with runs waiting for a worker, and one of those runs (for the job payload). */
export interface PendingHash {
  configHash: string;
  runId: string;
  sweepId: string;
}

export interface RepairedHashes {
  /** Runs settled without a job: from a result that already existed, or cancelled with their sweep. */
  settledRuns: number;
  /** Sweeps whose runs were settled here (the sweep status follows from its runs). */
  sweepsRepaired: number;
  /** Runs put back in the queued state. */
  requeuedRuns: number;
  /** Hashes to enqueue again, their runs queued, their attempts so far kept as prior attempts. */
  requeue: PendingHash[];
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

  /** Up to `limit` hashes with pending runs, after `afterHash` in hash order (a cursor). */
  async pendingHashes(
    manager: EntityManager,
    afterHash: string,
    limit: number,
  ): Promise<PendingHash[]> {
    const rows = (await manager.query(
      `SELECT DISTINCT ON (config_hash) config_hash, id, sweep_id FROM runs
       WHERE status IN ('queued', 'running') AND config_hash > $1
       ORDER BY config_hash, queued_at LIMIT $2`,
      [afterHash, limit],
    )) as { config_hash: string; id: string; sweep_id: string }[];
    return rows.map((r) => ({ configHash: r.config_hash, runId: r.id, sweepId: r.sweep_id }));
  }

  /**
   * For hashes that have no live job: runs whose result exists are settled from it; runs of a
   * cancelled sweep queued before the cancellation are cancelled (they were only waiting to be
   * stopped); the rest go back to queued and are returned for enqueueing. Their attempts so far
   * become prior attempts, except the one a running run was interrupted in: not a failure of its
   * own, its next claim repeats that attempt number (and a worker still computing it, whose job
   * vanished with Redis, settles it with the attempts it has).
   */
  async repair(manager: EntityManager, hashes: readonly string[]): Promise<RepairedHashes> {
    if (hashes.length === 0)
      return { settledRuns: 0, sweepsRepaired: 0, requeuedRuns: 0, requeue: [] };
    const settled = await sql<{ sweep_id: string }>(
      manager,
      `UPDATE runs r SET status = 'succeeded', finished_at = now(), error = NULL
       FROM results m
       WHERE m.config_hash = r.config_hash AND r.config_hash = ANY($1::text[])
         AND r.status IN ('queued', 'running')
       RETURNING r.sweep_id`,
      [hashes],
    );
    const cancelled = await sql<{ sweep_id: string }>(
      manager,
      `UPDATE runs r SET status = 'cancelled', finished_at = now()
       FROM sweeps s
       WHERE s.id = r.sweep_id AND s.cancelled_at IS NOT NULL AND r.queued_at <= s.cancelled_at
         AND r.config_hash = ANY($1::text[]) AND r.status IN ('queued', 'running')
       RETURNING r.sweep_id`,
      [hashes],
    );
    const requeued = await sql<{ config_hash: string; id: string; sweep_id: string }>(
      manager,
      `UPDATE runs SET status = 'queued', worker_id = NULL,
              prior_attempts = CASE WHEN status = 'running' THEN greatest(attempts - 1, 0) ELSE attempts END
       WHERE config_hash = ANY($1::text[]) AND status IN ('queued', 'running')
       RETURNING config_hash, id, sweep_id`,
      [hashes],
    );
    const byHash = new Map<string, PendingHash>();
    for (const r of requeued.rows)
      if (!byHash.has(r.config_hash))
        byHash.set(r.config_hash, { configHash: r.config_hash, runId: r.id, sweepId: r.sweep_id });
    const sweeps = new Set([...settled.rows, ...cancelled.rows].map((r) => r.sweep_id));
    return {
      settledRuns: settled.count + cancelled.count,
      sweepsRepaired: sweeps.size,
      requeuedRuns: requeued.count,
      requeue: [...byHash.values()],
    };
  }
}
