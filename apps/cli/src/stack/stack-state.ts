import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The folder of the local stack: --dir, else ENGRAM_HOME, else .engram/ at the repository root. */
export function stackDir(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(dir ?? env.ENGRAM_HOME ?? path.join(REPO_ROOT, '.engram'));
}

export function stackStateFile(dir: string): string {
  return path.join(dir, 'stack.json');
}

/** What `engram up` wrote to <dir>/stack.json: `starting` until the API answers. */
export interface RecordedStack {
  pid: number;
  starting?: boolean;
  apiUrl?: string;
  databaseUrl?: string;
  readOnlyDatabaseUrl?: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The stack recorded in <dir>/stack.json when the `engram up` that wrote it is still alive;
 * undefined when there is no file, it is unreadable, or its process is gone (a stale file).
 */
export function runningStack(dir: string): RecordedStack | undefined {
  let recorded: RecordedStack;
  try {
    recorded = JSON.parse(fs.readFileSync(stackStateFile(dir), 'utf8')) as RecordedStack;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(recorded.pid) || recorded.pid === process.pid) return undefined;
  return processAlive(recorded.pid) ? recorded : undefined;
}
