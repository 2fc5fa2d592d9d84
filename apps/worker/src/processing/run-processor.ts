import { Inject, Logger, Type } from '@nestjs/common';
import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { QueueName, QueueWorkerOptions } from '@engram/queue';
import type { WorkerConfig } from '../config/worker-config';
import { EVALUATOR, Evaluator } from '../evaluation/evaluator';
import { WORKER_CONFIG } from '../tokens';
import { DatabaseOutage } from './database-outage';
import { RunExecutor, RunJob } from './run-executor';

/** The BullMQ processor of the simulation-runs queue; the work is in RunExecutor. */
export class RunProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('RunProcessor');

  constructor(
    private readonly executor: RunExecutor,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(EVALUATOR) private readonly evaluator: Evaluator,
    private readonly outage: DatabaseOutage,
  ) {
    super();
  }

  /** While the database is unreachable the worker takes no jobs (they would only be released). */
  onApplicationBootstrap(): void {
    this.outage.listen({
      // Not waiting for the active jobs: they release themselves if they need the database.
      pause: () => this.worker.pause(true),
      resume: () => this.worker.resume(),
    });
  }

  // Three parameters: BullMQ hands an abort signal only to processors that declare it.
  process(job: RunJob, token?: string, signal?: AbortSignal) {
    return this.executor.execute(job, token, signal);
  }

  @OnWorkerEvent('failed')
  async onFailed(job: RunJob | undefined, error: Error): Promise<void> {
    try {
      await this.executor.onJobFailed(job, error);
    } catch (failure) {
      this.logger.error(
        `could not record the failure of ${job?.id}: ${(failure as Error).message}`,
      );
    }
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.error(`worker error: ${error.message}`);
  }

  /**
   * SIGTERM: stop taking jobs and let running ones finish within the grace period; past it,
   * abort them (their runs go back to the queue) and close. Runs before @nestjs/bullmq's own
   * close, which would otherwise wait for the jobs without a bound.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.executor.beginShutdown();
    const closing = this.worker.close();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), this.config.shutdownGraceMs)),
    );
    const outcome = await Promise.race([closing.then(() => 'closed' as const), graceOver]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(
        `jobs still running after ${this.config.shutdownGraceMs} ms: releasing them`,
      );
      this.worker.cancelAllJobs('worker shutting down');
      await closing;
    }
    await this.evaluator.close();
  }
}

/**
 * The processor class with the worker options of this deployment: @Processor options are read
 * when the module starts, so the class is decorated once the configuration is known.
 */
export function configuredRunProcessor(options: QueueWorkerOptions): Type<RunProcessor> {
  @Processor(QueueName.SimulationRuns, { ...options, autorun: true })
  class ConfiguredRunProcessor extends RunProcessor {}
  return ConfiguredRunProcessor;
}
