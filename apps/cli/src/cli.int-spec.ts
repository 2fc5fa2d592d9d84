import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import IORedis from 'ioredis';
import { writeTinyResNetArtifact } from '@engram/evaluation/testing';
import { TEST_DATABASE_URL } from '@engram/persistence/testing';
import { freePort } from './stack/processes';
import { LongRunningCli, cleanEnv, runCli, startCli } from './testing/cli-process';

jest.setTimeout(10 * 60_000);

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = 'cli-integration-key-0123456789';

/**
 * The CLI against a real API (started by `engram up --no-sweep` on the shared test PostgreSQL
 * and Redis, in a schema and queue prefix of its own) with a real worker.
 */
describe('engram CLI against the API', () => {
  let dir: string;
  let up: LongRunningCli;
  let port: number;
  let env: NodeJS.ProcessEnv;
  /** The CLI with no API URL at all: it finds the API through the stack's stack.json. */
  let discovered: NodeJS.ProcessEnv;
  let platformEnv: NodeJS.ProcessEnv;
  let smallSweepId: string;
  const schema = `engram_cli_${randomBytes(4).toString('hex')}`;
  const prefix = `engram_cli_${randomBytes(4).toString('hex')}`;

  const spec = (name: string, body: object) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, name.endsWith('.json') ? JSON.stringify(body) : toYaml(body));
    return file;
  };

  beforeAll(async () => {
    const modelsDir = writeTinyResNetArtifact();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-cli-'));
    port = await freePort();
    platformEnv = cleanEnv({
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      API_KEY,
      ENGRAM_MODELS_DIR: modelsDir,
    });
    up = startCli(
      ['up', '--no-sweep', '--dir', dir, '--port', String(port), '--concurrency', '1'],
      platformEnv,
    );
    await up.waitFor(/serving until Ctrl-C/, 4 * 60_000);
    env = cleanEnv({ ENGRAM_API_URL: `http://127.0.0.1:${port}`, ENGRAM_API_KEY: API_KEY });
    discovered = cleanEnv({ ENGRAM_HOME: dir, ENGRAM_API_KEY: API_KEY });
  });

  afterAll(async () => {
    if (up) {
      process.kill(up.child.pid!, 'SIGTERM');
      expect((await up.exited).code).toBe(0);
    }
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    const redis = new IORedis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uses DATABASE_URL and REDIS_URL when they are set (no embedded servers)', () => {
    expect(up.output()).toContain('database: DATABASE_URL');
    expect(up.output()).toContain('queue: REDIS_URL');
    expect(fs.existsSync(path.join(dir, 'postgres'))).toBe(false);
  });

  it('submits a YAML spec, watches it to completion, and exports CSV and filtered JSON', () => {
    const file = spec('small.yaml', {
      name: 'cli small',
      model: 'resnet-mnist',
      grid: { camThreshold: [0.1, 0.2] },
      fixed: { memorySize: 2 },
      sampleCount: 20,
    });
    const submitted = runCli(['sweep', 'submit', file, '--watch', '--json'], env);
    expect(submitted.stderr).not.toMatch(/engram:/);
    expect(submitted.code).toBe(0);
    const body = JSON.parse(submitted.stdout) as {
      sweepId: string;
      sweep: { status: string; counts: { succeeded: number } };
    };
    expect(body.sweep).toMatchObject({ status: 'completed', counts: { succeeded: 2 } });
    smallSweepId = body.sweepId;

    const csv = runCli(['results', body.sweepId, '--format', 'csv'], env);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/camThreshold/);

    const filtered = runCli(
      ['results', body.sweepId, '--where', 'camThreshold=0.2', '--json'],
      env,
    );
    expect(filtered.code).toBe(0);
    const runs = JSON.parse(filtered.stdout) as { parameters: { camThreshold: number } }[];
    expect(runs.map((r) => r.parameters.camThreshold)).toEqual([0.2]);

    const table = runCli(['results', body.sweepId], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/run\s+camThreshold\s+status\s+dynamicAccuracy/);

    const status = runCli(['sweep', 'status', body.sweepId], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/status completed: 2 runs/);
  });

  it('exits 1 when a watched sweep has failed runs, and retries only those', () => {
    // 0.7 + 0.7 stuck cells cannot be: the device profile rejects the second run for good.
    const file = spec('faults.json', {
      name: 'cli faults',
      model: 'resnet-mnist',
      grid: { stuckAtHrsRate: [0, 0.7] },
      fixed: { stuckAtLrsRate: 0.7, memorySize: 2, camThreshold: 0.1 },
      sampleCount: 20,
    });
    const submitted = runCli(['sweep', 'submit', file, '--watch', '--json'], env);
    expect(submitted.code).toBe(1);
    const body = JSON.parse(submitted.stdout) as { sweepId: string; sweep: { status: string } };
    expect(body.sweep.status).toBe('completed_with_failures');

    const retried = runCli(['sweep', 'retry', body.sweepId, '--watch'], env);
    expect(retried.stdout).toContain('re-queued 1 failed runs');
    expect(retried.code).toBe(1);

    const status = runCli(['sweep', 'status', body.sweepId, '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ counts: { succeeded: 1, failed: 1 } });

    // The failed run and why, in every format the CLI has.
    const table = runCli(['results', body.sweepId, '--where', 'status=failed'], env);
    expect(table.code).toBe(0);
    const [header, , row, ...rest] = table.stdout.trim().split('\n');
    expect(header).toMatch(/run\s+stuckAtHrsRate\s+status\s+error$/);
    expect(row).toMatch(/^\s*1\s+0\.7000\s+failed\s+InvalidEvaluationConfigError: device: /);
    expect(rest).toEqual([]);
    const json = runCli(['results', body.sweepId, '--where', 'status=failed', '--json'], env);
    const failed = JSON.parse(json.stdout) as { status: string; error: string; attempts: number }[];
    expect(failed).toHaveLength(1);
    // Attempts carry across retries: the first job and the retried one.
    expect(failed[0]).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed[0].error).toMatch(
      /^InvalidEvaluationConfigError: device: device profile: stuckAtFaults.hrsRate must not exceed/,
    );
    const csv = runCli(
      ['results', body.sweepId, '--where', 'status=failed', '--format', 'csv'],
      env,
    );
    const [csvHeader, csvRow] = csv.stdout.trim().split('\r\n');
    const errorColumn = csvHeader.split(',').indexOf('error');
    expect(errorColumn).toBeGreaterThan(0);
    expect(csvRow).toContain('InvalidEvaluationConfigError: device: device profile: stuckAtFaults');
    // Every run, whatever its state: the table says how many failed and where the errors are.
    const all = runCli(['results', body.sweepId], env);
    expect(all.stdout).toMatch(/succeeded/);
    expect(all.stdout).toMatch(/failed\s+InvalidEvaluationConfigError/);
    expect(all.stderr).toContain(
      `1 failed runs; their whole errors: engram results ${body.sweepId} --where status=failed --json`,
    );
  });

  it('lists sweeps and summarizes one, finding the API through the running stack', () => {
    const file = spec('day.yaml', {
      name: 'cli day',
      model: 'resnet-mnist',
      grid: { camThreshold: [0.1, 0.2], seed: [1, 2] },
      fixed: { memorySize: 2 },
      sampleCount: 20,
    });
    // No ENGRAM_API_URL: the API of stack.json in ENGRAM_HOME.
    const submitted = runCli(['sweep', 'submit', file, '--json'], discovered);
    expect(submitted.code).toBe(0);
    const { sweepId, runCount } = JSON.parse(submitted.stdout) as {
      sweepId: string;
      runCount: number;
    };
    expect(runCount).toBe(4);

    const list = runCli(['sweep', 'list', '--json'], discovered);
    expect(list.code).toBe(0);
    const page = JSON.parse(list.stdout) as {
      total: number;
      items: { id: string; name: string }[];
    };
    expect(page.items[0]).toMatchObject({ id: sweepId, name: 'cli day' });
    expect(page.items.map((s) => s.id)).toContain(smallSweepId);
    const listTable = runCli(['sweep', 'list', '--limit', '1'], discovered);
    expect(listTable.stdout).toMatch(/^id\s+name\s+model\s+status\s+runs\s+failed\s+created/);
    expect(listTable.stdout).toContain(sweepId);
    expect(listTable.stdout).toContain(
      `1 of ${page.total} sweeps; the next ones: engram sweep list --offset 1`,
    );

    const watched = runCli(['sweep', 'status', sweepId, '--watch', '--json'], discovered);
    expect(watched.code).toBe(0);
    expect(JSON.parse(watched.stdout)).toMatchObject({
      status: 'completed',
      counts: { succeeded: 4 },
    });

    const summary = runCli(['sweep', 'summary', sweepId, '--json'], discovered);
    expect(summary.code).toBe(0);
    const body = JSON.parse(summary.stdout) as {
      groupBy: string[];
      groups: {
        values: Record<string, number>;
        count: number;
        metrics: Record<string, { mean: number }>;
      }[];
    };
    // Seeds are what the summary averages over: one group per threshold, two runs each.
    expect(body.groupBy).toEqual(['camThreshold']);
    expect(body.groups.map((g) => [g.values.camThreshold, g.count])).toEqual([
      [0.1, 2],
      [0.2, 2],
    ]);
    const runs = JSON.parse(runCli(['results', sweepId, '--json'], discovered).stdout) as {
      parameters: { camThreshold: number };
      metrics: { dynamicAccuracy: number };
    }[];
    const mean = (t: number) => {
      const values = runs
        .filter((r) => r.parameters.camThreshold === t)
        .map((r) => r.metrics.dynamicAccuracy);
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    expect(body.groups[0].metrics.dynamicAccuracy.mean).toBeCloseTo(mean(0.1), 12);
    expect(body.groups[1].metrics.dynamicAccuracy.mean).toBeCloseTo(mean(0.2), 12);
    const summaryTable = runCli(
      ['sweep', 'summary', sweepId, '--metrics', 'dynamicAccuracy'],
      discovered,
    );
    expect(summaryTable.stdout).toMatch(/camThreshold\s+n\s+dynamicAccuracy/);
    expect(summaryTable.stdout).toMatch(/0\.1000\s+2\s+\d\.\d+ ± \d/);
  });

  it('prints errors as JSON on stdout with --json, with the documented exit codes', () => {
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const parse = (r: { stdout: string; stderr: string }) => {
      expect(r.stderr).not.toMatch(/^engram:/m);
      return JSON.parse(r.stdout) as {
        error: {
          message: string;
          exitCode: number;
          hint?: string;
          status?: number;
          issues?: unknown[];
        };
      };
    };
    const unknown = runCli(['sweep', 'status', unknownId, '--json'], env);
    expect(unknown.code).toBe(2);
    expect(parse(unknown).error).toMatchObject({ exitCode: 2, status: 404 });
    expect(parse(unknown).error.message).toMatch(/not found/);
    // The hint leads somewhere new, not back to the command that failed.
    expect(parse(unknown).error.hint).toMatch(/engram sweep list/);

    const bad = spec('bad-json.yaml', {
      name: 'bad',
      model: 'resnet-mnist',
      grid: { camThreshold: [2] },
      fixed: { memorySize: 2 },
    });
    const invalid = runCli(['sweep', 'submit', bad, '--json'], env);
    expect(invalid.code).toBe(2);
    expect(parse(invalid).error.message).toMatch(/camThreshold/);

    const unreachable = runCli(['sweep', 'list', '--json', '--api-url', 'http://127.0.0.1:9'], env);
    expect(unreachable.code).toBe(3);
    expect(parse(unreachable).error.message).toMatch(
      /cannot reach the Engram API at http:\/\/127.0.0.1:9.*from --api-url/,
    );

    const usage = runCli(['sweep', 'list', '--limit', '0', '--json'], env);
    expect(usage.code).toBe(2);
    expect(parse(usage).error).toMatchObject({ exitCode: 2 });

    // Without --json the same error is text on stderr, and stdout stays empty.
    const text = runCli(['sweep', 'status', unknownId], discovered);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(
      /^engram: sweep .*: not found on the API at http:\/\/127.0.0.1:\d+ \(from .*stack.json of the running `engram up`/,
    );
  });

  it('refuses a second engram up on the same folder, leaving the running one and its stack.json alone', () => {
    const stateFile = path.join(dir, 'stack.json');
    const before = fs.readFileSync(stateFile, 'utf8');
    const second = runCli(['up', '--no-sweep', '--dir', dir], platformEnv);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`engram up is already running at http://127.0.0.1:${port}`);
    expect(second.stderr).not.toMatch(/starting|migrations/);
    expect(fs.readFileSync(stateFile, 'utf8')).toBe(before);
    expect(runCli(['sweep', 'list'], discovered).code).toBe(0);
  });

  it('shows the finished identical sweep instead of submitting a copy (engram up --spec)', async () => {
    const file = path.join(dir, 'small.yaml');
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-cli-second-'));
    try {
      const count = () =>
        (JSON.parse(runCli(['sweep', 'list', '--json'], env).stdout) as { total: number }).total;
      const before = count();
      const again = startCli(
        [
          'up',
          '--spec',
          file,
          '--dir',
          otherDir,
          '--port',
          String(await freePort()),
          '--exit-when-done',
        ],
        platformEnv,
      );
      const exit = await again.exited;
      expect(again.output()).toContain(`already ran as sweep ${smallSweepId}`);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(again.stdout()).toMatch(/status completed: 2 runs/);
      expect(count()).toBe(before);
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('cancels the queued runs of a sweep', () => {
    const file = spec('big.yaml', {
      name: 'cli cancel',
      model: 'resnet-mnist',
      // 60 runs on one worker: far more than it finishes while the next CLI process starts
      // (12 short runs could all end first on a fast machine, leaving nothing queued to cancel).
      grid: {
        camThreshold: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3],
        seed: [11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
      },
      fixed: { memorySize: 2 },
      sampleCount: 500,
    });
    const submitted = runCli(['sweep', 'submit', file, '--json'], env);
    expect(submitted.code).toBe(0);
    const { sweepId } = JSON.parse(submitted.stdout) as { sweepId: string };
    const cancelled = runCli(['sweep', 'cancel', sweepId, '--json'], env);
    expect(cancelled.code).toBe(0);
    expect(
      (JSON.parse(cancelled.stdout) as { cancelledRuns: number }).cancelledRuns,
    ).toBeGreaterThan(0);
    const watched = runCli(['sweep', 'status', sweepId, '--watch', '--json'], env);
    const sweep = JSON.parse(watched.stdout) as { status: string; counts: { cancelled: number } };
    expect(sweep.status).toBe('cancelled');
    expect(sweep.counts.cancelled).toBeGreaterThan(0);
    expect(watched.code).toBe(1);
  });

  it('says what is wrong and exits with the documented codes', () => {
    const bad = spec('bad.yaml', {
      name: 'bad',
      model: 'resnet-mnist',
      grid: { camThreshold: [2] },
      fixed: { memorySize: 2 },
    });
    const invalid = runCli(['sweep', 'submit', bad], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/camThreshold/);

    const unknown = runCli(['sweep', 'status', '00000000-0000-4000-8000-000000000000'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/not found/);

    const unreachable = runCli(['sweep', 'status', 'x', '--api-url', 'http://127.0.0.1:9'], env);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach the Engram API at http:\/\/127.0.0.1:9/);

    const usage = runCli(['results', 'x', '--format', 'xml'], env);
    expect(usage.code).toBe(2);

    const help = runCli(['sweep', 'submit', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:/);
  });
});

function toYaml(value: object): string {
  // JSON is YAML; the file still goes through the YAML parser.
  return `# spec written by cli.int-spec\n${JSON.stringify(value, null, 2)}\n`;
}
