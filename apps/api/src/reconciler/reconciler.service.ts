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
import {
  QueueReconciler,
  ReconcilePass,
  SimulationRunJobData,
  scheduleReconciler,
} from '@engram/queue';
import type { ApiConfig } from '../config/api-config';
import { MetricsService } from '../metrics/metrics.service';
import { API_CONFIG, RUN_QUEUE } from '../tokens';

/**
 * The API replica's share of reconciliation (workers run it too; a PostgreSQL advisory lock
 * keeps it to one pass at a time across every replica): every RECONCILE_INTERVAL_MS, runs
 * without a live job are enqueued again (see QueueReconciler). Metered in /metrics.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private readonly reconciler: QueueReconciler<unknown>;
  private readonly requeuedRuns: Counter;
  private readonly sweepsRepaired: Counter;
  private readonly passes: Counter<'outcome'>;
  private schedule: { stop(): Promise<void> } | undefined;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(RUN_QUEUE) queue: Queue<SimulationRunJobData>,
    reconciliation: RunReconciliation,
    metrics: MetricsService,
  ) {
    this.reconciler = new QueueReconciler(queue, reconciliation, {
      batchSize: config.reconcileBatchSize,
      intervalMs: config.reconcileIntervalMs,
    });
    this.requeuedRuns = new Counter({
      name: 'engram_reconciler_runs_requeued_total',
      help: 'Runs this replica found waiting without a live job and enqueued again.',
      registers: [metrics.registry],
    });
    this.sweepsRepaired = new Counter({
      name: 'engram_reconciler_sweeps_repaired_total',
      help: 'Sweeps whose jobless runs this replica settled (from an existing result, or cancelled).',
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
    if (this.config.reconcileIntervalMs === 0) return;
    this.schedule = scheduleReconciler(this, this.config.reconcileIntervalMs, {
      pass: () => undefined,
      error: (error) => {
        this.passes.inc({ outcome: 'error' });
        this.logger.warn(`pass failed: ${(error as Error).message}`);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.schedule?.stop();
  }

  /** One pass, metered (the schedule calls it; tests and operators' tools may too). */
  async reconcileOnce(): Promise<ReconcilePass> {
    const pass = await this.reconciler.reconcileOnce();
    this.passes.inc({ outcome: pass.ran ? 'done' : 'skipped' });
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
}
