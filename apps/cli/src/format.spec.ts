import { EngramApiError } from '@engram/api-client';
import { apiFailure, ExitCode } from './errors';
import { formatDuration, progressLine, renderTable } from './format';
import { parseWhere } from './commands/sweeps';

describe('CLI formatting and errors', () => {
  it('draws a progress line with done, failed, running and ETA', () => {
    const line = progressLine(
      {
        status: 'running',
        runCount: 6,
        counts: { succeeded: 2, cached: 1, failed: 1, running: 2, queued: 0, cancelled: 0 },
        etaMs: 65_000,
        elapsedMs: 5_000,
      },
      10,
    );
    expect(line).toBe(
      '[#######...] 4/6 runs done, 1 failed, 2 running, running, elapsed 5s, ETA 1m05s',
    );
    expect(formatDuration(null)).toBe('--');
  });

  it('aligns tables, numbers to the right', () => {
    expect(
      renderTable(
        ['a', 'n'],
        [
          ['x', 1],
          ['yy', 0.12345],
        ],
      ),
    ).toBe('a        n\n--  ------\nx        1\nyy  0.1235\n');
  });

  it('maps API failures to exit codes with a hint', () => {
    expect(apiFailure(new EngramApiError(404, 'sweep x not found'), 'u', 'sweep x').exitCode).toBe(
      ExitCode.Usage,
    );
    expect(
      apiFailure(
        new EngramApiError(400, 'bad', [{ field: 'grid.camThreshold', message: 'too big' }]),
        'u',
        'submit',
      ).message,
    ).toMatch(/grid.camThreshold/);
    const down = apiFailure(
      new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
      'http://h:1',
      'status',
    );
    expect(down.exitCode).toBe(ExitCode.Unreachable);
    expect(down.hint).toMatch(/npm start/);
  });

  it('parses --where filters', () => {
    expect(parseWhere(['readNoise=0.05', 'dynamicAccuracy[gte]=0.9'])).toEqual({
      readNoise: '0.05',
      'dynamicAccuracy[gte]': '0.9',
    });
    expect(() => parseWhere(['oops'])).toThrow(/axis=value/);
  });
});
