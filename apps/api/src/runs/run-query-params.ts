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

type QueryValue = string | string[] | Record<string, string | string[]> | undefined;

function badField(field: string, message: string): BadRequestException {
  return new BadRequestException({ message: 'invalid query', issues: [{ field, message }] });
}

function integerParam(
  name: string,
  value: QueryValue,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < min || n > max) {
    throw badField(name, `must be an integer in [${min}, ${max}]`);
  }
  return n;
}

function filtersOf(field: string, op: string, value: string | string[]): Filter[] {
  if (!OPERATORS.has(op as FilterOperator))
    throw badField(`${field}[${op}]`, `unknown operator; use one of ${[...OPERATORS].join(', ')}`);
  const values = Array.isArray(value) ? value : [value];
  if (op === 'in' || (op === 'eq' && values.some((v) => v.includes(',')))) {
    return [{ field, op: 'in', value: values.flatMap((v) => v.split(',')) }];
  }
  // Repeating a key (readNoise[gte]=0.1&readNoise[gte]=0.2) means all of them.
  return values.map((v) => ({ field, op: op as FilterOperator, value: v }));
}

/**
 * Query string -> filters, sort and page. Any run field, sweep axis or metric filters:
 * `readNoise=0.05`, `status=failed,cancelled` (any of), `dynamicAccuracy[gte]=0.9`;
 * `sort=-dynamicAccuracy,readNoise` ('-' for descending); `limit`, `offset`; `format=csv`.
 * Works with Express' simple and extended query parsers alike.
 */
export function parseRunQuery(
  query: Record<string, QueryValue>,
  excluded: readonly string[] = [],
): ParsedRunQuery {
  const filters: Filter[] = [];
  const skip = new Set([...RESERVED, ...excluded]);
  try {
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || skip.has(key)) continue;
      const bracket = /^([A-Za-z]+)\[([a-z]+)\]$/.exec(key);
      if (bracket) {
        queryField(bracket[1]);
        filters.push(...filtersOf(bracket[1], bracket[2], value as string | string[]));
      } else if (typeof value === 'object' && !Array.isArray(value)) {
        queryField(key);
        for (const [op, v] of Object.entries(value)) filters.push(...filtersOf(key, op, v));
      } else {
        queryField(key);
        filters.push(...filtersOf(key, 'eq', value));
      }
    }
    const sortText = query['sort'];
    const sort: SortKey[] = [];
    if (typeof sortText === 'string' && sortText.length > 0) {
      for (const part of sortText.split(',')) {
        const descending = part.startsWith('-');
        const field = descending ? part.slice(1) : part;
        queryField(field);
        sort.push({ field, direction: descending ? 'desc' : 'asc' });
      }
    }
    const format = query['format'] ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badField('format', 'must be json or csv');
    return {
      filters,
      sort,
      limit: integerParam(
        'limit',
        query['limit'],
        1,
        format === 'csv' ? MAX_CSV_ROWS : MAX_PAGE_SIZE,
      ),
      offset: integerParam('offset', query['offset'], 0, Number.MAX_SAFE_INTEGER) ?? 0,
      format,
    };
  } catch (error) {
    if (error instanceof QueryFieldError)
      throw badField(error.field, error.message.slice(error.field.length + 2));
    throw error;
  }
}
