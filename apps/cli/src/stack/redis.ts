import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManagedProcess } from './processes';

/** The redis-server on the PATH, or undefined. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export class LocalRedisServer {
  private process?: ManagedProcess;

  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly logFile: string,
    private readonly markerEnv: NodeJS.ProcessEnv,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  async start(): Promise<void> {
    const binary = findRedisServer();
    if (!binary) {
      throw new Error(
        'no redis-server on the PATH: install Redis (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`), or set REDIS_URL to a Redis server',
      );
    }
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.process = new ManagedProcess({
      name: 'redis',
      command: binary,
      args: [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dataDir,
        '--daemonize',
        'no',
        '--save',
        '60 1',
        '--appendonly',
        'no',
        // BullMQ needs keys never evicted.
        '--maxmemory-policy',
        'noeviction',
      ],
      env: this.markerEnv,
      logFile: this.logFile,
    });
    await this.process.waitFor(/Ready to accept connections/, 30_000);
  }

  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM', 10_000);
  }
}
