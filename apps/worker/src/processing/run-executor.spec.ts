import type { EvaluationConfig, EvaluationResult } from '@engram/contracts';
import type { ClaimedRun, ComputedResult, RunLifecycle } from '@engram/persistence';
import { SIMULATE_CHIP_JOB, SIMULATE_RUN_JOB, workerOptionsFor } from '@engram/queue';
import { runConfigHash } from '@engram/sweep-spec';
import type { WorkerConfig } from '../config/worker-config';
import { EvaluationFailure, Evaluator } from '../evaluation/evaluator';
import type { DatabaseOutage } from './database-outage';
import { RunExecutor, RunJob } from './run-executor';

// The executor's bookkeeping of chip jobs against an in-memory store and a scripted evaluator
// (the database and queue paths are covered by apps/api's int-specs with real workers).

const ARTIFACT = 'artifact-1';

function configOf(camThreshold: number, memorySize = 2): EvaluationConfig {
  return { model: 'resnet-mnist', camThreshold, memorySize, seed: 3, sampleCount: 10 };
}

function claimed(id: string, config: EvaluationConfig): ClaimedRun {
  return {
    id,
    sweepId: `sweep-of-${id}`,
    configHash: runConfigHash(config.model, ARTIFACT, config),
    model: config.model,
    artifactVersion: ARTIFACT,
    config,
  };
}

function resultOf(config: EvaluationConfig): EvaluationResult {
  return {
    model: config.model,
    artifactVersion: ARTIFACT,
    samples: config.sampleCount,
    dynamicAccuracy: config.camThreshold,
  } as EvaluationResult;
}

function permanent(message: string): EvaluationFailure {
  return new EvaluationFailure('InvalidEvaluationConfigError', message, 'memorySize', true);
}

/** The lifecycle calls the executor makes, recorded; `claim` answers with the given runs. */
class FakeLifecycle {
  readonly calls: { method: string; args: unknown[] }[] = [];
  stored: ComputedResult[] = [];

  constructor(
    private readonly runs: ClaimedRun[],
    private readonly resultHashes: string[] = [],
  ) {}

  async claim(): ReturnType<RunLifecycle['claim']> {
    return { runs: this.runs, resultHashes: this.resultHashes, resultExists: false };
  }
  async settleFromExistingResult(hashes: string[]): Promise<number> {
    this.calls.push({ method: 'settleFromExistingResult', args: [hashes] });
    return this.runs.filter((r) => hashes.includes(r.configHash)).length;
  }
  async completeMany(results: ComputedResult[]): Promise<number> {
    this.stored = results;
    const hashes = results.map((r) => r.configHash);
    return this.runs.filter((r) => hashes.includes(r.configHash)).length;
  }
  async failConfigs(jobKey: string, failures: unknown[]): Promise<number> {
    this.calls.push({ method: 'failConfigs', args: [jobKey, failures] });
    return failures.length;
  }
  async reportPassProgress(jobKey: string, workerId: string, fraction: number): Promise<void> {
    this.calls.push({ method: 'reportPassProgress', args: [jobKey, workerId, fraction] });
  }
  async fail(jobKey: string, error: string): Promise<number> {
    this.calls.push({ method: 'fail', args: [jobKey, error] });
    return 0;
  }
  async recordRetry(jobKey: string, error: string): Promise<void> {
    this.calls.push({ method: 'recordRetry', args: [jobKey, error] });
  }
}

/** Runs each configuration in turn, reporting progress; throws for the configs `fails` names. */
class ScriptedEvaluator implements Evaluator {
  readonly chipCalls: EvaluationConfig[][] = [];
  readonly evaluated: EvaluationConfig[] = [];

  constructor(private readonly fails: (configs: EvaluationConfig[]) => Error | null = () => null) {}

  async evaluate(config: EvaluationConfig): Promise<EvaluationResult> {
    this.evaluated.push(config);
    return resultOf(config);
  }

  async evaluateChipRuns(
    configs: EvaluationConfig[],
    options: { onProgress?: (done: number, total: number) => void } = {},
  ): Promise<EvaluationResult[]> {
    this.chipCalls.push(configs);
    const error = this.fails(configs);
    if (error) throw error;
    options.onProgress?.(0, configs.length);
    const results = configs.map((config, i) => {
      options.onProgress?.(i + 1, configs.length);
      return resultOf(config);
    });
    return results;
  }

  async close(): Promise<void> {}
}

function jobOf(name: string, jobKey = 'k'.repeat(64)) {
  const progress: number[] = [];
  const job = {
    name,
    data: { jobKey, kind: name === SIMULATE_CHIP_JOB ? 'chip' : 'run', runId: 'r', sweepId: 's' },
    attemptsMade: 0,
    stalledCounter: 0,
    opts: { attempts: 3 },
    updateProgress: async (value: number) => {
      progress.push(value);
    },
  };
  return { job: job as unknown as RunJob, progress };
}

function executorWith(lifecycle: FakeLifecycle, evaluator: Evaluator): RunExecutor {
  const config = {
    workerId: 'worker-test',
    runWorker: workerOptionsFor('simulation-runs'),
  } as WorkerConfig;
  return new RunExecutor(
    config,
    lifecycle as unknown as RunLifecycle,
    evaluator,
    {} as DatabaseOutage,
  );
}

describe('RunExecutor with chip jobs', () => {
  it('computes only the configurations still pending, each once, in one pass, with progress', async () => {
    const [a, b, c] = [configOf(0.1), configOf(0.2), configOf(0.3)];
    // b is pending in two sweeps (one configuration), c has its result stored already.
    const runs = [claimed('a1', a), claimed('b1', b), claimed('b2', b), claimed('c1', c)];
    const lifecycle = new FakeLifecycle(runs, [runs[3].configHash]);
    const evaluator = new ScriptedEvaluator();
    const { job, progress } = jobOf(SIMULATE_CHIP_JOB);

    const outcome = await executorWith(lifecycle, evaluator).execute(job, 'token');

    expect(evaluator.chipCalls).toEqual([[a, b]]);
    expect(evaluator.evaluated).toEqual([]);
    expect(lifecycle.stored.map((r) => [r.configHash, r.runId, r.result.dynamicAccuracy])).toEqual([
      [runs[0].configHash, 'a1', 0.1],
      [runs[1].configHash, 'b1', 0.2],
    ]);
    expect(outcome).toMatchObject({ outcome: 'computed', settledRuns: 4, computedConfigs: 2 });
    // The pass's start and end reach the runs (in between, at most once a second).
    const fractions = lifecycle.calls
      .filter((c) => c.method === 'reportPassProgress')
      .map((c) => c.args[2]);
    expect(fractions[0]).toBe(0);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(progress[0]).toBe(5);
    expect(progress.slice(-2)).toEqual([90, 100]);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
  });

  it('settles from stored results only, without evaluating, when nothing is left to compute', async () => {
    const runs = [claimed('a1', configOf(0.1))];
    const lifecycle = new FakeLifecycle(runs, [runs[0].configHash]);
    const evaluator = new ScriptedEvaluator();
    const outcome = await executorWith(lifecycle, evaluator).execute(
      jobOf(SIMULATE_CHIP_JOB).job,
      'token',
    );
    expect(outcome).toMatchObject({ outcome: 'reused', settledRuns: 1, computedConfigs: 0 });
    expect(evaluator.chipCalls).toEqual([]);
  });

  it('fails only the configurations of a chip that can never run; stores the others', async () => {
    const [a, bad, c] = [configOf(0.1), configOf(0.2, 99), configOf(0.3)];
    const runs = [claimed('a1', a), claimed('bad1', bad), claimed('c1', c)];
    const lifecycle = new FakeLifecycle(runs);
    const evaluator = new ScriptedEvaluator((configs) =>
      configs.includes(bad) ? permanent('memorySize: must be in [1, 64]') : null,
    );
    const outcome = await executorWith(lifecycle, evaluator).execute(
      jobOf(SIMULATE_CHIP_JOB).job,
      'token',
    );
    // The pass, then each configuration alone.
    expect(evaluator.chipCalls).toEqual([[a, bad, c], [a], [bad], [c]]);
    expect(lifecycle.calls.find((c) => c.method === 'failConfigs')?.args).toEqual([
      'k'.repeat(64),
      [
        {
          configHash: runs[1].configHash,
          error: 'InvalidEvaluationConfigError: memorySize: must be in [1, 64]',
        },
      ],
    ]);
    expect(lifecycle.stored.map((r) => r.runId)).toEqual(['a1', 'c1']);
    expect(outcome).toMatchObject({ outcome: 'computed', settledRuns: 2, computedConfigs: 2 });
  });

  it('retries a chip whose pass failed transiently, as a whole', async () => {
    const runs = [claimed('a1', configOf(0.1)), claimed('b1', configOf(0.2))];
    const lifecycle = new FakeLifecycle(runs);
    const evaluator = new ScriptedEvaluator(() => new Error('EMFILE: too many open files'));
    await expect(
      executorWith(lifecycle, evaluator).execute(jobOf(SIMULATE_CHIP_JOB).job, 'token'),
    ).rejects.toThrow(/EMFILE/);
    expect(evaluator.chipCalls).toHaveLength(1);
    expect(lifecycle.calls.map((c) => c.method)).toEqual(['recordRetry']);
    expect(lifecycle.stored).toEqual([]);
  });

  it('runs a run job (measured timing) by evaluate, not by a chip pass', async () => {
    const config: EvaluationConfig = { ...configOf(0.1), timing: 'measured' };
    const runs = [claimed('m1', config)];
    const lifecycle = new FakeLifecycle(runs);
    const evaluator = new ScriptedEvaluator();
    const outcome = await executorWith(lifecycle, evaluator).execute(
      jobOf(SIMULATE_RUN_JOB, runs[0].configHash).job,
      'token',
    );
    expect(evaluator.evaluated).toEqual([config]);
    expect(evaluator.chipCalls).toEqual([]);
    expect(outcome).toMatchObject({ outcome: 'computed', settledRuns: 1, computedConfigs: 1 });
  });
});
