import { BadRequestException } from '@nestjs/common';
import { Filter, FilterOperator, QueryFieldError, SortKey, queryField } from '@engram/persistence';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1_000;
/** CSV exports are written in pages of this size, up to MAX_CSV_ROWS rows. */
export const CSV_PAGE_SIZE = 5_000;
export const MAX_CSV_ROWS = 200_000;

const RESERVED = new Set(['limit', 'offset', 'sort', 'format', 'metrics']);
const OPERATORS = new Set<FilterOperator>(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in']);

export interface ParsedRunQuery {
  filters: Filter[];
  sort: SortKey[];
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

function filtersOf(field: string, op: string, value: QueryValue): Filter[] {
  const name = `${field}[${op}]`;
  if (!OPERATORS.has(op as FilterOperator))
    throw badField(name, `unknown operator; use one of ${[...OPERATORS].join(', ')}`);
  const text = singleQueryValue(op === 'eq' ? field : name, value) ?? '';
  if (op === 'in' || (op === 'eq' && text.includes(','))) {
    return [{ field, op: 'in', value: text.split(',') }];
  }
  return [{ field, op: op as FilterOperator, value: text }];
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
  const filters: Filter[] = [];
  const skip = new Set([...RESERVED, ...excluded]);
  try {
    for (const [key, value] of Object.entries(query as Record<string, QueryValue>)) {
      if (value === undefined || skip.has(key)) continue;
      if (!key) throw badField('(empty name)', 'a query parameter without a name');
      const bracket = /^([A-Za-z]+)\[([a-z]+)\]$/.exec(key);
      if (bracket) {
        queryField(bracket[1]);
        filters.push(...filtersOf(bracket[1], bracket[2], value));
      } else if (typeof value === 'object' && !Array.isArray(value)) {
        queryField(key);
        for (const [op, v] of Object.entries(value)) filters.push(...filtersOf(key, op, v));
      } else {
        queryField(key);
        filters.push(...filtersOf(key, 'eq', value));
      }
    }
    const sortText = singleQueryValue('sort', query['sort'] as QueryValue);
    const sort: SortKey[] = [];
    if (sortText) {
      for (const part of sortText.split(',')) {
        const descending = part.startsWith('-');
        const field = descending ? part.slice(1) : part;
        if (!field)
          throw badField('sort', 'empty sort key: name a field, e.g. sort=-dynamicAccuracy');
        queryField(field);
        sort.push({ field, direction: descending ? 'desc' : 'asc' });
      }
    }
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
  } catch (error) {
    if (error instanceof QueryFieldError)
      throw badField(error.field, error.message.slice(error.field.length + 2));
    throw error;
  }
}
