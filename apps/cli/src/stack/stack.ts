import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmbeddedPostgresServer } from './postgres';
import { LocalRedisServer } from './redis';
import { ManagedProcess, freePort, portIsFree } from './processes';
import { REPO_ROOT, RecordedStack, runningStack } from './stack-state';

export { REPO_ROOT };
const API_MAIN = path.join(REPO_ROOT, 'apps/api/src/main.ts');
const WORKER_MAIN = path.join(REPO_ROOT, 'apps/worker/src/main.ts');
const MIGRATE = path.join(REPO_ROOT, 'apps/api/src/migrate.ts');

export interface StackOptions {
  /** Project-local folder of the stack: postgres/, redis/, logs/, stack.json. */
  dir: string;
  /** The dashboard's build the API serves at / (ENGRAM_DASHBOARD_DIR of the API). */
  dashboardDir?: string;
  workers: number;
  workerConcurrency?: number;
  /** API port; default PORT, else 3000 when free, else any free port. */
  apiPort?: number;
  /**
   * Port of the embedded PostgreSQL; default the one recorded in <dir>/postgres/port by the
   * previous start, else 5433 when free, else any free port. Recorded for the next start.
   */
  postgresPort?: number;
  /** The environment the stack reads DATABASE_URL, REDIS_URL... from and passes on. */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/** What `engram up` started, written to <dir>/stack.json while it runs. */
export interface StackState {
  pid: number;
  apiUrl: string;
  databaseUrl: string;
  /** The embedded database as its read-only user (engram_reader); absent with DATABASE_URL. */
  readOnlyDatabaseUrl?: string;
  databaseSchema: string;
  redisUrl: string;
  queuePrefix: string;
  embedded: { postgres: boolean; redis: boolean };
  processes: { name: string; pid: number | undefined }[];
  startedAt: string;
}

/**
 * The platform on one machine: PostgreSQL and Redis (embedded unless DATABASE_URL / REDIS_URL
 * are set), migrations, the API and workers as child processes running the production commands.
 */
export class LocalStack {
  private readonly processes: ManagedProcess[] = [];
  private postgres?: EmbeddedPostgresServer;
  private redis?: LocalRedisServer;
  private stopping?: Promise<void>;
  state?: StackState;

  constructor(private readonly options: StackOptions) {}

  get stateFile(): string {
    return path.join(this.options.dir, 'stack.json');
  }

  private logFile(name: string): string {
    return path.join(this.options.dir, 'logs', `${name}.log`);
  }

  /** Environment marker every child carries, so a test can find any survivor in /proc. */
  private markerEnv(): NodeJS.ProcessEnv {
    return { ...this.options.env, ENGRAM_STACK_DIR: path.resolve(this.options.dir) };
  }

  async start(): Promise<StackState> {
    const { env, log } = this.options;
    const dir = path.resolve(this.options.dir);
    fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
    this.claimStateFile();

    let databaseUrl = env.DATABASE_URL;
    if (databaseUrl) log(`database: DATABASE_URL (${redact(databaseUrl)})`);
    else {
      this.postgres = new EmbeddedPostgresServer(
        path.join(dir, 'postgres', 'data'),
        await this.postgresPort(path.join(dir, 'postgres', 'port')),
        this.logFile('postgres'),
        this.markerEnv(),
        dir,
      );
      log(
        `database: starting embedded PostgreSQL (data in ${path.relative(process.cwd(), this.postgres.dataDir) || '.'})`,
      );
      await this.postgres.start();
      databaseUrl = this.postgres.url;
      this.writePartialState();
      log(`database: PostgreSQL ready on 127.0.0.1:${this.postgres.port}`);
    }

    let redisUrl = env.REDIS_URL;
    if (redisUrl) log(`queue: REDIS_URL (${redact(redisUrl)})`);
    else {
      this.redis = new LocalRedisServer(
        path.join(dir, 'redis'),
        await freePort(),
        this.logFile('redis'),
        this.markerEnv(),
      );
      log('queue: starting redis-server');
      await this.redis.start();
      redisUrl = this.redis.url;
      this.writePartialState();
      log(`queue: Redis ready on 127.0.0.1:${this.redis.port}`);
    }

    const databaseSchema = env.DATABASE_SCHEMA ?? 'public';
    const queuePrefix = env.QUEUE_PREFIX ?? 'engram';
    const childEnv: NodeJS.ProcessEnv = {
      ...this.markerEnv(),
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: databaseSchema,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      // An external Redis in cluster mode (the embedded one is a single node).
      ...(env.REDIS_URL && env.REDIS_CLUSTER ? { REDIS_CLUSTER: env.REDIS_CLUSTER } : {}),
      ...(env.REDIS_URL && env.REDIS_CLUSTER_NODES
        ? { REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES }
        : {}),
      NO_COLOR: '1',
    };

    log('database: applying migrations');
    const migrate = this.spawnNode('migrate', MIGRATE, childEnv);
    const migrated = await migrate.exited;
    if (migrated.code !== 0) {
      throw new Error(
        `migrations failed (${migrated.code ?? migrated.signal}); log ${this.logFile('migrate')}:\n${migrate.tail()}`,
      );
    }
    // The migrations created the read-only role; the embedded server also gets a user to log in with.
    const readOnlyDatabaseUrl = await this.postgres?.ensureReadOnlyUser();

    const port =
      this.options.apiPort ??
      (env.PORT ? Number(env.PORT) : (await portIsFree(3000)) ? 3000 : await freePort());
    const api = this.spawnNode('api', API_MAIN, {
      ...childEnv,
      PORT: String(port),
      HOST: env.HOST ?? '127.0.0.1',
      ...(this.options.dashboardDir ? { ENGRAM_DASHBOARD_DIR: this.options.dashboardDir } : {}),
    });
    const apiUrl = `http://127.0.0.1:${port}`;
    log(`api: starting on ${apiUrl}`);
    await api.waitFor(/listening on/, 120_000);
    await waitForHealth(apiUrl, 30_000);

    for (let i = 1; i <= this.options.workers; i++) {
      const workerId = `local-worker-${i}`;
      const worker = this.spawnNode(`worker-${i}`, WORKER_MAIN, {
        ...childEnv,
        WORKER_ID: workerId,
        ...(this.options.workerConcurrency
          ? { WORKER_CONCURRENCY: String(this.options.workerConcurrency) }
          : {}),
      });
      log(`worker: starting ${workerId}`);
      await worker.waitFor(new RegExp(`worker ${workerId} ready`), 120_000);
    }

    this.state = {
      pid: process.pid,
      apiUrl,
      databaseUrl: databaseUrl!,
      ...(readOnlyDatabaseUrl ? { readOnlyDatabaseUrl } : {}),
      databaseSchema,
      redisUrl: redisUrl!,
      queuePrefix,
      embedded: { postgres: Boolean(this.postgres), redis: Boolean(this.redis) },
      processes: this.processList(),
      startedAt: new Date().toISOString(),
    };
    fs.writeFileSync(this.stateFile, `${JSON.stringify(this.state, null, 2)}\n`, { mode: 0o600 });
    return this.state;
  }

  /** Exits of the API or a worker while running (the stack is then not whole any more). */
  onChildExit(
    listener: (name: string, code: number | null, signal: NodeJS.Signals | null) => void,
  ): void {
    for (const p of this.processes.filter((x) => x.name !== 'migrate')) {
      void p.exited.then(({ code, signal }) => {
        if (!this.stopping) listener(p.name, code, signal);
      });
    }
  }

  private processList(): { name: string; pid: number | undefined }[] {
    return [
      ...(this.postgres ? [{ name: 'postgres', pid: this.postgres.pid }] : []),
      ...(this.redis ? [{ name: 'redis', pid: this.redis.pid }] : []),
      ...this.processes.map((p) => ({ name: p.name, pid: p.pid })),
    ];
  }

  /**
   * Creates stack.json exclusively: a second `engram up` on the same folder stops here, naming
   * the running one, and leaves its file alone. A file whose process is gone is stale: replaced.
   */
  private claimStateFile(): void {
    const text = () =>
      `${JSON.stringify({ pid: process.pid, starting: true, processes: [] }, null, 2)}\n`;
    try {
      fs.writeFileSync(this.stateFile, text(), { mode: 0o600, flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const running = runningStack(this.options.dir);
    if (running) throw new StackAlreadyRunningError(this.options.dir, running);
    fs.writeFileSync(this.stateFile, text(), { mode: 0o600 });
  }

  /** Whether stack.json is this process's (never remove or overwrite another instance's). */
  private ownsStateFile(): boolean {
    try {
      const recorded = JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as RecordedStack;
      return recorded.pid === process.pid;
    } catch {
      return false;
    }
  }

  private writePartialState(): void {
    if (!this.ownsStateFile()) return;
    fs.writeFileSync(
      this.stateFile,
      `${JSON.stringify({ pid: process.pid, starting: true, processes: this.processList() }, null, 2)}\n`,
      { mode: 0o600 },
    );
  }

  /**
   * A stable port, so a psql or Grafana connection keeps working across restarts: --postgres-port
   * (or ENGRAM_POSTGRES_PORT), else the recorded one, else 5433 when free, else a free one.
   */
  private async postgresPort(recordFile: string): Promise<number> {
    const fromEnv = this.options.env.ENGRAM_POSTGRES_PORT;
    const requested = this.options.postgresPort ?? (fromEnv ? Number(fromEnv) : undefined);
    if (
      requested !== undefined &&
      !(Number.isInteger(requested) && requested > 0 && requested < 65_536)
    )
      throw new Error(`ENGRAM_POSTGRES_PORT must be a port number (1 to 65535), got ${fromEnv}`);
    let recorded: number | undefined;
    try {
      recorded = Number(fs.readFileSync(recordFile, 'utf8').trim()) || undefined;
    } catch {
      recorded = undefined;
    }
    const chosen =
      requested ??
      recorded ??
      ((await portIsFree(DEFAULT_POSTGRES_PORT)) ? DEFAULT_POSTGRES_PORT : await freePort());
    if (!(await portIsFree(chosen))) {
      const why = requested !== undefined ? 'the requested' : `the recorded (${recordFile})`;
      throw new Error(
        `${why} PostgreSQL port ${chosen} is in use by another program: free it, or start with --postgres-port <n> (or ENGRAM_POSTGRES_PORT), which is then recorded for the next start`,
      );
    }
    fs.mkdirSync(path.dirname(recordFile), { recursive: true });
    fs.writeFileSync(recordFile, `${chosen}\n`);
    return chosen;
  }

  private spawnNode(name: string, main: string, env: NodeJS.ProcessEnv): ManagedProcess {
    const child = new ManagedProcess({
      name,
      command: process.execPath,
      args: ['-r', '@swc-node/register', main],
      cwd: REPO_ROOT,
      env,
      logFile: this.logFile(name),
    });
    this.processes.push(child);
    if (name !== 'migrate') this.writePartialState();
    return child;
  }

  /** Workers first (they finish or release their jobs), then the API, Redis, PostgreSQL. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const workers = this.processes.filter((p) => p.name.startsWith('worker-'));
      const others = this.processes.filter((p) => !p.name.startsWith('worker-'));
      await Promise.all(workers.map((w) => w.stop('SIGTERM', 20_000)));
      await Promise.all(others.map((p) => p.stop('SIGTERM', 10_000)));
      await this.redis?.stop();
      await this.postgres?.stop();
      if (this.ownsStateFile()) fs.rmSync(this.stateFile, { force: true });
    })();
    return this.stopping;
  }
}

/** First choice of the embedded PostgreSQL's port: next to a system server's 5432. */
const DEFAULT_POSTGRES_PORT = 5433;

/** A second `engram up` on a folder whose stack is running (or starting). */
export class StackAlreadyRunningError extends Error {
  constructor(
    readonly dir: string,
    readonly running: RecordedStack,
  ) {
    super(
      running.apiUrl
        ? `already running at ${running.apiUrl} (engram up pid ${running.pid}, folder ${dir})`
        : `already starting in ${dir} (engram up pid ${running.pid})`,
    );
    this.name = 'StackAlreadyRunningError';
  }
}

export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function waitForHealth(apiUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`the API at ${apiUrl} is not healthy after ${timeoutMs} ms: ${last}`);
}
