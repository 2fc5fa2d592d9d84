/**
 * A 100-run MNIST sweep end to end through the platform, as a user runs it: `engram up` with an
 * embedded PostgreSQL and Redis in a temporary folder, the API, the workers, the sweep in
 * bench/sweep-100.yaml (programming noise x CAM threshold x memory size, full 10,000-image test
 * set), until every run has its result in the database. Prints the wall time from the command's
 * start (stack start-up included) and the sweep's own time from creation to its last result.
 * Run: node -r @swc-node/register bench/sweep-100.ts [--workers=1] [--concurrency=2] [--spec=file]
 * Target (issue: fast inference engine): under 10 minutes on a 2-core machine.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function flag(name: string): string | undefined {
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
}

function positive(name: string, fallback: number): number {
  const value = Number(flag(name) ?? fallback);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

interface UpOutput {
  sweep: { status: string; createdAt: string; finishedAt: string | null; runCount?: number };
  runs: { status: string; parameters: Record<string, number | string | null> }[];
}

async function main(): Promise<void> {
  const workers = positive('workers', 1);
  const concurrency = flag('concurrency') ? positive('concurrency', 1) : undefined;
  const spec = path.resolve(flag('spec') ?? path.join(ROOT, 'bench/sweep-100.yaml'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-bench-sweep-'));
  fs.chmodSync(dir, 0o777); // embedded PostgreSQL drops to another user when run as root
  const args = [
    '-r',
    '@swc-node/register',
    path.join(ROOT, 'apps/cli/src/main.ts'),
    'up',
    '--spec',
    spec,
    '--exit-when-done',
    '--json',
    '--dir',
    path.join(dir, 'engram'),
    '--workers',
    String(workers),
    ...(concurrency ? ['--concurrency', String(concurrency)] : []),
  ];
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const wallSeconds = (performance.now() - started) / 1000;
  fs.rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`engram up exited with ${code}`);
  const json = stdout.slice(stdout.indexOf('{'));
  const output = JSON.parse(json) as UpOutput;
  const succeeded = output.runs.filter((r) => r.status === 'succeeded').length;
  const sweepSeconds =
    output.sweep.finishedAt === null
      ? NaN
      : (Date.parse(output.sweep.finishedAt) - Date.parse(output.sweep.createdAt)) / 1000;
  const engines = new Set(output.runs.map((r) => String(r.parameters.engine)));
  const line = (label: string, value: string) => console.log(`${label.padEnd(36)} ${value}`);
  console.log(
    `\n100-run sweep through the platform (${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)} at the end)`,
  );
  line('spec', path.relative(ROOT, spec));
  line('workers x concurrency', `${workers} x ${concurrency ?? "the queue table's"}`);
  line('engines recorded', [...engines].join(', '));
  line('runs succeeded', `${succeeded} of ${output.runs.length}`);
  line('sweep: created -> last result', `${sweepSeconds.toFixed(1)} s`);
  line(
    'end to end (stack start to exit)',
    `${wallSeconds.toFixed(1)} s (${(wallSeconds / 60).toFixed(2)} min)`,
  );
  line('target', `< 600 s: ${wallSeconds < 600 ? 'met' : 'missed'}`);
  if (succeeded !== output.runs.length) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
