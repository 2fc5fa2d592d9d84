import { BadRequestException } from '@nestjs/common';
import { QueryFieldError, RunQuery, runFilter, runSortKey } from '@engram/persistence';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1_000;
/** CSV exports are written in pages of this size, up to MAX_CSV_ROWS rows. */
export const CSV_PAGE_SIZE = 5_000;
export const MAX_CSV_ROWS = 200_000;

const RESERVED = new Set(['limit', 'offset', 'sort', 'format', 'metrics']);

export interface ParsedRunQuery extends Required<Pick<RunQuery, 'filters' | 'sort'>> {
  limit: number | undefined;
  offset: number;
  format: 'json' | 'csv';
}

/** What Express' extended query parser (qs) may hand over for one key. */
type QueryValue = string | string[] | { [key: string]: QueryValue } | QueryValue[] | undefined;

function badField(field: string, message: string): BadRequestException {
  return new BadRequestException({ message: 'invalid query', issues: [{ field, message }] });
}

/** One plain text value: a repeated key, `key[]=` or a nested `key[a][b]=` is refused. */
export function singleQueryValue(name: string, value: QueryValue): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw badField(
    name,
    Array.isArray(value)
      ? 'given more than once: give it once (lists are comma-separated: a,b)'
      : 'must be a plain value, not an object',
  );
}

/** A non-negative or bounded integer written in decimal digits (no exponent, sign or spaces). */
export function integerQueryValue(
  name: string,
  value: QueryValue,
  min: number,
  max: number,
): number | undefined {
  const text = singleQueryValue(name, value);
  if (text === undefined) return undefined;
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw badField(name, `must be an integer in [${min}, ${max}]`);
  }
  return n;
}

/**
 * Persistence's refusal of a field, operator or value (QueryFieldError) as the API's 400 naming
 * the parameter; other errors pass through.
 */
export function refusingBadFields<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof QueryFieldError)
      throw badField(error.field, error.message.slice(error.field.length + 2));
    throw error;
  }
}

/** A filter's value: one plain text (`op` eq is written `field=`, the others `field[op]=`). */
function filterValue(field: string, op: string, value: QueryValue): string {
  return singleQueryValue(op === 'eq' ? field : `${field}[${op}]`, value) ?? '';
}

/**
 * Query string -> filters, sort and page. Any run field, sweep axis or metric filters:
 * `readNoise=0.05`, `status=failed,cancelled` (any of), `dynamicAccuracy[gte]=0.9`;
 * `sort=-dynamicAccuracy,readNoise` ('-' for descending); `limit`, `offset`; `format=csv`.
 * Works with Express' simple and extended query parsers alike.
 */
export function parseRunQuery(
  query: Record<string, unknown>,
  excluded: readonly string[] = [],
): ParsedRunQuery {
  const skip = new Set([...RESERVED, ...excluded]);
  return refusingBadFields(() => {
    const filters: ParsedRunQuery['filters'] = [];
    for (const [key, value] of Object.entries(query as Record<string, QueryValue>)) {
      if (value === undefined || skip.has(key)) continue;
      if (!key) throw badField('(empty name)', 'a query parameter without a name');
      const bracket = /^([A-Za-z]+)\[([a-z]+)\]$/.exec(key);
      if (bracket) {
        const [, field, op] = bracket;
        filters.push(runFilter(field, op, filterValue(field, op, value)));
      } else if (typeof value === 'object' && !Array.isArray(value)) {
        for (const [op, v] of Object.entries(value))
          filters.push(runFilter(key, op, filterValue(key, op, v)));
      } else {
        filters.push(runFilter(key, 'eq', filterValue(key, 'eq', value)));
      }
    }
    const sortText = singleQueryValue('sort', query['sort'] as QueryValue);
    const sort = sortText ? sortText.split(',').map((key) => runSortKey(key)) : [];
    const format = singleQueryValue('format', query['format'] as QueryValue) ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badField('format', 'must be json or csv');
    return {
      filters,
      sort,
      limit: integerQueryValue(
        'limit',
        query['limit'] as QueryValue,
        1,
        format === 'csv' ? MAX_CSV_ROWS : MAX_PAGE_SIZE,
      ),
      // OFFSET is a bigint; past the safe integers a JavaScript number is no longer exact.
      offset:
        integerQueryValue('offset', query['offset'] as QueryValue, 0, Number.MAX_SAFE_INTEGER) ?? 0,
      format,
    };
  });
}
