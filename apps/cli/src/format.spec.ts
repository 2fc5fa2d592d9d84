import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngramApiError, RunRecord } from '@engram/api-client';
import { DEFAULT_API_URL, resolveApiUrl } from './api-target';
import { apiFailure, cliErrorJson, ExitCode } from './errors';
import { formatDuration, progressLine, renderTable } from './format';
import { parseWhere, resultsTable } from './commands/sweeps';

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

  it("moves the bar with a chip pass's progress while its runs are still running", () => {
    const sweep = {
      status: 'running',
      runCount: 10,
      counts: { succeeded: 2, cached: 0, failed: 0, running: 4, queued: 4, cancelled: 0 },
      etaMs: null,
      elapsedMs: 5_000,
    };
    // 2 settled + 4 running runs whose pass is half done = 4 of 10.
    expect(progressLine({ ...sweep, progress: 0.4 }, 10)).toBe(
      '[####......] 2/10 runs done, 0 failed, 4 running (50% computed), running, elapsed 5s, ETA --',
    );
    expect(progressLine({ ...sweep, progress: 0.2 }, 10)).toBe(
      '[##........] 2/10 runs done, 0 failed, 4 running, running, elapsed 5s, ETA --',
    );
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

  it('maps API failures to exit codes with a hint that does not send the user in circles', () => {
    const api = resolveApiUrl('http://h:1', {});
    const missing = apiFailure(new EngramApiError(404, 'sweep x not found'), api, 'sweep x');
    expect(missing.exitCode).toBe(ExitCode.Usage);
    expect(missing.hint).toMatch(/engram sweep list/);
    expect(missing.hint).not.toMatch(/sweep status/);
    const rejected = apiFailure(
      new EngramApiError(400, 'bad', [{ field: 'grid.camThreshold', message: 'too big' }]),
      api,
      'submit',
    );
    expect(rejected.message).toMatch(/grid.camThreshold/);
    expect(JSON.parse(cliErrorJson(rejected))).toEqual({
      error: {
        message: rejected.message,
        exitCode: ExitCode.Usage,
        status: 400,
        issues: [{ field: 'grid.camThreshold', message: 'too big' }],
      },
    });
    const down = apiFailure(
      new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
      api,
      'status',
    );
    expect(down.exitCode).toBe(ExitCode.Unreachable);
    expect(down.message).toMatch(/http:\/\/h:1 \(ECONNREFUSED\); the URL is from --api-url/);
    expect(down.hint).toMatch(/npm start/);
  });

  it('takes the API URL from --api-url, then ENGRAM_API_URL, then the running stack, then the default', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-api-url-'));
    try {
      expect(resolveApiUrl('http://flag:1', { ENGRAM_API_URL: 'http://env:2' }).source).toBe(
        '--api-url',
      );
      expect(
        resolveApiUrl(undefined, { ENGRAM_API_URL: 'http://env:2', ENGRAM_HOME: home }),
      ).toMatchObject({
        url: 'http://env:2',
        source: 'ENGRAM_API_URL',
      });
      expect(resolveApiUrl(undefined, { ENGRAM_HOME: home })).toMatchObject({
        url: DEFAULT_API_URL,
        source: 'default',
      });
      // A stack.json whose process is gone is stale: not used.
      const stale = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
      fs.writeFileSync(
        path.join(home, 'stack.json'),
        JSON.stringify({ pid: stale, apiUrl: 'http://old:3' }),
      );
      expect(resolveApiUrl(undefined, { ENGRAM_HOME: home }).source).toBe('default');
      // One written by a live process (this test's parent stands in for `engram up`).
      fs.writeFileSync(
        path.join(home, 'stack.json'),
        JSON.stringify({ pid: process.ppid, apiUrl: 'http://127.0.0.1:4567' }),
      );
      const fromStack = resolveApiUrl(undefined, { ENGRAM_HOME: home });
      expect(fromStack).toMatchObject({ url: 'http://127.0.0.1:4567', source: 'stack.json' });
      expect(fromStack.origin).toContain(path.join(home, 'stack.json'));
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('shows the error of failed runs in the results table, cut to one line', () => {
    const run = (status: 'failed' | 'succeeded', error: string | null): RunRecord => ({
      runId: 'r',
      sweepId: 's',
      runIndex: status === 'failed' ? 1 : 0,
      repeat: 0,
      status,
      configHash: 'h',
      model: 'resnet-mnist',
      artifactVersion: 'v',
      parameters: { readNoise: 0.05 } as RunRecord['parameters'],
      split: 'test',
      sampleCount: 10,
      attempts: 1,
      workerId: null,
      error,
      queuedAt: '',
      startedAt: null,
      finishedAt: null,
      config: { model: 'resnet-mnist', camThreshold: 0, memorySize: 1, seed: 0 },
      metrics: status === 'succeeded' ? ({ dynamicAccuracy: 0.9 } as RunRecord['metrics']) : null,
      exitHistogram: null,
      exitAccuracy: null,
      energyBaseline: null,
      energyBreakdownPj: null,
      digitalEnergyBreakdownPj: null,
      timing: null,
    });
    const table = resultsTable(
      [run('succeeded', null), run('failed', `DeviceProfileError: ${'x'.repeat(200)}\nstack`)],
      ['readNoise'],
    );
    const [header, , ok, failed] = table.split('\n');
    expect(header).toMatch(/run\s+readNoise\s+status\s+dynamicAccuracy\s+error/);
    expect(ok).toMatch(/succeeded\s+0.9000$/);
    expect(failed).toMatch(/failed\s+DeviceProfileError: x+…$/);
    expect(failed.length).toBeLessThan(200);
    expect(resultsTable([run('succeeded', null)], ['readNoise'])).not.toMatch(/error/);
  });

  it('parses --where filters', () => {
    expect(parseWhere(['readNoise=0.05', 'dynamicAccuracy[gte]=0.9'])).toEqual({
      readNoise: '0.05',
      'dynamicAccuracy[gte]': '0.9',
    });
    expect(() => parseWhere(['oops'])).toThrow(/axis=value/);
  });
});
