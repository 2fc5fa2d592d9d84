import { BadRequestException } from '@nestjs/common';
import { summaryMetrics } from '@engram/persistence';
import { csvLine } from '../http/csv';
import { parseRunQuery, refusingBadFields } from './run-query-params';

function issues(query: Record<string, string>): unknown {
  return refusal(() => parseRunQuery(query));
}

/** The issues of the 400 `parse` throws. */
function refusal(parse: () => unknown): unknown {
  try {
    parse();
  } catch (error) {
    if (error instanceof BadRequestException)
      return (error.getResponse() as { issues: unknown }).issues;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('parseRunQuery', () => {
  it('reads equality, lists, operators, sort and page', () => {
    expect(
      parseRunQuery({
        readNoise: '0.05',
        status: 'failed,cancelled',
        'dynamicAccuracy[gte]': '0.9',
        sort: '-dynamicAccuracy,readNoise',
        limit: '20',
        offset: '40',
      }),
    ).toEqual({
      filters: [
        { field: 'readNoise', op: 'eq', value: '0.05' },
        { field: 'status', op: 'in', value: ['failed', 'cancelled'] },
        { field: 'dynamicAccuracy', op: 'gte', value: '0.9' },
      ],
      sort: [
        { field: 'dynamicAccuracy', direction: 'desc' },
        { field: 'readNoise', direction: 'asc' },
      ],
      limit: 20,
      offset: 40,
      format: 'json',
    });
  });

  it('accepts the nested objects of an extended query parser', () => {
    const parsed = parseRunQuery({ memorySize: { lt: '8', gt: '1' } } as never);
    expect(parsed.filters).toEqual([
      { field: 'memorySize', op: 'lt', value: '8' },
      { field: 'memorySize', op: 'gt', value: '1' },
    ]);
  });

  it('names unknown fields, operators and bad pages', () => {
    expect(issues({ shoeSize: '3' })).toEqual([
      { field: 'shoeSize', message: expect.stringContaining('unknown field') },
    ]);
    expect(issues({ 'seed[near]': '3' })).toEqual([
      { field: 'seed[near]', message: 'unknown operator; use one of eq, ne, gt, gte, lt, lte, in' },
    ]);
    expect(issues({ sort: '-colour' })).toEqual([
      { field: 'colour', message: expect.stringContaining('unknown field') },
    ]);
    expect(issues({ limit: '5000' })).toEqual([
      { field: 'limit', message: 'must be an integer in [1, 1000]' },
    ]);
    expect(issues({ format: 'xml' })).toEqual([
      { field: 'format', message: 'must be json or csv' },
    ]);
  });

  it('refuses repeated keys, arrays and nested objects where one value is expected', () => {
    expect(issues({ sort: ['a', 'b'] } as never)).toEqual([
      { field: 'sort', message: expect.stringContaining('given more than once') },
    ]);
    expect(issues({ seed: ['1', '2'] } as never)).toEqual([
      { field: 'seed', message: expect.stringContaining('given more than once') },
    ]);
    expect(issues({ 'seed[gte]': ['1', '2'] } as never)).toEqual([
      { field: 'seed[gte]', message: expect.stringContaining('given more than once') },
    ]);
    expect(issues({ seed: { gte: { x: '1' } } } as never)).toEqual([
      { field: 'seed[gte]', message: expect.stringContaining('plain value') },
    ]);
    expect(issues({ limit: ['1', '2'] } as never)).toEqual([
      { field: 'limit', message: expect.stringContaining('given more than once') },
    ]);
  });

  it('names empty sort keys and nameless parameters', () => {
    for (const sort of ['-', ',', 'seed,'])
      expect(issues({ sort })).toEqual([
        { field: 'sort', message: 'empty sort key: name a field, e.g. sort=-dynamicAccuracy' },
      ]);
    expect(issues({ '': '1' })).toEqual([{ field: '(empty name)', message: expect.any(String) }]);
  });

  it('takes page numbers in decimal digits only, offsets up to the safe integers', () => {
    for (const offset of ['1e3', '0x10', ' 5', '-1', '9223372036854775808', '1.0'])
      expect(issues({ offset })).toEqual([
        { field: 'offset', message: 'must be an integer in [0, 9007199254740991]' },
      ]);
    expect(parseRunQuery({ offset: '9007199254740991' }).offset).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('allows large pages for CSV exports', () => {
    expect(parseRunQuery({ format: 'csv', limit: '50000' }).limit).toBe(50_000);
  });
});

describe('refusingBadFields', () => {
  it("answers persistence's refusals with a 400 naming the parameter, without the prefix", () => {
    expect(
      refusal(() => refusingBadFields(() => summaryMetrics('dynamicAccuracy,shoeSize'))),
    ).toEqual([
      { field: 'metrics.shoeSize', message: expect.stringMatching(/^not a metric; metrics: \w/) },
    ]);
    expect(refusingBadFields(() => summaryMetrics('wallTimeMs'))).toEqual(['wallTimeMs']);
    expect(() =>
      refusingBadFields(() => {
        throw new Error('other');
      }),
    ).toThrow('other');
  });
});

describe('csvLine', () => {
  it('quotes fields with commas, quotes and line breaks, and serializes JSON and dates', () => {
    expect(
      csvLine([
        'a',
        'b,c',
        'say "hi"',
        'x\ny',
        null,
        1.5,
        [1, 2],
        new Date('2025-01-02T03:04:05.000Z'),
      ]),
    ).toBe('a,"b,c","say ""hi""","x\ny",,1.5,"[1,2]",2025-01-02T03:04:05.000Z\r\n');
  });
});
