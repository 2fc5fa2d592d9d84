import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

/*
 * Throw-away redis-server processes for integration tests: a Redis Cluster of N primaries (no
 * replicas) or a single node, on free ports, in a temporary folder, without persistence.
 */

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `redis-server` is on the PATH (integration specs skip, saying so, when it is not). */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

export interface RedisTestServers {
  /** Ports of the servers (cluster: the primaries). */
  ports: number[];
  /** `redis://127.0.0.1:<first port>`: REDIS_URL (cluster: a seed node). */
  url: string;
  /** The other nodes as `127.0.0.1:<port>,...` (REDIS_CLUSTER_NODES); empty for a single node. */
  otherNodes: string;
  /** Environment of the apps for these servers (without QUEUE_PREFIX). */
  env: Record<string, string>;
  /** Kills the servers and removes their folder. */
  stop(): Promise<void>;
  /**
   * Single node only: kills the server (SIGKILL) and starts an empty one on the same port, as a
   * replaced cache node without persistence would come back.
   */
  restartEmpty(): Promise<void>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) {
      taken.add(port).add(port + 10_000);
      return port;
    }
  }
}

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout;
}

async function waitFor(what: () => string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what()}`);
}

async function startServers(count: number, cluster: boolean): Promise<RedisTestServers> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-redis-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort(taken));
  const children: ChildProcess[] = [];
  let output = '';
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const launch = async (port: number) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
    args.push('--save', '', '--appendonly', 'no', '--daemonize', 'no');
    if (cluster) {
      const conf = path.join(dir, `nodes-${port}.conf`);
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', conf);
    }
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    children.push(child);
  };
  const ready = async () => {
    for (const port of ports) {
      await waitFor(
        () => `redis-server on ${port}:\n${output}`,
        async () => (await redisCli(port, 'ping')).includes('PONG'),
        10_000,
      );
    }
  };
  const restartEmpty = async () => {
    if (cluster) throw new Error('restartEmpty is for a single node');
    const old = children.splice(0);
    await Promise.all(
      old.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    for (const port of ports) await launch(port);
    await ready();
  };
  try {
    for (const port of ports) await launch(port);
    await ready();
    if (cluster) {
      const nodes = ports.map((port) => `127.0.0.1:${port}`);
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes,
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      for (const port of ports) {
        await waitFor(
          () => `cluster_state:ok on ${port}`,
          async () => (await redisCli(port, 'cluster', 'info')).includes('cluster_state:ok'),
          15_000,
        );
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `redis://127.0.0.1:${ports[0]}`;
  const otherNodes = ports
    .slice(1)
    .map((port) => `127.0.0.1:${port}`)
    .join(',');
  return {
    ports,
    url,
    otherNodes,
    env: cluster
      ? { REDIS_URL: url, REDIS_CLUSTER: 'true', REDIS_CLUSTER_NODES: otherNodes }
      : { REDIS_URL: url },
    stop,
    restartEmpty,
  };
}

/**
 * A Redis Cluster of `primaries` redis-server processes in cluster mode, joined with
 * `redis-cli --cluster create`, returned once every node reports `cluster_state:ok`.
 */
export function startRedisCluster(primaries = 3): Promise<RedisTestServers> {
  return startServers(primaries, true);
}

/** One redis-server (not in cluster mode). */
export function startRedisServer(): Promise<RedisTestServers> {
  return startServers(1, false);
}
