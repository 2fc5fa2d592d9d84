import { METRIC_NAMES, SUMMARY_METRICS } from './fields';
import { QueryFieldError, runFilter, runSortKey, summaryMetrics } from './result-query';

/** The field and message of the QueryFieldError `parse` throws. */
function refusal(parse: () => unknown): { field: string; message: string } {
  try {
    parse();
  } catch (error) {
    if (error instanceof QueryFieldError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected a QueryFieldError');
}

describe('runFilter', () => {
  it('reads one value, comma lists for in and for eq with commas', () => {
    expect(runFilter('readNoise', 'eq', '0.05')).toEqual({
      field: 'readNoise',
      op: 'eq',
      value: '0.05',
    });
    expect(runFilter('dynamicAccuracy', 'gte', '0.9')).toEqual({
      field: 'dynamicAccuracy',
      op: 'gte',
      value: '0.9',
    });
    expect(runFilter('status', 'eq', 'failed,cancelled')).toEqual({
      field: 'status',
      op: 'in',
      value: ['failed', 'cancelled'],
    });
    expect(runFilter('seed', 'in', '1')).toEqual({ field: 'seed', op: 'in', value: ['1'] });
    // Only eq and in take lists: the other operators keep the text whole.
    expect(runFilter('error', 'ne', 'a,b')).toEqual({ field: 'error', op: 'ne', value: 'a,b' });
  });

  it('names an unknown field, then an unknown operator with the operators', () => {
    expect(refusal(() => runFilter('shoeSize', 'eq', '3'))).toEqual({
      field: 'shoeSize',
      message: expect.stringMatching(/^shoeSize: unknown field; known fields: runId, /),
    });
    expect(refusal(() => runFilter('shoeSize', 'near', '3')).field).toBe('shoeSize');
    expect(refusal(() => runFilter('seed', 'near', '3'))).toEqual({
      field: 'seed[near]',
      message: 'seed[near]: unknown operator; use one of eq, ne, gt, gte, lt, lte, in',
    });
  });
});

describe('runSortKey', () => {
  it("sorts ascending, or descending after '-'", () => {
    expect(runSortKey('readNoise')).toEqual({ field: 'readNoise', direction: 'asc' });
    expect(runSortKey('-dynamicAccuracy')).toEqual({
      field: 'dynamicAccuracy',
      direction: 'desc',
    });
  });

  it('names empty keys and unknown fields', () => {
    for (const key of ['', '-'])
      expect(refusal(() => runSortKey(key))).toEqual({
        field: 'sort',
        message: 'sort: empty sort key: name a field, e.g. sort=-dynamicAccuracy',
      });
    expect(refusal(() => runSortKey('-colour'))).toEqual({
      field: 'colour',
      message: expect.stringMatching(/^colour: unknown field/),
    });
  });
});

describe('summaryMetrics', () => {
  it('defaults to the metrics a sweep is run for', () => {
    expect(summaryMetrics(undefined)).toEqual(SUMMARY_METRICS);
    expect(summaryMetrics('')).toEqual(SUMMARY_METRICS);
    expect(summaryMetrics(undefined)).toContain('dynamicAccuracy');
  });

  it('reads a comma-separated list, skipping empty names', () => {
    expect(summaryMetrics('computeReduction,dynamicAccuracy')).toEqual([
      'computeReduction',
      'dynamicAccuracy',
    ]);
    expect(summaryMetrics('wallTimeMs,')).toEqual(['wallTimeMs']);
  });

  it('names an unknown metric with the list of metrics', () => {
    expect(refusal(() => summaryMetrics('dynamicAccuracy,shoeSize,colour'))).toEqual({
      field: 'metrics.shoeSize',
      message: `metrics.shoeSize: not a metric; metrics: ${METRIC_NAMES.join(', ')}`,
    });
  });
});
