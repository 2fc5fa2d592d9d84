import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Counter } from 'prom-client';
import { RunReconciliation } from '@engram/persistence';
import { SimulationRunJobData, enqueueSimulationRuns, simulationRunJobId } from '@engram/queue';
import type { ApiConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';
import { API_CONFIG, RUN_QUEUE } from '../tokens';

/** Job states in which a job will still run (or is running). */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
/** Finished jobs kept under the hash's id would make BullMQ ignore the new add: removed first. */
const FINISHED_STATES = new Set(['completed', 'failed']);
const STATE_READS_IN_FLIGHT = 50;

export interface ReconcilePass {
  /** False when another replica held the lock: this pass did nothing. */
  ran: boolean;
  examinedHashes: number;
  requeuedRuns: number;
  requeuedJobs: number;
  settledRuns: number;
  sweepsRepaired: number;
}

/**
 * The database is the truth about what must run. Every RECONCILE_INTERVAL_MS one replica (a
 * PostgreSQL advisory lock) compares pending runs with the queue, a bounded page of config
 * hashes per pass, and repairs runs whose job is gone: lost when the API died mid-enqueue,
 * when Redis restarted without its data, or failed for good while the database was down.
 * A hash must be found jobless in two passes in a row before it is repaired, so a job that is
 * just finishing (its runs about to be settled) is never mistaken for a lost one.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private readonly requeuedRuns: Counter;
  private readonly sweepsRepaired: Counter;
  private readonly passes: Counter<'outcome'>;
  private cursor = '';
  /** Jobless hashes of earlier passes -> when first seen so. */
  private suspects = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(RUN_QUEUE) private readonly queue: Queue<SimulationRunJobData>,
    private readonly reconciliation: RunReconciliation,
    metrics: MetricsService,
  ) {
    this.requeuedRuns = new Counter({
      name: 'engram_reconciler_runs_requeued_total',
      help: 'Runs the reconciler found waiting without a live job and enqueued again.',
      registers: [metrics.registry],
    });
    this.sweepsRepaired = new Counter({
      name: 'engram_reconciler_sweeps_repaired_total',
      help: 'Sweeps whose jobless runs the reconciler settled (from an existing result, or cancelled).',
      registers: [metrics.registry],
    });
    this.passes = new Counter({
      name: 'engram_reconciler_passes_total',
      help: 'Reconciler passes by outcome: done, skipped (another replica held the lock), error.',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.reconcileIntervalMs > 0) this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.reconcileOnce()
        .catch((error: unknown) => {
          this.passes.inc({ outcome: 'error' });
          this.logger.warn(`pass failed: ${(error as Error).message}`);
        })
        .finally(() => this.schedule());
    }, this.config.reconcileIntervalMs);
  }

  /** One pass over the next page of pending hashes (exported for tests and operators' tools). */
  async reconcileOnce(): Promise<ReconcilePass> {
    const pass = await this.reconciliation.exclusively(async (manager) => {
      const batch = this.config.reconcileBatchSize;
      const pending = await this.reconciliation.pendingHashes(manager, this.cursor, batch);
      this.cursor = pending.length < batch ? '' : pending[pending.length - 1].configHash;
      const jobless: string[] = [];
      const finished: string[] = [];
      for (let start = 0; start < pending.length; start += STATE_READS_IN_FLIGHT) {
        const slice = pending.slice(start, start + STATE_READS_IN_FLIGHT);
        const states = await Promise.all(
          slice.map((p) => this.queue.getJobState(simulationRunJobId(p.configHash))),
        );
        slice.forEach((p, i) => {
          if (LIVE_STATES.has(states[i])) return;
          jobless.push(p.configHash);
          if (FINISHED_STATES.has(states[i])) finished.push(p.configHash);
        });
      }
      const confirmed = jobless.filter((hash) => this.suspects.has(hash));
      this.remember(
        pending.map((p) => p.configHash),
        jobless,
      );
      const repaired = await this.reconciliation.repair(manager, confirmed);
      const finishedSet = new Set(finished);
      for (const p of repaired.requeue)
        if (finishedSet.has(p.configHash))
          await this.queue.remove(simulationRunJobId(p.configHash));
      await enqueueSimulationRuns(this.queue, repaired.requeue);
      for (const hash of confirmed) this.suspects.delete(hash);
      return {
        ran: true,
        examinedHashes: pending.length,
        requeuedJobs: repaired.requeue.length,
        requeuedRuns: repaired.requeuedRuns,
        settledRuns: repaired.settledFromResults + repaired.cancelled,
        sweepsRepaired: repaired.sweepsRepaired,
      };
    });
    if (!pass) {
      this.passes.inc({ outcome: 'skipped' });
      return {
        ran: false,
        examinedHashes: 0,
        requeuedRuns: 0,
        requeuedJobs: 0,
        settledRuns: 0,
        sweepsRepaired: 0,
      };
    }
    this.passes.inc({ outcome: 'done' });
    this.requeuedRuns.inc(pass.requeuedRuns);
    this.sweepsRepaired.inc(pass.sweepsRepaired);
    if (pass.requeuedRuns > 0 || pass.settledRuns > 0) {
      this.logger.warn(
        `re-enqueued ${pass.requeuedJobs} jobs (${pass.requeuedRuns} runs) that had lost theirs; ` +
          `settled ${pass.settledRuns} runs in ${pass.sweepsRepaired} sweeps`,
      );
    }
    return pass;
  }

  /** Keeps this pass's jobless hashes as suspects; forgets those that have a job or settled. */
  private remember(examined: string[], jobless: string[]): void {
    for (const hash of examined) this.suspects.delete(hash);
    const now = Date.now();
    for (const hash of jobless) this.suspects.set(hash, now);
    // Hashes of pages not seen for a long time are stale: keep the map bounded.
    const staleBefore = now - 20 * Math.max(this.config.reconcileIntervalMs, 1_000);
    for (const [hash, seen] of this.suspects) if (seen < staleBefore) this.suspects.delete(hash);
  }
}
