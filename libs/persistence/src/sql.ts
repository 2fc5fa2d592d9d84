/** Anything that runs SQL: a DataSource, an EntityManager inside a transaction. */
export interface SqlExecutor {
  query(text: string, parameters?: unknown[]): Promise<unknown>;
}

export interface SqlResult<T> {
  rows: T[];
  /** Rows affected (UPDATE/DELETE) or returned. */
  count: number;
}

/**
 * Runs one statement and normalizes TypeORM's postgres result shapes: SELECT and INSERT return
 * the rows, UPDATE and DELETE return [rows, rowCount].
 */
export async function sql<T = Record<string, unknown>>(
  executor: SqlExecutor,
  text: string,
  parameters: unknown[] = [],
): Promise<SqlResult<T>> {
  const raw = await executor.query(text, parameters);
  if (
    Array.isArray(raw) &&
    raw.length === 2 &&
    Array.isArray(raw[0]) &&
    typeof raw[1] === 'number'
  ) {
    return { rows: raw[0] as T[], count: raw[1] };
  }
  const rows = (raw ?? []) as T[];
  return { rows, count: rows.length };
}
