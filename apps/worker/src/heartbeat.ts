import * as fs from 'node:fs';
import * as path from 'node:path';

/** How often the heartbeat file is touched. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * Writes the time into `file` now and every `intervalMs` while the event loop runs, for a liveness
 * probe that reads the file's age (`node docker/healthcheck.js worker-alive`). Evaluations run on
 * worker threads, so a stale file means the main thread (BullMQ's lock renewal, the database
 * writes) is stuck, not that a long run is in progress. Returns a function that stops it.
 */
export function startHeartbeat(file: string, intervalMs = HEARTBEAT_INTERVAL_MS): () => void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const beat = () => fs.writeFileSync(file, `${new Date().toISOString()}\n`);
  beat();
  const timer = setInterval(() => {
    try {
      beat();
    } catch {
      // a full or read-only disk: the probe will see a stale file and say so
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
