import type { DataSource } from 'typeorm';
import type { EvaluationConfig, EvaluationResult } from '@engram/contracts';
import { METRIC_COLUMNS, MetricName } from './fields';
import { sql } from './sql';

/** A pending run the worker claimed: the job's config hash, read back from the database. */
export interface ClaimedRun {
  id: string;
  sweepId: string;
  model: string;
  artifactVersion: string;
  config: EvaluationConfig;
}

export interface Claim {
  runs: ClaimedRun[];
  /** The configuration was already computed (e.g. the job is redelivered after a crash). */
  resultExists: boolean;
}

const METRIC_ENTRIES = Object.entries(METRIC_COLUMNS) as [MetricName, { column: string }][];

/** JSON has no NaN: exits no sample reached are stored as null. */
function finiteOrNull(values: number[]): (number | null)[] {
  return values.map((v) => (Number.isFinite(v) ? v : null));
}

/**
 * The worker's state transitions of runs, all keyed by config hash: every pending run with the
 * hash (in any sweep) moves together, so a configuration shared by sweeps is computed once.
 * Each transition only touches runs still pending, which makes redelivered jobs harmless.
 */
export class RunLifecycle {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Marks the pending runs of this hash running, with the worker id and their attempt number:
   * the attempts of earlier jobs plus `attempt`, the current job's.
   */
  async claim(configHash: string, workerId: string, attempt: number): Promise<Claim> {
    const claimed = await sql<{
      id: string;
      sweep_id: string;
      model: string;
      artifact_version: string;
      config: EvaluationConfig;
    }>(
      this.dataSource,
      `UPDATE runs SET status = 'running', attempts = prior_attempts + $3, worker_id = $2, started_at = coalesce(started_at, now())
       WHERE config_hash = $1 AND status IN ('queued', 'running')
       RETURNING id, sweep_id, model, artifact_version, config`,
      [configHash, workerId, attempt],
    );
    const existing = await sql(this.dataSource, `SELECT 1 FROM results WHERE config_hash = $1`, [
      configHash,
    ]);
    return {
      runs: claimed.rows.map((r) => ({
        id: r.id,
        sweepId: r.sweep_id,
        model: r.model,
        artifactVersion: r.artifact_version,
        config: r.config,
      })),
      resultExists: existing.count > 0,
    };
  }

  /**
   * Stores the result (once per hash: a second delivery finds it and inserts nothing) and marks
   * every pending run with the hash succeeded, in one transaction. Returns the runs settled.
   */
  async complete(
    configHash: string,
    result: EvaluationResult,
    runId: string,
    workerId: string,
  ): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const columns = METRIC_ENTRIES.map(([, m]) => m.column);
      const values = METRIC_ENTRIES.map(([name]) => result[name]);
      const fixed = [
        'config_hash',
        'model',
        'artifact_version',
        'exit_histogram',
        'exit_accuracy',
        'energy_breakdown_pj',
        'energy_digital_baseline',
        'digital_energy_breakdown_pj',
        'run_id',
        'worker_id',
      ];
      const placeholders = [...fixed, ...columns].map((_, i) => `$${i + 1}`).join(', ');
      await manager.query(
        `INSERT INTO results (${[...fixed, ...columns].join(', ')}) VALUES (${placeholders})
         ON CONFLICT (config_hash) DO NOTHING`,
        [
          configHash,
          result.model,
          result.artifactVersion,
          JSON.stringify(result.exitHistogram),
          JSON.stringify(finiteOrNull(result.exitAccuracy)),
          JSON.stringify(result.energyBreakdownPj),
          result.digitalBaseline,
          JSON.stringify(result.digitalEnergyBreakdownPj),
          runId,
          workerId,
          ...values,
        ],
      );
      return this.settle(manager, configHash);
    });
  }

  /** Marks pending runs succeeded from the stored result (no evaluation). */
  async settleFromExistingResult(configHash: string): Promise<number> {
    return this.settle(this.dataSource, configHash);
  }

  private async settle(
    executor: { query(text: string, parameters?: unknown[]): Promise<unknown> },
    configHash: string,
  ): Promise<number> {
    const settled = await sql(
      executor,
      `UPDATE runs SET status = 'succeeded', finished_at = now(), error = NULL
       WHERE config_hash = $1 AND status IN ('queued', 'running')`,
      [configHash],
    );
    return settled.count;
  }

  /** A transient failure that will be retried: runs wait again, with the last error kept. */
  async recordRetry(configHash: string, error: string): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE runs SET status = 'queued', error = $2 WHERE config_hash = $1 AND status IN ('queued', 'running')`,
      [configHash, error],
    );
  }

  /** Fails every pending run of the hash for good, with the reason. */
  async fail(configHash: string, error: string): Promise<number> {
    const failed = await sql(
      this.dataSource,
      `UPDATE runs SET status = 'failed', error = $2, finished_at = now()
       WHERE config_hash = $1 AND status IN ('queued', 'running')`,
      [configHash, error],
    );
    return failed.count;
  }

  /** A cheap round trip: is the database answering? */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /** Shutdown released the job unfinished: its runs go back to waiting. */
  async release(configHash: string, workerId: string): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE runs SET status = 'queued', worker_id = NULL
       WHERE config_hash = $1 AND status = 'running' AND worker_id = $2`,
      [configHash, workerId],
    );
  }
}
