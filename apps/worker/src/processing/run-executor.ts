import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError, WaitingError } from 'bullmq';
import type { EvaluationResult } from '@engram/contracts';
import {
  ClaimedRun,
  ComputedResult,
  RunLifecycle,
  isDatabaseUnavailableError,
} from '@engram/persistence';
import {
  SIMULATE_CHIP_JOB,
  SIMULATE_RUN_JOB,
  SimulationRunJobData,
  SimulationRunJobResult,
} from '@engram/queue';
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

/** Job progress milestones (percent); a chip pass moves it from claimed to evaluated. */
const PROGRESS = { claimed: 5, evaluated: 90, stored: 100 } as const;

/** What became of one configuration of a job: its result, or why it can never run. */
type ConfigOutcome =
  { run: ClaimedRun; result: EvaluationResult } | { run: ClaimedRun; error: string };

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
 * One simulation job, state in PostgreSQL: claim the pending runs of the job key (running,
 * attempt, worker id), evaluate their configurations (a chip job: all in one hardware pass),
 * then store the results and settle the runs in one transaction. Configurations whose result
 * exists (a redelivered job) settle from it; a job nobody needs any more is skipped.
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
    if (job.name !== SIMULATE_RUN_JOB && job.name !== SIMULATE_CHIP_JOB)
      throw new UnrecoverableError(`no handler for job ${job.name}`);
    const { jobKey } = job.data;
    const workerId = this.config.workerId;
    // Failed attempts and stalls count; releases for an outage do not.
    const attempt = job.attemptsMade + job.stalledCounter + 1;
    const claim = await this.lifecycle.claim(jobKey, workerId, attempt);
    const elapsed = () => Math.round(performance.now() - started);
    // Configurations computed already (a redelivered job, a sweep sharing them): from the store.
    let settledRuns =
      claim.resultHashes.length > 0
        ? await this.lifecycle.settleFromExistingResult(claim.resultHashes)
        : 0;
    const stored = new Set(claim.resultHashes);
    const pending = new Map<string, ClaimedRun>();
    for (const run of claim.runs)
      if (!stored.has(run.configHash) && !pending.has(run.configHash))
        pending.set(run.configHash, run);
    if (pending.size === 0) {
      const outcome = claim.runs.length > 0 || claim.resultExists ? 'reused' : 'skipped';
      return { outcome, settledRuns, durationMs: elapsed(), computedConfigs: 0 };
    }
    await job.updateProgress(PROGRESS.claimed);

    const targets = [...pending.values()];
    for (const run of targets) {
      // The job carries only its key; each config comes from the database and must still hash
      // to the run's config hash.
      const expected = runConfigHash(run.config.model, run.artifactVersion, run.config);
      if (expected !== run.configHash) {
        await this.failPermanently(
          jobKey,
          `stored configuration hashes to ${expected}, not to the run's ${run.configHash}`,
        );
      }
    }

    let outcomes: ConfigOutcome[];
    try {
      outcomes = await this.compute(job, targets, signal);
    } catch (error) {
      if (signal?.aborted && this.shuttingDown && token) {
        // Shutdown ran out of grace: hand the job back untouched, not as a failed attempt.
        await this.lifecycle.release(jobKey, workerId);
        await job.moveToWait(token);
        this.logger.warn(`released ${jobKey} at shutdown`);
        throw new WaitingError();
      }
      if (isPermanentEvaluationError(error)) await this.failPermanently(jobKey, describe(error));
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 >= attempts) {
        await this.lifecycle.fail(jobKey, `${describe(error)} (after ${attempts} attempts)`);
      } else {
        await this.lifecycle.recordRetry(
          jobKey,
          `attempt ${job.attemptsMade + 1} of ${attempts}: ${describe(error)}`,
        );
      }
      throw error;
    }
    await job.updateProgress(PROGRESS.evaluated);

    const computed: ComputedResult[] = [];
    const failures: { configHash: string; error: string }[] = [];
    for (const outcome of outcomes) {
      if ('error' in outcome) {
        failures.push({ configHash: outcome.run.configHash, error: outcome.error });
        continue;
      }
      const { run, result } = outcome;
      if (result.artifactVersion !== run.artifactVersion) {
        // The model was retrained after submission: this result belongs to another identity.
        await this.failPermanently(
          jobKey,
          `the worker's ${result.model} artifact is ${result.artifactVersion}, the run was submitted for ${run.artifactVersion}; resubmit the sweep`,
        );
      }
      computed.push({ configHash: run.configHash, result, runId: run.id });
    }
    // Configurations that can never run fail on their own; the chip's other runs are stored.
    if (failures.length > 0) await this.lifecycle.failConfigs(jobKey, failures);
    if (computed.length === 0) throw new UnrecoverableError(failures[0].error);
    settledRuns += await this.storeResult(job, token, () =>
      this.lifecycle.completeMany(computed, workerId),
    );
    await job.updateProgress(PROGRESS.stored);
    return {
      outcome: 'computed',
      settledRuns,
      durationMs: elapsed(),
      computedConfigs: computed.length,
    };
  }

  /**
   * Evaluates the job's pending configurations: a run job's one configuration by `evaluate`
   * (real dynamic inference), a chip job's all together by `evaluateChipRuns` (one hardware
   * pass), whose progress moves the job's and its runs'. When the pass fails for good and it
   * served several configurations, each is tried alone, so only the ones that cannot run fail.
   */
  private async compute(
    job: RunJob,
    targets: ClaimedRun[],
    signal?: AbortSignal,
  ): Promise<ConfigOutcome[]> {
    if (job.name === SIMULATE_RUN_JOB) {
      // One config hash per run job; more than one pending here would be a store bug.
      const [run] = targets;
      return [{ run, result: await this.evaluator.evaluate(run.config, signal) }];
    }
    const onProgress = this.passProgress(job);
    try {
      const results = await this.evaluator.evaluateChipRuns(
        targets.map((run) => run.config),
        { signal, onProgress },
      );
      return targets.map((run, i) => ({ run, result: results[i] }));
    } catch (error) {
      if (!isPermanentEvaluationError(error) || targets.length === 1 || signal?.aborted)
        throw error;
      this.logger.warn(`chip job ${job.data.jobKey}: ${describe(error)}; trying its runs alone`);
    }
    const outcomes: ConfigOutcome[] = [];
    for (const run of targets) {
      try {
        const [result] = await this.evaluator.evaluateChipRuns([run.config], { signal });
        outcomes.push({ run, result });
      } catch (error) {
        if (!isPermanentEvaluationError(error)) throw error;
        outcomes.push({ run, error: describe(error) });
      }
    }
    return outcomes;
  }

  /**
   * The pass's progress, at most once a second: as the job's progress (BullMQ) and on its
   * running runs (the sweep's progress adds it). A lost update costs only a slower bar.
   */
  private passProgress(job: RunJob): (done: number, total: number) => void {
    let last = 0;
    return (done, total) => {
      const now = Date.now();
      if (total <= 0 || (now - last < this.config.passProgressIntervalMs && done < total)) return;
      last = now;
      const fraction = done / total;
      const span = PROGRESS.evaluated - PROGRESS.claimed;
      void job
        .updateProgress(Math.round(PROGRESS.claimed + span * fraction))
        .catch(() => undefined);
      void this.lifecycle
        .reportPassProgress(job.data.jobKey, this.config.workerId, fraction)
        .catch((error: unknown) =>
          this.logger.warn(`progress of ${job.data.jobKey} not recorded: ${describe(error)}`),
        );
    };
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
        this.logger.warn(`result write of ${job.data.jobKey} failed, retrying: ${describe(error)}`);
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
    this.logger.warn(`released ${job.data.jobKey}: ${step} failed, database unreachable`);
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
    await this.lifecycle.fail(job.data.jobKey, reason);
  }

  /** What a researcher reads on a run whose workers kept dying: BullMQ's wording says little. */
  private stalledTooOften(): string {
    const max = this.config.runWorker.maxStalledCount;
    return (
      `stalled ${max + 1} times (more than RUN_MAX_STALLED_COUNT=${max}): the worker running it ` +
      `died or stopped renewing its lock each time, so it is not run again (${STALLED_TOO_OFTEN})`
    );
  }

  private async failPermanently(jobKey: string, reason: string): Promise<never> {
    await this.lifecycle.fail(jobKey, reason);
    throw new UnrecoverableError(reason);
  }
}
