import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
const CLI_MAIN = path.join(REPO_ROOT, 'apps/cli/src/main.ts');

/** The environment without any platform variable, as on a fresh clone. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' };
  return { ...env, ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `engram <args>` to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): CliResult {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', CLI_MAIN, ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface LongRunningCli {
  child: ChildProcess;
  output(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
}

/** Starts `engram <args>` in a process group of its own (a signal reaches it alone). */
export function startCli(args: string[], env: NodeJS.ProcessEnv): LongRunningCli {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', CLI_MAIN, ...args], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let all = '';
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    all += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    all += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => all,
    stdout: () => out,
    exited,
    waitFor: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const timer = setInterval(() => {
          if (pattern.test(all)) {
            clearInterval(timer);
            resolve();
          } else if (
            child.exitCode !== null ||
            child.signalCode !== null ||
            Date.now() > deadline
          ) {
            clearInterval(timer);
            reject(
              new Error(
                `no ${pattern} in the output (exit ${child.exitCode ?? child.signalCode}):\n${all.slice(-4000)}`,
              ),
            );
          }
        }, 200);
      }),
  };
}

/** Processes (pid, command line) whose environment carries ENGRAM_STACK_DIR=<dir>. */
export function processesOfStack(dir: string): { pid: number; cmdline: string }[] {
  const marker = `ENGRAM_STACK_DIR=${path.resolve(dir)}`;
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(marker)) {
        found.push({
          pid: Number(entry),
          cmdline: fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '),
        });
      }
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every descendant of pid (children, their children...), from /proc. */
export function descendants(pid: number): { pid: number; cmdline: string }[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone.
    }
  }
  const found: { pid: number; cmdline: string }[] = [];
  const queue = [...(parents.get(pid) ?? [])];
  while (queue.length) {
    const child = queue.shift()!;
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      // Gone.
    }
    found.push({ pid: child, cmdline });
    queue.push(...(parents.get(child) ?? []));
  }
  return found;
}
