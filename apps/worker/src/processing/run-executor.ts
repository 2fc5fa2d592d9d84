import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError, WaitingError } from 'bullmq';
import type { EvaluationResult } from '@engram/contracts';
import { RunLifecycle, isDatabaseUnavailableError } from '@engram/persistence';
import { SIMULATE_RUN_JOB, SimulationRunJobData, SimulationRunJobResult } from '@engram/queue';
import { runConfigHash } from '@engram/sweep-spec';
import type { WorkerConfig } from '../config/worker-config';
import { EVALUATOR, Evaluator, isPermanentEvaluationError } from '../evaluation/evaluator';
import { WORKER_CONFIG } from '../tokens';
import { DatabaseOutage } from './database-outage';

/** A job released for a database outage waits this long before a worker takes it again. */
const OUTAGE_RELEASE_DELAY_MS = 2_000;
/** Retries of a result write while the database is unreachable: from 250 ms, doubling, up to 5 s. */
const WRITE_RETRY_FIRST_MS = 250;
const WRITE_RETRY_MAX_MS = 5_000;

/** Job progress milestones (percent): the simulation itself reports none. */
const PROGRESS = { claimed: 5, evaluated: 90, stored: 100 } as const;

export type RunJob = Job<SimulationRunJobData, SimulationRunJobResult>;

/**
 * BullMQ's reason for a job its stalled check failed: its lock expired (worker killed, or event
 * loop blocked) more than maxStalledCount times. The next worker to take the job fails it without
 * running the processor.
 */
const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

/**
 * One simulation job, state in PostgreSQL: claim the pending runs of the config hash (running,
 * attempt, worker id), evaluate, then store the result and settle the runs in one transaction.
 * A redelivered job whose result exists settles from it; a job nobody needs any more is skipped.
 */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);
  private shuttingDown = false;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly lifecycle: RunLifecycle,
    @Inject(EVALUATOR) private readonly evaluator: Evaluator,
    private readonly outage: DatabaseOutage,
  ) {}

  /** From now on an aborted evaluation releases its job instead of failing it. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /**
   * Runs the job; if a database step fails because PostgreSQL is unreachable (claim, settling,
   * recording a retry), the job is released rather than failed: the outage is not the run's.
   */
  async execute(
    job: RunJob,
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<SimulationRunJobResult> {
    try {
      return await this.run(job, token, signal);
    } catch (error) {
      if (isDatabaseUnavailableError(error))
        return this.releaseForOutage(job, token, 'a database step', error);
      throw error;
    }
  }

  private async run(
    job: RunJob,
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<SimulationRunJobResult> {
    const started = performance.now();
    if (job.name !== SIMULATE_RUN_JOB)
      throw new UnrecoverableError(`no handler for job ${job.name}`);
    const { configHash } = job.data;
    const workerId = this.config.workerId;
    // Failed attempts and stalls (a worker died) count; releases for an outage do not.
    const attempt = job.attemptsMade + job.stalledCounter + 1;
    const claim = await this.lifecycle.claim(configHash, workerId, attempt);
    const elapsed = () => Math.round(performance.now() - started);
    if (claim.resultExists) {
      const settledRuns = await this.lifecycle.settleFromExistingResult(configHash);
      return { outcome: 'reused', settledRuns, durationMs: elapsed() };
    }
    if (claim.runs.length === 0)
      return { outcome: 'skipped', settledRuns: 0, durationMs: elapsed() };
    await job.updateProgress(PROGRESS.claimed);

    const run = claim.runs[0];
    // The job carries only the hash; the config comes from the database and must still hash to it.
    const expected = runConfigHash(run.config.model, run.artifactVersion, run.config);
    if (expected !== configHash) {
      await this.failPermanently(
        configHash,
        `stored configuration hashes to ${expected}, not to the job's ${configHash}`,
      );
    }

    let result: EvaluationResult;
    try {
      result = await this.evaluator.evaluate(run.config, signal);
    } catch (error) {
      if (signal?.aborted && this.shuttingDown && token) {
        // Shutdown ran out of grace: hand the job back untouched, not as a failed attempt.
        await this.lifecycle.release(configHash, workerId);
        await job.moveToWait(token);
        this.logger.warn(`released ${configHash} at shutdown`);
        throw new WaitingError();
      }
      if (isPermanentEvaluationError(error))
        await this.failPermanently(configHash, describe(error));
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attempts) {
        await this.lifecycle.fail(configHash, `${describe(error)} (after ${attempts} attempts)`);
      } else {
        await this.lifecycle.recordRetry(
          configHash,
          `attempt ${job.attemptsMade + 1} of ${attempts}: ${describe(error)}`,
        );
      }
      throw error;
    }
    await job.updateProgress(PROGRESS.evaluated);

    if (result.artifactVersion !== run.artifactVersion) {
      // The model was retrained after submission: this result belongs to another identity.
      await this.failPermanently(
        configHash,
        `the worker's ${result.model} artifact is ${result.artifactVersion}, the run was submitted for ${run.artifactVersion}; resubmit the sweep`,
      );
    }
    const settledRuns = await this.storeResult(job, token, () =>
      this.lifecycle.complete(configHash, result, run.id, workerId),
    );
    await job.updateProgress(PROGRESS.stored);
    return { outcome: 'computed', settledRuns, durationMs: elapsed() };
  }

  /**
   * Writes the result, retrying with backoff while the database is unreachable, for at most
   * half the lock duration (BullMQ keeps renewing the lock meanwhile); then the job is released
   * and will be computed again, rather than failed.
   */
  private async storeResult(
    job: RunJob,
    token: string | undefined,
    write: () => Promise<number>,
  ): Promise<number> {
    const deadline = Date.now() + this.config.runWorker.lockDuration / 2;
    let delayMs = WRITE_RETRY_FIRST_MS;
    for (;;) {
      try {
        return await write();
      } catch (error) {
        if (!isDatabaseUnavailableError(error)) throw error;
        if (Date.now() + delayMs > deadline)
          return this.releaseForOutage(job, token, 'result write', error);
        this.logger.warn(
          `result write of ${job.data.configHash} failed, retrying: ${describe(error)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, WRITE_RETRY_MAX_MS);
      }
    }
  }

  /**
   * The database is unreachable: the job goes back to the queue (delayed, not counted as an
   * attempt) and the worker pauses its intake until the database answers.
   */
  private async releaseForOutage(
    job: RunJob,
    token: string | undefined,
    step: string,
    error: unknown,
  ): Promise<never> {
    this.outage.report(error);
    if (!token) throw error;
    await job.moveToDelayed(Date.now() + OUTAGE_RELEASE_DELAY_MS, token);
    this.logger.warn(`released ${job.data.configHash}: ${step} failed, database unreachable`);
    throw new DelayedError();
  }

  /** Jobs BullMQ fails without running the processor (stalled too often) still fail their runs. */
  async onJobFailed(job: RunJob | undefined, error: Error): Promise<void> {
    if (!job) return;
    const retried =
      job.attemptsMade < (job.opts.attempts ?? 1) &&
      !(error instanceof UnrecoverableError) &&
      error.name !== 'UnrecoverableError';
    if (retried) return;
    const reason = error.message === STALLED_TOO_OFTEN ? this.stalledTooOften() : describe(error);
    await this.lifecycle.fail(job.data.configHash, reason);
  }

  /** What a researcher reads on a run whose workers kept dying: BullMQ's wording says little. */
  private stalledTooOften(): string {
    const max = this.config.runWorker.maxStalledCount;
    return (
      `stalled ${max + 1} times (more than RUN_MAX_STALLED_COUNT=${max}): the worker running it ` +
      `died or stopped renewing its lock each time, so it is not run again (${STALLED_TOO_OFTEN})`
    );
  }

  private async failPermanently(configHash: string, reason: string): Promise<never> {
    await this.lifecycle.fail(configHash, reason);
    throw new UnrecoverableError(reason);
  }
}
