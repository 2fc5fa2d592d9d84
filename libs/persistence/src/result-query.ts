import type { DataSource } from 'typeorm';
import {
  PARAMETER_NAMES,
  type EvaluationConfig,
  type EvaluationSplit,
  type ParameterName,
  type RunTiming,
} from '@engram/contracts';
import {
  FieldType,
  METRIC_COLUMNS,
  METRIC_NAMES,
  MetricName,
  PARAMETER_COLUMNS,
  QUERY_FIELDS,
  QueryField,
  RunStatus,
  SUMMARY_METRICS,
  TextParameterName,
} from './fields';

export type FilterOperator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in';
export type FieldValue = number | string;

export interface Filter {
  field: string;
  op: FilterOperator;
  /** One value, or several for `in`. */
  value: FieldValue | FieldValue[];
}

export interface SortKey {
  field: string;
  direction: 'asc' | 'desc';
}

export interface RunQuery {
  sweepId?: string;
  /** Only runs that have a result (succeeded or cached). */
  withResultsOnly?: boolean;
  filters?: Filter[];
  sort?: SortKey[];
  limit: number;
  offset: number;
}

/** A run's value of every sweep parameter; null: the default (device profile or platform). */
export type RunParameters = {
  [K in ParameterName]: (K extends TextParameterName ? string : number) | null;
};

export interface RunRecord {
  runId: string;
  sweepId: string;
  runIndex: number;
  repeat: number;
  status: RunStatus;
  configHash: string;
  model: string;
  artifactVersion: string;
  parameters: RunParameters;
  split: EvaluationSplit;
  sampleCount: number | null;
  attempts: number;
  workerId: string | null;
  error: string | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  config: EvaluationConfig;
  metrics: Record<MetricName, number> | null;
  exitHistogram: number[] | null;
  exitAccuracy: (number | null)[] | null;
  energyBreakdownPj: Record<string, number> | null;
  /** Digital baseline the result's energy reductions are against (null: energy model 1). */
  energyBaseline: string | null;
  digitalEnergyBreakdownPj: Record<string, number> | null;
  /** How the result was made: 'derived' from its chip's pass or 'measured' (null: no result). */
  timing: RunTiming | null;
}

/** A filter, sort or value that names an unknown field or a value of the wrong type. */
export class QueryFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'QueryFieldError';
  }
}

export interface SummaryGroup {
  /** The grid point: values of the grouped axes. */
  values: Partial<RunParameters>;
  count: number;
  metrics: Partial<Record<MetricName, { mean: number | null; std: number | null }>>;
}

export interface SweepSummary {
  groupBy: ParameterName[];
  metrics: MetricName[];
  groups: SummaryGroup[];
}

/**
 * The metrics a summary aggregates, from a comma-separated list (`dynamicAccuracy,wallTimeMs`);
 * none given (undefined or empty): the ones a sweep is run for. An unknown name is refused, as
 * `metrics.<name>`, with the list of metrics.
 */
export function summaryMetrics(text: string | undefined): MetricName[] {
  if (!text) return [...SUMMARY_METRICS];
  const names = text.split(',').filter(Boolean);
  const unknown = names.find((name) => !(METRIC_NAMES as string[]).includes(name));
  if (unknown !== undefined)
    throw new QueryFieldError(
      `metrics.${unknown}`,
      `not a metric; metrics: ${METRIC_NAMES.join(', ')}`,
    );
  return names as MetricName[];
}

const OPERATORS: Record<Exclude<FilterOperator, 'in'>, string> = {
  eq: '=',
  ne: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};
const METRIC_ENTRIES = Object.entries(METRIC_COLUMNS) as [MetricName, { column: string }][];

export function queryField(name: string): QueryField {
  const field = QUERY_FIELDS.get(name);
  if (!field)
    throw new QueryFieldError(
      name,
      `unknown field; known fields: ${[...QUERY_FIELDS.keys()].join(', ')}`,
    );
  return field;
}

const FILTER_OPERATORS = [...Object.keys(OPERATORS), 'in'] as readonly FilterOperator[];

/**
 * One filter as a query string writes it: `field[op]=value`. The field must be known and the
 * operator one of eq, ne, gt, gte, lt, lte, in; `in`, and `eq` with a comma, take a
 * comma-separated list (`status=failed,cancelled`: any of). Values are checked against the
 * field's type when the query runs.
 */
export function runFilter(field: string, op: string, value: string): Filter {
  queryField(field);
  if (!(FILTER_OPERATORS as readonly string[]).includes(op))
    throw new QueryFieldError(
      `${field}[${op}]`,
      `unknown operator; use one of ${FILTER_OPERATORS.join(', ')}`,
    );
  if (op === 'in' || (op === 'eq' && value.includes(',')))
    return { field, op: 'in', value: value.split(',') };
  return { field, op: op as FilterOperator, value };
}

/** One sort key as a query string writes it: a known field, with '-' before it for descending. */
export function runSortKey(text: string): SortKey {
  const descending = text.startsWith('-');
  const field = descending ? text.slice(1) : text;
  if (!field)
    throw new QueryFieldError('sort', 'empty sort key: name a field, e.g. sort=-dynamicAccuracy');
  queryField(field);
  return { field, direction: descending ? 'desc' : 'asc' };
}

/** PostgreSQL integer columns are 32-bit. */
const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** ISO 8601 date or date-time, years 0001-9999 (PostgreSQL stores more, JavaScript dates fewer). */
const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function coerceTimestamp(field: QueryField, value: FieldValue): string {
  const text = String(value);
  const parts = TIMESTAMP_TEXT.exec(text);
  // A date-time without an offset is read as UTC, whatever the server's time zone.
  const iso = text.replace(' ', 'T');
  const date = new Date(parts && parts[4] && !parts[7] ? `${iso}Z` : iso);
  if (!parts || Number(parts[1]) < 1 || Number.isNaN(date.getTime())) {
    throw new QueryFieldError(
      field.name,
      `not a timestamp: ${text} (ISO 8601, e.g. 2026-01-31 or 2026-01-31T12:00:00Z, years 0001-9999)`,
    );
  }
  return date.toISOString();
}

/**
 * A filter value checked against its column's type before it reaches SQL: integers in the
 * 32-bit range and written as integers (no exponent), finite numbers, UUIDs, ISO timestamps,
 * text without NUL (PostgreSQL text cannot hold it). Every refusal names the field.
 */
function coerce(field: QueryField, value: FieldValue): FieldValue {
  if (field.type === 'text') {
    const text = String(value);
    if (text.includes('\u0000')) throw new QueryFieldError(field.name, 'must not contain NUL');
    return text;
  }
  if (field.type === 'uuid') {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(String(value))) {
      throw new QueryFieldError(field.name, `not a UUID: ${value}`);
    }
    return String(value);
  }
  if (field.type === 'timestamp') return coerceTimestamp(field, value);
  if (field.type === 'integer') {
    const number =
      typeof value === 'number' ? value : INTEGER_TEXT.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(number)) {
      const numeric = typeof value === 'string' && DECIMAL_TEXT.test(value);
      throw new QueryFieldError(
        field.name,
        `${numeric ? 'not an integer' : 'not a number'}: ${value}`,
      );
    }
    if (number < INT4_MIN || number > INT4_MAX)
      throw new QueryFieldError(field.name, `out of range: must be in [${INT4_MIN}, ${INT4_MAX}]`);
    return number;
  }
  const number = typeof value === 'number' ? value : DECIMAL_TEXT.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(number)) throw new QueryFieldError(field.name, `not a number: ${value}`);
  return number;
}

const PG_ARRAY_TYPE: Record<FieldType, string> = {
  uuid: 'uuid[]',
  number: 'float8[]',
  integer: 'int4[]',
  text: 'text[]',
  timestamp: 'timestamptz[]',
};

class WhereBuilder {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  add(clause: (placeholder: string) => string, value: unknown): void {
    this.params.push(value);
    this.clauses.push(clause(`$${this.params.length}`));
  }

  get sql(): string {
    return this.clauses.length > 0 ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

function buildWhere(
  query: Pick<RunQuery, 'sweepId' | 'withResultsOnly' | 'filters'>,
): WhereBuilder {
  const where = new WhereBuilder();
  if (query.sweepId) where.add((p) => `r.sweep_id = ${p}`, query.sweepId);
  if (query.withResultsOnly) where.clauses.push('m.config_hash IS NOT NULL');
  for (const filter of query.filters ?? []) {
    const field = queryField(filter.field);
    const column = field.sql;
    if (filter.op === 'in') {
      const values = (Array.isArray(filter.value) ? filter.value : [filter.value]).map((v) =>
        coerce(field, v),
      );
      where.add((p) => `${column} = ANY(${p}::${PG_ARRAY_TYPE[field.type]})`, values);
    } else {
      if (Array.isArray(filter.value))
        throw new QueryFieldError(filter.field, `${filter.op} takes one value`);
      const value = coerce(field, filter.value);
      where.add(
        (p) => `${column} ${OPERATORS[filter.op as Exclude<FilterOperator, 'in'>]} ${p}`,
        value,
      );
    }
  }
  return where;
}

function orderBy(sort: SortKey[] | undefined): string {
  const keys = (sort ?? []).map(
    (key) => `${queryField(key.field).sql} ${key.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`,
  );
  // The run index makes pages stable when the requested keys tie.
  keys.push('r.sweep_id', 'r.run_index');
  return `ORDER BY ${keys.join(', ')}`;
}

interface RunRow {
  [column: string]: unknown;
}

function toRecord(row: RunRow): RunRecord {
  const parameters = Object.fromEntries(
    PARAMETER_NAMES.map((name) => [name, row[PARAMETER_COLUMNS[name].column]]),
  ) as RunParameters;
  const hasResult = row['result_hash'] !== null;
  let metrics: RunRecord['metrics'] = null;
  if (hasResult) {
    metrics = {} as Record<MetricName, number>;
    for (const [name, { column }] of METRIC_ENTRIES) metrics[name] = row[column] as number;
  }
  return {
    runId: row['id'] as string,
    sweepId: row['sweep_id'] as string,
    runIndex: row['run_index'] as number,
    repeat: row['repeat_index'] as number,
    status: row['status'] as RunStatus,
    configHash: row['config_hash'] as string,
    model: row['model'] as string,
    artifactVersion: row['artifact_version'] as string,
    parameters,
    split: row['split'] as EvaluationSplit,
    sampleCount: row['sample_count'] as number | null,
    attempts: row['attempts'] as number,
    workerId: row['worker_id'] as string | null,
    error: row['error'] as string | null,
    queuedAt: row['queued_at'] as Date,
    startedAt: row['started_at'] as Date | null,
    finishedAt: row['finished_at'] as Date | null,
    config: row['config'] as EvaluationConfig,
    metrics,
    exitHistogram: (row['exit_histogram'] as number[] | null) ?? null,
    exitAccuracy: (row['exit_accuracy'] as (number | null)[] | null) ?? null,
    energyBreakdownPj: (row['energy_breakdown_pj'] as Record<string, number> | null) ?? null,
    energyBaseline: (row['energy_digital_baseline'] as string | null) ?? null,
    digitalEnergyBreakdownPj:
      (row['digital_energy_breakdown_pj'] as Record<string, number> | null) ?? null,
    timing: (row['timing'] as RunTiming | null) ?? null,
  };
}

const SELECT_RUNS = `
  SELECT r.*, m.config_hash AS result_hash, ${METRIC_ENTRIES.map(([, m]) => `m.${m.column}`).join(', ')},
         m.exit_histogram, m.exit_accuracy, m.energy_breakdown_pj, m.energy_digital_baseline,
         m.digital_energy_breakdown_pj, m.timing
  FROM runs r LEFT JOIN results m ON m.config_hash = r.config_hash`;

/** Read side of runs and results: filtered, sorted pages, CSV rows and per-grid-point summaries. */
export class ResultQuery {
  constructor(private readonly dataSource: DataSource) {}

  async runs(query: RunQuery): Promise<{ total: number; items: RunRecord[] }> {
    const where = buildWhere(query);
    const order = orderBy(query.sort);
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM runs r LEFT JOIN results m ON m.config_hash = r.config_hash ${where.sql}`,
      where.params,
    )) as { total: number }[];
    const n = where.params.length;
    const rows = (await this.dataSource.query(
      `${SELECT_RUNS} ${where.sql} ${order} LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.params, query.limit, query.offset],
    )) as RunRow[];
    return { total, items: rows.map(toRecord) };
  }

  /**
   * Mean, sample standard deviation and count of each metric per grid point, over the seeds and
   * repeats of the point (axes other than seed). Only runs with a result count.
   */
  async summary(
    sweepId: string,
    groupBy: ParameterName[],
    metrics: readonly MetricName[],
  ): Promise<SweepSummary> {
    const groupColumns = groupBy.map((name) => `r.${PARAMETER_COLUMNS[name].column}`);
    const aggregates = metrics.map((name) => {
      const column = `m.${METRIC_COLUMNS[name].column}`;
      return `avg(${column}) AS "${name}_mean", stddev_samp(${column}) AS "${name}_std"`;
    });
    const select = [
      ...groupColumns.map((c, i) => `${c} AS "${groupBy[i]}"`),
      'count(*)::int AS count',
      ...aggregates,
    ];
    const rows = (await this.dataSource.query(
      `SELECT ${select.join(', ')}
       FROM runs r JOIN results m ON m.config_hash = r.config_hash
       WHERE r.sweep_id = $1 AND r.status IN ('succeeded', 'cached')
       ${groupColumns.length > 0 ? `GROUP BY ${groupColumns.join(', ')} ORDER BY ${groupColumns.join(', ')}` : ''}`,
      [sweepId],
    )) as Record<string, number | string | null>[];
    const groups = rows
      .filter((row) => (row['count'] as number) > 0)
      .map((row) => {
        const values = Object.fromEntries(
          groupBy.map((name) => [name, row[name]]),
        ) as SummaryGroup['values'];
        const summary: SummaryGroup['metrics'] = {};
        for (const name of metrics) {
          summary[name] = {
            mean: row[`${name}_mean`] as number | null,
            std: row[`${name}_std`] as number | null,
          };
        }
        return { values, count: row['count'] as number, metrics: summary };
      });
    return { groupBy, metrics: [...metrics], groups };
  }
}
