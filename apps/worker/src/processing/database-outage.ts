import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { RunLifecycle } from '@engram/persistence';

/** How often an unreachable database is probed: from half a second up to every 5 s. */
const FIRST_PROBE_MS = 500;
const MAX_PROBE_MS = 5_000;

export interface OutageListener {
  /** Stop taking jobs (the jobs running now finish or are released). */
  pause(): Promise<void> | void;
  resume(): Promise<void> | void;
}

/**
 * The worker's view of PostgreSQL: once a job finds it unreachable, the worker stops taking jobs
 * (each would only fail its claim) and probes the database with backoff; when it answers again
 * the worker resumes. Jobs are never failed for the outage: they are released (see RunExecutor).
 */
@Injectable()
export class DatabaseOutage implements OnApplicationShutdown {
  private readonly logger = new Logger('DatabaseOutage');
  private listener: OutageListener | undefined;
  private probing: Promise<void> | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly lifecycle: RunLifecycle) {}

  get active(): boolean {
    return this.probing !== undefined;
  }

  listen(listener: OutageListener): void {
    this.listener = listener;
  }

  /** A job met an unreachable database: pause until it answers (once, however many report it). */
  report(error: unknown): void {
    if (this.probing || this.stopped) return;
    this.logger.warn(`database unreachable (${(error as Error).message}): pausing job intake`);
    this.probing = this.probeUntilBack().finally(() => (this.probing = undefined));
  }

  private async probeUntilBack(): Promise<void> {
    const started = Date.now();
    await this.listener?.pause();
    let delayMs = FIRST_PROBE_MS;
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, delayMs);
      });
      if (this.stopped) return;
      try {
        await this.lifecycle.ping();
        break;
      } catch {
        delayMs = Math.min(delayMs * 2, MAX_PROBE_MS);
      }
    }
    if (this.stopped) return;
    this.logger.log(`database back after ${Date.now() - started} ms: resuming job intake`);
    await this.listener?.resume();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }
}
