import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { TestPlatform } from '../../../apps/api/src/testing/test-platform';

export { TEST_API_KEY, TEST_REDIS_URL } from '../../../apps/api/src/testing/test-platform';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const WORKER_MAIN = path.join(REPO_ROOT, 'apps/worker/src/main.ts');

export interface WorkerProcess {
  id: string;
  child: ChildProcess;
  /** Everything the worker printed, for assertions and failure messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * A real platform for one spec file: the API's test platform (in-process, on a schema and queue
 * prefix of its own) and workers as child processes
 * (`node -r @swc-node/register apps/worker/src/main.ts`) running the real evaluate.
 */
export class Platform extends TestPlatform {
  private readonly workers: WorkerProcess[] = [];

  /** See TestPlatform.start. */
  static override async start(
    overrides: Record<string, string> = {},
    servers: { databaseUrl?: string; redisUrl?: string } = {},
  ): Promise<Platform> {
    return new Platform(...(await TestPlatform.boot(overrides, servers)));
  }

  /** Starts a worker process and waits until it has connected and is taking jobs. */
  async startWorker(
    env: Record<string, string> = {},
    readyTimeoutMs = 60_000,
  ): Promise<WorkerProcess> {
    const id = `test-worker-${this.workers.length + 1}`;
    const child = spawn(process.execPath, ['-r', '@swc-node/register', WORKER_MAIN], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: this.db.settings.url,
        DATABASE_SCHEMA: this.db.settings.schema,
        REDIS_URL: this.redisUrl,
        QUEUE_PREFIX: this.queuePrefix,
        WORKER_ID: id,
        WORKER_CONCURRENCY: '1',
        // Short locks so a killed worker's job is picked up within seconds, not a minute.
        RUN_LOCK_DURATION_MS: '4000',
        RUN_STALLED_INTERVAL_MS: '1000',
        // The API's reconciler is the one specs drive; a worker's runs only when a spec asks.
        RECONCILE_INTERVAL_MS: '0',
        NO_COLOR: '1',
        ...(process.env.ENGRAM_MODELS_DIR
          ? { ENGRAM_MODELS_DIR: process.env.ENGRAM_MODELS_DIR }
          : {}),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${id} not ready in ${readyTimeoutMs} ms:\n${output}`)),
        readyTimeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(`worker ${id} ready`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${id} exited (${code ?? signal}) before it was ready:\n${output}`));
      });
    });
    const worker: WorkerProcess = { id, child, output: () => output, exited };
    this.workers.push(worker);
    await ready;
    return worker;
  }

  /** Polls the sweep until no run is queued or running. */
  async waitForSweep(
    sweepId: string,
    timeoutMs: number,
    settled = (body: SweepBody) => TERMINAL.has(body.status),
  ): Promise<SweepBody> {
    const deadline = Date.now() + timeoutMs;
    let body: SweepBody | undefined;
    while (Date.now() < deadline) {
      const response = await this.get(`/sweeps/${sweepId}`);
      body = response.body as SweepBody;
      if (settled(body)) return body;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const outputs = this.workers.map((w) => `--- ${w.id}\n${w.output().slice(-3000)}`).join('\n');
    throw new Error(
      `sweep ${sweepId} not settled in ${timeoutMs} ms: ${JSON.stringify(body?.counts)}\n${outputs}`,
    );
  }

  override async stop(): Promise<void> {
    for (const worker of this.workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null)
        worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await super.stop();
  }
}

export interface SweepBody {
  id: string;
  status: string;
  runCount: number;
  counts: Record<'queued' | 'running' | 'succeeded' | 'cached' | 'failed' | 'cancelled', number>;
  progress: number;
  etaMs: number | null;
  gridAxes: string[];
}

const TERMINAL = new Set(['completed', 'completed_with_failures', 'cancelled']);
