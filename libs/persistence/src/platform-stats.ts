import type { DataSource } from 'typeorm';
import { RUN_STATUSES, RunStatus } from './fields';

export interface DurationHistogram {
  /** Cumulative counts per upper bound (seconds), as Prometheus buckets. */
  buckets: { le: number; count: number }[];
  count: number;
  sumSeconds: number;
}

/** Aggregates over the whole database for /metrics: the database is the source of truth. */
export class PlatformStats {
  constructor(private readonly dataSource: DataSource) {}

  async runsByStatus(): Promise<Record<RunStatus, number>> {
    const rows = (await this.dataSource.query(
      `SELECT status, count(*)::int AS n FROM runs GROUP BY status`,
    )) as {
      status: RunStatus;
      n: number;
    }[];
    const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** Durations (start to finish) of runs a worker settled, succeeded or failed. */
  async runDurations(bucketsSeconds: readonly number[]): Promise<DurationHistogram> {
    const filters = bucketsSeconds.map(
      (_, i) => `count(*) FILTER (WHERE d <= $${i + 1})::int AS b${i}`,
    );
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS count, coalesce(sum(d), 0)::float8 AS sum ${filters.length ? ',' : ''} ${filters.join(', ')}
       FROM (SELECT extract(epoch FROM finished_at - started_at)::float8 AS d FROM runs
             WHERE status IN ('succeeded', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL) t`,
      [...bucketsSeconds],
    )) as Record<string, number>[];
    return {
      buckets: bucketsSeconds.map((le, i) => ({ le, count: row[`b${i}`] })),
      count: row['count'],
      sumSeconds: row['sum'],
    };
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
