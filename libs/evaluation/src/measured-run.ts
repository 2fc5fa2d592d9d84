// Runs made by real dynamic inference (`timing: 'measured'`): the chip runs the samples stage by
// stage and only those that did not leave go on, so the dynamic pass's wall time is measured.
// Runs derived from a chip's one pass (the default) are in chip-runs.ts.
import { initTensorEngine } from '@engram/tensor';
import { runEngineInference, InferenceOutcome } from './dynamic-inference';
import { programEngineChip } from './engine-chip';
import { EvaluationModel } from './evaluation-model';
import { loadEvaluationModel } from './model-registry';
import { EvaluationConfig, EvaluationResult } from './types';
import { checkConfig, deviceProfileFor, engineFor, prepareRun, summarize } from './run-setup';

/** What one evaluation computed, beyond its metrics: for tests and analysis scripts. */
export interface EvaluationDetail {
  result: EvaluationResult;
  dynamic: InferenceOutcome;
  static: InferenceOutcome;
  software: Uint16Array;
  /** Times each weight layer ran (batches) during the dynamic pass. */
  dynamicLayerCalls: Map<string, number>;
}

/** A run by real dynamic inference (timing 'measured'), with what it computed. */
export async function runEvaluation(config: EvaluationConfig): Promise<EvaluationDetail> {
  checkConfig(config);
  deviceProfileFor(config);
  await initTensorEngine();
  const started = performance.now();
  return evaluateOnEngine(await loadEvaluationModel(config.model), config, started);
}

/**
 * One evaluation on an already loaded model (what `evaluate` does after loading it), on the
 * configured engine (default: the model's fastest, onnx for the ResNet).
 */
export async function evaluateOnEngine(
  model: EvaluationModel,
  config: EvaluationConfig,
  started = performance.now(),
): Promise<EvaluationDetail> {
  const run = prepareRun(model, config);
  const engineName = engineFor(config, model);
  const { chip, engine } = await programEngineChip(
    model,
    run.profile,
    {
      seed: config.seed,
      memories: run.memories,
      thresholds: run.thresholds,
      exitRule: config.exitRule ?? 'margin',
    },
    engineName,
  );
  try {
    const { split, count } = run;
    const dynamic = await runEngineInference(
      engine,
      chip,
      model.batches(split, count),
      count,
      true,
    );
    const dynamicLayerCalls = new Map(engine.layerCalls);
    const stat = await staticOutcomes.get(
      JSON.stringify([
        model.name,
        model.version,
        engineName,
        config.seed,
        run.profile,
        split,
        count,
      ]),
      () => runEngineInference(engine, chip, model.batches(split, count), count, false),
    );
    const software = model.softwarePredictions(split, count);
    const result = summarize(model, config, run, engineName, dynamic, stat, software, {
      timing: 'measured',
      wallTimeMs: performance.now() - started,
      dynamicWallTimeMs: dynamic.wallTimeMs,
      staticWallTimeMs: stat.wallTimeMs,
      chipPassWallTimeMs: null,
    });
    return { result, dynamic, static: stat, software, dynamicLayerCalls };
  } finally {
    await engine.dispose();
  }
}

/**
 * Static passes by chip (model, engine, seed, device profile) and samples, most recent first. A
 * static pass does not depend on the exit thresholds or the memory, and its read noise depends on
 * the chip and the samples only (keyed by sample), so measured runs over thresholds and memory
 * sizes compute each chip's static pass once per worker; a reused outcome keeps the wall time it
 * was measured with.
 */
class StaticOutcomeCache {
  private readonly entries = new Map<string, InferenceOutcome>();

  constructor(private readonly capacity: number) {}

  clear(): void {
    this.entries.clear();
  }

  async get(key: string, compute: () => Promise<InferenceOutcome>): Promise<InferenceOutcome> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const outcome = await compute();
    this.entries.set(key, outcome);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    return outcome;
  }
}

const staticOutcomes = new StaticOutcomeCache(64);

/** For tests: forget the cached static passes. */
export function clearStaticOutcomeCache(): void {
  staticOutcomes.clear();
}
