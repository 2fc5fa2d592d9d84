import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import IORedis from 'ioredis';
import { writeTinyResNetArtifact } from '@engram/evaluation';
import { TEST_DATABASE_URL } from '@engram/persistence';
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
  let env: NodeJS.ProcessEnv;
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
    const port = await freePort();
    up = startCli(
      ['up', '--no-sweep', '--dir', dir, '--port', String(port), '--concurrency', '1'],
      cleanEnv({
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: schema,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        API_KEY,
        ENGRAM_MODELS_DIR: modelsDir,
      }),
    );
    await up.waitFor(/serving until Ctrl-C/, 4 * 60_000);
    env = cleanEnv({ ENGRAM_API_URL: `http://127.0.0.1:${port}`, ENGRAM_API_KEY: API_KEY });
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

    // /results lists runs with results; the failed run's state is in the sweep's counts.
    const status = runCli(['sweep', 'status', body.sweepId, '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ counts: { succeeded: 1, failed: 1 } });
  });

  it('cancels the queued runs of a sweep', () => {
    const file = spec('big.yaml', {
      name: 'cli cancel',
      model: 'resnet-mnist',
      grid: { camThreshold: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3], seed: [11, 12] },
      fixed: { memorySize: 2 },
      sampleCount: 200,
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
