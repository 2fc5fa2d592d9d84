import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { writeTinyResNetArtifact } from '@engram/evaluation/testing';
import { freePort } from './stack/processes';
import { cleanEnv, descendants, isAlive, processesOfStack, startCli } from './testing/cli-process';

jest.setTimeout(15 * 60_000);

/**
 * The zero-configuration start as a new user runs it: no DATABASE_URL, no REDIS_URL; the
 * embedded PostgreSQL and a redis-server from the PATH in a temporary folder, the example sweep
 * on a tiny real artifact (the trained one is not needed to test the platform), then Ctrl-C.
 * The dashboard build is not committed: `up` builds it (here into the stack's folder, as on a
 * checkout without apps/dashboard/dist) before the API serves it.
 */
describe('engram up (zero configuration)', () => {
  let dir: string;
  let modelsDir: string;

  beforeAll(() => {
    modelsDir = writeTinyResNetArtifact();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-up-'));
  });

  afterAll(() => {
    for (const survivor of processesOfStack(dir)) process.kill(survivor.pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the example sweep on an embedded stack, keeps the results, and leaves no process behind', async () => {
    const port = await freePort();
    const dashboardDir = path.join(dir, 'dashboard');
    // A random port for PostgreSQL too (tests run side by side); the restart below reads it back
    // from .engram/postgres/port.
    const up = startCli(
      ['up', '--dir', dir, '--port', String(port), '--postgres-port', String(await freePort())],
      cleanEnv({ ENGRAM_MODELS_DIR: modelsDir, ENGRAM_DASHBOARD_DIR: dashboardDir }),
    );
    try {
      await up.waitFor(/serving until Ctrl-C/, 12 * 60_000);
    } catch (error) {
      up.child.kill('SIGINT');
      await up.exited;
      throw error;
    }
    expect(up.stdout()).toMatch(/status completed: 6 runs — 6 succeeded/);
    expect(up.stdout()).toMatch(/programmingNoise\s+camThreshold\s+status\s+dynamicAccuracy/);
    expect(up.output()).toContain(`dashboard: http://127.0.0.1:${port}/`);
    await expectDashboardServed(up.output(), `http://127.0.0.1:${port}`, dashboardDir);

    const state = JSON.parse(fs.readFileSync(path.join(dir, 'stack.json'), 'utf8')) as {
      databaseUrl: string;
      readOnlyDatabaseUrl: string;
      embedded: { postgres: boolean; redis: boolean };
      processes: { name: string; pid: number }[];
    };
    expect(state.embedded).toEqual({ postgres: true, redis: true });
    expect(state.processes.map((p) => p.name).sort()).toEqual([
      'api',
      'migrate',
      'postgres',
      'redis',
      'worker-1',
    ]);
    expect(fs.existsSync(path.join(dir, 'postgres', 'data', 'PG_VERSION'))).toBe(true);

    const client = new Client({ connectionString: state.databaseUrl });
    await client.connect();
    try {
      const runs = await client.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM runs GROUP BY status',
      );
      expect(runs.rows).toEqual([{ status: 'succeeded', n: 6 }]);
      const results = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM results');
      expect(results.rows[0].n).toBe(6);
    } finally {
      await client.end();
    }

    // Ready-to-paste connection strings, the port recorded for the next start, and the read-only
    // login reading the view but writing nothing.
    const postgresPort = new URL(state.databaseUrl).port;
    expect(fs.readFileSync(path.join(dir, 'postgres', 'port'), 'utf8').trim()).toBe(postgresPort);
    expect(up.output()).toContain(`SQL (owner): psql '${state.databaseUrl}'`);
    expect(up.output()).toContain(`psql '${state.readOnlyDatabaseUrl}'`);
    expect(new URL(state.readOnlyDatabaseUrl)).toMatchObject({
      username: 'engram_reader',
      port: postgresPort,
    });
    const reader = new Client({ connectionString: state.readOnlyDatabaseUrl });
    await reader.connect();
    try {
      const rows = await reader.query<{ n: number; resolved: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE adc_bits IS NOT NULL AND dynamic_accuracy IS NOT NULL)::int AS resolved
           FROM run_results`,
      );
      expect(rows.rows).toEqual([{ n: 6, resolved: 6 }]);
      await expect(reader.query(`DELETE FROM runs`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await reader.end();
    }

    // Everything up started: postgres (and its backends), redis-server, the API, the worker.
    const tree = descendants(up.child.pid!);
    for (const p of state.processes.filter((x) => x.name !== 'migrate'))
      expect(tree.map((t) => t.pid)).toContain(p.pid);

    process.kill(up.child.pid!, 'SIGINT');
    const exit = await up.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(up.output()).toContain('stopped every process it started');
    for (const p of state.processes)
      expect({ name: p.name, alive: isAlive(p.pid) }).toEqual({ name: p.name, alive: false });
    expect(processesOfStack(dir)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'stack.json'))).toBe(false);

    // Started again, PostgreSQL listens on the same port: a saved psql/Grafana connection works.
    const again = startCli(
      ['up', '--no-sweep', '--exit-when-done', '--dir', dir, '--port', String(await freePort())],
      cleanEnv({ ENGRAM_MODELS_DIR: modelsDir, ENGRAM_DASHBOARD_DIR: dashboardDir }),
    );
    expect(await again.exited).toEqual({ code: 0, signal: null });
    expect(again.output()).toContain(`PostgreSQL ready on 127.0.0.1:${postgresPort}`);
    expect(processesOfStack(dir)).toEqual([]);
  });
});

/** `up` built the dashboard (with progress) into dashboardDir, and the API serves that build. */
async function expectDashboardServed(output: string, apiUrl: string, dashboardDir: string) {
  expect(output).toMatch(/dashboard: building \(no build yet\)/);
  expect(output).toMatch(/dashboard: ✓ \d+ modules transformed/);
  const built = /dashboard: built in ([\d.]+) s/.exec(output);
  expect(built).not.toBeNull();
  process.stderr.write(`engram up built the dashboard in ${built![1]} s\n`);

  const html = fs.readFileSync(path.join(dashboardDir, 'index.html'), 'utf8');
  const page = await fetch(`${apiUrl}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await page.text()).toBe(html);
  const script = /<script[^>]+src="\.?\/?([^"]+\.js)"/.exec(html)![1];
  const asset = await fetch(`${apiUrl}/${script}`);
  expect(asset.status).toBe(200);
  expect(Buffer.from(await asset.arrayBuffer())).toEqual(
    fs.readFileSync(path.join(dashboardDir, script)),
  );
}
