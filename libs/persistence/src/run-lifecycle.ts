import type { DataSource } from 'typeorm';
import type { EvaluationConfig, EvaluationResult } from '@engram/contracts';
import { METRIC_COLUMNS, MetricName } from './fields';
import { sql } from './sql';

/** A pending run the worker claimed by its job key, read back from the database. */
export interface ClaimedRun {
  id: string;
  sweepId: string;
  configHash: string;
  model: string;
  artifactVersion: string;
  config: EvaluationConfig;
}

export interface Claim {
  runs: ClaimedRun[];
  /** Config hashes of claimed runs that already have a result (e.g. a redelivered job). */
  resultHashes: string[];
  /**
   * Nothing is left to compute: every claimed configuration has a result (with no run claimed,
   * whether the key, as a config hash, has one).
   */
  resultExists: boolean;
}

/** One computed configuration to store: its result and the run it is recorded against. */
export interface ComputedResult {
  configHash: string;
  result: EvaluationResult;
  runId: string;
}

const METRIC_ENTRIES = Object.entries(METRIC_COLUMNS) as [MetricName, { column: string }][];

/** JSON has no NaN: exits no sample reached are stored as null. */
function finiteOrNull(values: number[]): (number | null)[] {
  return values.map((v) => (Number.isFinite(v) ? v : null));
}

/**
 * The worker's state transitions of runs. A job claims, retries, releases and fails the pending
 * runs of its job key (a chip hash: every run of the chip; a config hash: that configuration's
 * runs); results are stored per config hash, and every pending run with a stored config hash
 * (in any sweep) succeeds with it, so a configuration shared by sweeps is computed once. Each
 * transition only touches runs still pending, which makes redelivered jobs harmless.
 */
export class RunLifecycle {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Marks the pending runs of this job key running, with the worker id and their attempt number:
   * the attempts of earlier jobs plus `attempt`, the current job's.
   */
  async claim(jobKey: string, workerId: string, attempt: number): Promise<Claim> {
    const claimed = await sql<{
      id: string;
      sweep_id: string;
      config_hash: string;
      model: string;
      artifact_version: string;
      config: EvaluationConfig;
    }>(
      this.dataSource,
      `UPDATE runs SET status = 'running', attempts = prior_attempts + $3, worker_id = $2,
              started_at = coalesce(started_at, now()), pass_progress = 0
       WHERE job_key = $1 AND status IN ('queued', 'running')
       RETURNING id, sweep_id, config_hash, model, artifact_version, config`,
      [jobKey, workerId, attempt],
    );
    const runs = claimed.rows
      .map((r) => ({
        id: r.id,
        sweepId: r.sweep_id,
        configHash: r.config_hash,
        model: r.model,
        artifactVersion: r.artifact_version,
        config: r.config,
      }))
      // Stable order (the run index within a sweep is not unique across sweeps): by config hash.
      .sort((a, b) => (a.configHash < b.configHash ? -1 : a.configHash > b.configHash ? 1 : 0));
    const hashes = [...new Set([jobKey, ...runs.map((r) => r.configHash)])];
    const existing = await sql<{ config_hash: string }>(
      this.dataSource,
      `SELECT config_hash FROM results WHERE config_hash = ANY($1::text[])`,
      [hashes],
    );
    const stored = new Set(existing.rows.map((r) => r.config_hash));
    const resultHashes = [...new Set(runs.map((r) => r.configHash))].filter((h) => stored.has(h));
    return {
      runs,
      resultHashes,
      resultExists:
        runs.length === 0 ? stored.has(jobKey) : runs.every((r) => stored.has(r.configHash)),
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
    return this.completeMany([{ configHash, result, runId }], workerId);
  }

  /**
   * Stores the results of one job (a chip job's configurations; each at most once per hash) and
   * marks every pending run with those hashes succeeded, all in one transaction: a job killed
   * before it commits leaves none of its results, one killed after leaves all of them.
   */
  async completeMany(results: readonly ComputedResult[], workerId: string): Promise<number> {
    if (results.length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      const columns = METRIC_ENTRIES.map(([, m]) => m.column);
      const fixed = [
        'config_hash',
        'model',
        'artifact_version',
        'exit_histogram',
        'exit_accuracy',
        'energy_breakdown_pj',
        'energy_digital_baseline',
        'digital_energy_breakdown_pj',
        'timing',
        'run_id',
        'worker_id',
      ];
      const names = [...fixed, ...columns];
      // A chip's results in a few statements: 1,000 rows of 31 values stay under 65,535 parameters.
      const rowsPerInsert = Math.floor(60_000 / names.length);
      for (let start = 0; start < results.length; start += rowsPerInsert) {
        const chunk = results.slice(start, start + rowsPerInsert);
        const values: unknown[] = [];
        const tuples = chunk.map(({ configHash, result, runId }) => {
          const row = [
            configHash,
            result.model,
            result.artifactVersion,
            JSON.stringify(result.exitHistogram),
            JSON.stringify(finiteOrNull(result.exitAccuracy)),
            JSON.stringify(result.energyBreakdownPj),
            result.digitalBaseline,
            JSON.stringify(result.digitalEnergyBreakdownPj),
            result.timing,
            runId,
            workerId,
            ...METRIC_ENTRIES.map(([name]) => result[name]),
          ];
          const first = values.length;
          values.push(...row);
          return `(${row.map((_, i) => `$${first + i + 1}`).join(', ')})`;
        });
        await manager.query(
          `INSERT INTO results (${names.join(', ')}) VALUES ${tuples.join(', ')}
           ON CONFLICT (config_hash) DO NOTHING`,
          values,
        );
      }
      return this.settle(
        manager,
        results.map((r) => r.configHash),
      );
    });
  }

  /** Marks pending runs succeeded from the stored results of these hashes (no evaluation). */
  async settleFromExistingResult(configHashes: string | readonly string[]): Promise<number> {
    return this.settle(
      this.dataSource,
      typeof configHashes === 'string' ? [configHashes] : configHashes,
    );
  }

  private async settle(
    executor: { query(text: string, parameters?: unknown[]): Promise<unknown> },
    configHashes: readonly string[],
  ): Promise<number> {
    const settled = await sql(
      executor,
      `UPDATE runs SET status = 'succeeded', finished_at = now(), error = NULL, pass_progress = NULL
       WHERE config_hash = ANY($1::text[]) AND status IN ('queued', 'running')`,
      [configHashes],
    );
    return settled.count;
  }

  /** A transient failure that will be retried: the key's runs wait again, with the last error kept. */
  async recordRetry(jobKey: string, error: string): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE runs SET status = 'queued', error = $2, pass_progress = NULL
       WHERE job_key = $1 AND status IN ('queued', 'running')`,
      [jobKey, error],
    );
  }

  /** Fails every pending run of the job key for good, with the reason. */
  async fail(jobKey: string, error: string): Promise<number> {
    const failed = await sql(
      this.dataSource,
      `UPDATE runs SET status = 'failed', error = $2, finished_at = now(), pass_progress = NULL
       WHERE job_key = $1 AND status IN ('queued', 'running')`,
      [jobKey, error],
    );
    return failed.count;
  }

  /**
   * Fails the pending runs of these configurations of a job for good (a chip job whose other
   * configurations could be computed), each with its own reason.
   */
  async failConfigs(
    jobKey: string,
    failures: readonly { configHash: string; error: string }[],
  ): Promise<number> {
    if (failures.length === 0) return 0;
    const failed = await sql(
      this.dataSource,
      `UPDATE runs r SET status = 'failed', error = f.error, finished_at = now(), pass_progress = NULL
       FROM unnest($2::text[], $3::text[]) AS f(config_hash, error)
       WHERE r.job_key = $1 AND r.config_hash = f.config_hash AND r.status IN ('queued', 'running')`,
      [jobKey, failures.map((f) => f.configHash), failures.map((f) => f.error)],
    );
    return failed.count;
  }

  /**
   * The fraction of the job's pass done, shown on its running runs (the sweep's progress adds
   * it): a chip job settles its runs together at its end.
   */
  async reportPassProgress(jobKey: string, workerId: string, fraction: number): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE runs SET pass_progress = $3
       WHERE job_key = $1 AND status = 'running' AND worker_id = $2`,
      [jobKey, workerId, Math.min(1, Math.max(0, fraction))],
    );
  }

  /** A cheap round trip: is the database answering? */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /** Shutdown released the job unfinished: its runs go back to waiting. */
  async release(jobKey: string, workerId: string): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE runs SET status = 'queued', worker_id = NULL, pass_progress = NULL
       WHERE job_key = $1 AND status = 'running' AND worker_id = $2`,
      [jobKey, workerId],
    );
  }
}
