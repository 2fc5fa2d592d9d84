import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { RunReconciliation } from '@engram/persistence';
import {
  QueueName,
  QueueReconciler,
  SimulationRunJobData,
  scheduleReconciler,
} from '@engram/queue';
import type { WorkerConfig } from '../config/worker-config';
import { WORKER_CONFIG } from '../tokens';

/**
 * The worker replica's share of reconciliation (see QueueReconciler in @engram/queue): runs
 * without a live job are enqueued again even when no API replica is up. One pass at a time
 * across every API and worker replica (a PostgreSQL advisory lock). Outcomes go to the log; the
 * API's /metrics counts the passes of the API replicas.
 */
@Injectable()
export class WorkerReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private schedule: { stop(): Promise<void> } | undefined;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @InjectQueue(QueueName.SimulationRuns) private readonly queue: Queue<SimulationRunJobData>,
    private readonly reconciliation: RunReconciliation,
  ) {}

  onApplicationBootstrap(): void {
    const { intervalMs, batchSize } = this.config.reconciler;
    if (intervalMs === 0) return;
    const reconciler = new QueueReconciler(this.queue, this.reconciliation, {
      intervalMs,
      batchSize,
    });
    this.schedule = scheduleReconciler(reconciler, intervalMs, {
      pass: (pass) => {
        if (pass.requeuedRuns > 0 || pass.settledRuns > 0)
          this.logger.warn(
            `re-enqueued ${pass.requeuedJobs} jobs (${pass.requeuedRuns} runs) that had lost theirs; ` +
              `settled ${pass.settledRuns} runs in ${pass.sweepsRepaired} sweeps`,
          );
      },
      error: (error) => this.logger.warn(`pass failed: ${(error as Error).message}`),
    });
  }

  /** Before the queue's connection closes (Nest shuts providers down in reverse order). */
  async onApplicationShutdown(): Promise<void> {
    await this.schedule?.stop();
  }
}
