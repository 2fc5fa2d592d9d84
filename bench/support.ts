/**
 * What the platform benches share: their command-line flags, a schema and queue prefix of their
 * own on the test servers (removed at the end), free ports, and how a bench ends.
 */
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { QueueName } from '@engram/queue';

export const ROOT = path.resolve(__dirname, '..');

/** `--name=N`, a positive integer, or the fallback. */
export function flag(name: string, fallback: number): number {
  const match = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  const value = match ? Number(match.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

const SUFFIX = randomBytes(4).toString('hex');
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const API_KEY = randomBytes(16).toString('hex');
export const SCHEMA = `engram_bench_${SUFFIX}`;
export const PREFIX = `engram_bench_${SUFFIX}`;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Removes the bench's queue and schema and closes the connection. */
export async function removeBenchState(dataSource: DataSource): Promise<void> {
  const queue = new Queue(QueueName.SimulationRuns, {
    prefix: PREFIX,
    connection: { url: REDIS_URL },
  });
  await queue.obliterate({ force: true });
  await queue.close();
  await dataSource.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await dataSource.destroy();
}

/** Runs the bench; on an error its child processes are killed and the process exits 1. */
export function runBench(main: () => Promise<void>, children: ChildProcess[]): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      for (const child of children) child.kill('SIGKILL');
      process.exit(1);
    },
  );
}
