import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { EvaluationConfig } from '@engram/contracts';
import { ResolvedDeviceParameters, resolveDeviceParameters } from '@engram/hardware';
import { NewRun, QueuedRun, SweepProgress, SweepStore } from '@engram/persistence';
import {
  SimulationRunJobData,
  enqueueSimulationRuns,
  removeSimulationRunJobs,
} from '@engram/queue';
import {
  SweepSpec,
  SweepSpecError,
  SweepSpecValidator,
  collapsedRunIssues,
  expandSweep,
  gridAxes,
  type ExpandedRun,
  runConfigHash,
} from '@engram/sweep-spec';
import type { ApiConfig } from '../config/api-config';
import { ArtifactCatalog } from '../models/artifact-catalog';
import { ModelDataCheck } from '../models/model-data';
import { JobKeys } from './job-keys';
import { API_CONFIG, RUN_QUEUE } from '../tokens';

export interface SubmittedSweep {
  sweepId: string;
  runCount: number;
  /** Runs whose configuration had a result already: not recomputed. */
  cachedCount: number;
  queuedCount: number;
}

function noSuchSweep(sweepId: string): NotFoundException {
  const message = `no sweep ${sweepId}`;
  return new NotFoundException({ message, issues: [{ field: 'id', message }] });
}

/** Submission, cancellation and retries: the database first, then the queue. */
@Injectable()
export class SweepsService {
  private readonly logger = new Logger(SweepsService.name);
  readonly validator: SweepSpecValidator;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(RUN_QUEUE) private readonly queue: Queue<SimulationRunJobData>,
    private readonly store: SweepStore,
    private readonly artifacts: ArtifactCatalog,
    private readonly modelData: ModelDataCheck,
  ) {
    this.validator = new SweepSpecValidator({ maxRuns: config.maxRunsPerSweep });
  }

  /**
   * Validates and expands the spec, writes the sweep and its runs in one transaction (configs
   * with a result are cached there), then enqueues the rest in bulk.
   */
  async submit(input: unknown): Promise<SubmittedSweep> {
    const spec: SweepSpec = this.validator.validate(input);
    const artifact = this.artifacts.current(spec.model);
    this.modelData.require(spec.model);
    const runs: (NewRun & { gridValues: ExpandedRun['gridValues'] })[] = [];
    // Runs of a grid share a few device settings: resolve each once.
    const resolved = new Map<string, ResolvedDeviceParameters | null>();
    const deviceResolved = (config: EvaluationConfig) => {
      const key = JSON.stringify([config.deviceProfile, config.device]);
      if (!resolved.has(key))
        resolved.set(key, resolveDeviceParameters(config.deviceProfile, config.device));
      return resolved.get(key)!;
    };
    // Runs of one chip share a job (one hardware pass); measured runs get a job each.
    const jobKeys = new JobKeys(spec.model, artifact.version);
    for (const run of expandSweep(spec)) {
      const configHash = runConfigHash(spec.model, artifact.version, run.config);
      runs.push({
        index: run.index,
        repeat: run.repeat,
        config: run.config,
        gridValues: run.gridValues,
        configHash,
        jobKey: jobKeys.of(run.config, configHash),
        deviceResolved: deviceResolved(run.config),
      });
    }
    // Two grid points that are one run would break the sweep's one-row-per-configuration rule.
    const collapsed = collapsedRunIssues(runs);
    if (collapsed.length > 0) throw new SweepSpecError(collapsed);
    const created = await this.store.createSweep({
      spec,
      gridAxes: gridAxes(spec),
      artifact,
      runs,
    });
    await this.enqueue(created.sweepId, created.queued);
    return {
      sweepId: created.sweepId,
      runCount: created.runCount,
      cachedCount: created.cachedCount,
      queuedCount: created.queued.length,
    };
  }

  /** One job per job key: a chip job serves every queued run of its chip. */
  private async enqueue(sweepId: string, runs: QueuedRun[]): Promise<void> {
    if (runs.length === 0) return;
    const jobs = new Map<string, SimulationRunJobData>();
    for (const run of runs) {
      if (jobs.has(run.jobKey)) continue;
      jobs.set(run.jobKey, {
        jobKey: run.jobKey,
        kind: run.jobKey === run.configHash ? 'run' : 'chip',
        runId: run.runId,
        sweepId,
      });
    }
    try {
      await enqueueSimulationRuns(this.queue, [...jobs.values()], (enqueued) =>
        this.crashHook(enqueued),
      );
    } catch (error) {
      const reason = `could not enqueue: ${(error as Error).message}`;
      this.logger.error(`sweep ${sweepId}: ${reason}`);
      // The runs would otherwise wait forever; failed, they can be requeued with retry-failed.
      await this.store.failQueuedRuns(sweepId, reason);
      throw new ServiceUnavailableException(
        `sweep ${sweepId} was stored but ${reason}; retry with POST /sweeps/${sweepId}/retry-failed`,
      );
    }
    // A job id already taken by a job that finished meanwhile added nothing: serve those from cache.
    await this.store.settleCachedRuns(sweepId);
  }

  /** ENGRAM_TEST_CRASH_AFTER_ENQUEUED_JOBS: die as a crash mid-enqueue would (tests only). */
  private crashHook(enqueued: number): void {
    const limit = this.config.crashAfterEnqueuedJobs;
    if (limit !== undefined && enqueued >= limit) process.kill(process.pid, 'SIGKILL');
  }

  async progress(sweepId: string): Promise<SweepProgress> {
    const progress = await this.store.getProgress(sweepId);
    if (!progress) throw noSuchSweep(sweepId);
    return progress;
  }

  async spec(sweepId: string): Promise<SweepSpec> {
    const spec = await this.store.getSpec(sweepId);
    if (!spec) throw noSuchSweep(sweepId);
    return spec;
  }

  /**
   * Queued runs are cancelled and their jobs removed (run and chip jobs alike) unless another
   * sweep's pending runs need them; running ones finish.
   */
  async cancel(
    sweepId: string,
  ): Promise<{ cancelledRuns: number; removedJobs: number; sweep: SweepProgress }> {
    await this.progress(sweepId);
    const { cancelledRuns, unneededJobKeys } = await this.store.cancel(sweepId);
    const removedJobs = await removeSimulationRunJobs(this.queue, unneededJobKeys);
    return { cancelledRuns, removedJobs, sweep: await this.progress(sweepId) };
  }

  async retryFailed(sweepId: string): Promise<{ requeuedRuns: number; sweep: SweepProgress }> {
    await this.progress(sweepId);
    const runs = await this.store.requeueFailed(sweepId);
    await this.enqueue(sweepId, runs);
    return { requeuedRuns: runs.length, sweep: await this.progress(sweepId) };
  }
}
