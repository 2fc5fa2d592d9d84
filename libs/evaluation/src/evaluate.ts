import {
  DeviceProfile,
  DeviceProfileError,
  ENERGY_MODEL_VERSION,
  deviceProfileWithKnobs,
} from '@engram/hardware';
import type { SemanticMemory } from '@engram/semantic-memory';
import { initTensorEngine } from '@engram/tensor';
import { runEngineInference, InferenceOutcome } from './dynamic-inference';
import { defaultEngine, enginesFor, programEngineChip } from './engine-chip';
import { ENGINE_NAMES, EngineName } from './registry';
import { EvaluationModel } from './evaluation-model';
import { loadEvaluationModel } from './model-registry';
import { EvaluationConfig, EvaluationResult, EvaluationSplit } from './types';
import { InvalidEvaluationConfigError } from './errors';
import { passEnergyPj, perInference, segmentReach } from './energy-accounting';

/** Semantic-memory defaults (see the library README for how they were chosen). */
export const DEFAULT_DONT_CARE_MARGIN_STD = 0.25;
const MEMORY_KMEANS_SEED = 0;

/** The run's device profile: the named profile with the config's device knobs, validated. */
export function deviceProfileFor(config: EvaluationConfig): DeviceProfile {
  try {
    return deviceProfileWithKnobs(config.deviceProfile, config.device);
  } catch (error) {
    if (error instanceof DeviceProfileError) {
      const field = error.fieldPath === 'name' ? 'deviceProfile' : 'device';
      throw new InvalidEvaluationConfigError(field, error.message);
    }
    throw error;
  }
}

function thresholdsFor(config: EvaluationConfig, exits: number): number[] {
  const t = config.camThreshold;
  const list = Array.isArray(t) ? t : Array.from({ length: exits }, () => t);
  if (list.length !== exits) {
    throw new InvalidEvaluationConfigError(
      'camThreshold',
      `expected one threshold or ${exits}, got ${list.length}`,
    );
  }
  for (const value of list) {
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new InvalidEvaluationConfigError(
        'camThreshold',
        `thresholds must be numbers >= 0 (Infinity disables an exit), got ${value}`,
      );
    }
  }
  return list;
}

function checkConfig(config: EvaluationConfig): void {
  if (!Number.isInteger(config.memorySize) || config.memorySize < 1 || config.memorySize > 64) {
    throw new InvalidEvaluationConfigError(
      'memorySize',
      `must be an integer in [1, 64], got ${config.memorySize}`,
    );
  }
  if (!Number.isInteger(config.seed) || config.seed < 0) {
    throw new InvalidEvaluationConfigError(
      'seed',
      `must be a non-negative integer, got ${config.seed}`,
    );
  }
  if (
    config.exitRule !== undefined &&
    config.exitRule !== 'margin' &&
    config.exitRule !== 'absolute'
  ) {
    throw new InvalidEvaluationConfigError(
      'exitRule',
      `must be margin or absolute, got ${config.exitRule}`,
    );
  }
  if (config.engine !== undefined && !ENGINE_NAMES.includes(config.engine as EngineName)) {
    throw new InvalidEvaluationConfigError(
      'engine',
      `unknown engine ${config.engine} (available: ${ENGINE_NAMES.join(', ')})`,
    );
  }
}

/** The run's engine: the configured one if the model has it, else the model's fastest. */
export function engineFor(config: EvaluationConfig, model: EvaluationModel): EngineName {
  const engine = (config.engine as EngineName | undefined) ?? defaultEngine(model);
  if (!enginesFor(model).includes(engine)) {
    throw new InvalidEvaluationConfigError(
      'engine',
      `${config.model} runs on ${enginesFor(model).join(', ')}, not ${engine}`,
    );
  }
  return engine;
}

function accuracy(predictions: Uint16Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / predictions.length;
}

/**
 * One run of the semantic-memory dynamic network on simulated memristor hardware: programs every
 * crossbar and TCAM from the device profile and seed, runs dynamic inference, the static network
 * on the same chip and the float software reference on the same samples, and reports accuracy,
 * compute and energy.
 */
export async function evaluate(config: EvaluationConfig): Promise<EvaluationResult> {
  return (await runEvaluation(config)).result;
}

/** What one evaluation computed, beyond its metrics: for tests and analysis scripts. */
export interface EvaluationDetail {
  result: EvaluationResult;
  dynamic: InferenceOutcome;
  static: InferenceOutcome;
  software: Uint16Array;
  /** Times each weight layer ran (batches) during the dynamic pass. */
  dynamicLayerCalls: Map<string, number>;
}

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
    return summarize(
      model,
      config,
      run,
      engineName,
      dynamic,
      stat,
      software,
      dynamicLayerCalls,
      started,
    );
  } finally {
    await engine.dispose();
  }
}

/**
 * Static passes by chip (model, engine, seed, device profile) and samples, most recent first. A
 * static pass does not depend on the exit thresholds or the memory, and each pass draws its read
 * noise afresh from the chip's streams (InferenceEngine.beginPass), so a sweep over thresholds
 * and memory sizes computes each chip's static pass once per worker; a reused outcome keeps the
 * wall time it was measured with.
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

interface PreparedRun {
  profile: DeviceProfile;
  thresholds: number[];
  split: EvaluationSplit;
  count: number;
  labels: Uint8Array;
  memories: SemanticMemory[];
}

function prepareRun(model: EvaluationModel, config: EvaluationConfig): PreparedRun {
  checkConfig(config);
  const profile = deviceProfileFor(config);
  const network = model.network;
  const exits = network.exits.length;
  const thresholds = thresholdsFor(config, exits);
  const split = config.split ?? 'test';
  const available = model.sampleCount(split);
  const count = config.sampleCount ?? available;
  if (!Number.isInteger(count) || count < 1 || count > available) {
    throw new InvalidEvaluationConfigError(
      'sampleCount',
      `must be an integer in [1, ${available}] for ${split}, got ${count}`,
    );
  }
  const labels = model.labels(split).subarray(0, count);

  const memories = model.memory(
    config.memorySize,
    DEFAULT_DONT_CARE_MARGIN_STD,
    MEMORY_KMEANS_SEED,
  );
  return { profile, thresholds, split, count, labels, memories };
}

function summarize(
  model: EvaluationModel,
  config: EvaluationConfig,
  { profile, count, labels, memories }: PreparedRun,
  engine: EngineName,
  dynamic: InferenceOutcome,
  stat: InferenceOutcome,
  software: Uint16Array,
  dynamicLayerCalls: Map<string, number>,
  started: number,
): EvaluationDetail {
  const exits = model.network.exits.length;
  const exitHistogram = new Array(exits + 1).fill(0);
  const exitCorrect = new Array(exits + 1).fill(0);
  for (let i = 0; i < count; i++) {
    exitHistogram[dynamic.exitIndex[i]]++;
    if (dynamic.predictions[i] === labels[i]) exitCorrect[dynamic.exitIndex[i]]++;
  }
  const costs = model.segmentCosts(
    profile,
    memories.map((m) => m.rowClass.length),
  );
  const energy = passEnergyPj(
    costs,
    {
      dynamicCounts: dynamic.counts,
      staticCounts: stat.counts,
      reach: segmentReach(
        exitHistogram,
        model.network.exits.map((e) => e.afterStage),
        model.network.stageCount,
      ),
    },
    profile,
  );
  const result: EvaluationResult = {
    model: config.model,
    artifactVersion: model.version,
    engine,
    samples: count,
    dynamicAccuracy: accuracy(dynamic.predictions, labels),
    staticAccuracy: accuracy(stat.predictions, labels),
    softwareAccuracy: accuracy(software, labels),
    exitHistogram,
    exitAccuracy: exitCorrect.map((c, e) => (exitHistogram[e] ? c / exitHistogram[e] : NaN)),
    meanMacsPerSample: dynamic.counts.cimMacs / count,
    staticMacsPerSample: stat.counts.cimMacs / count,
    computeReduction: 1 - dynamic.counts.cimMacs / stat.counts.cimMacs,
    camSearchesPerSample:
      exitHistogram.reduce((sum, _, e) => sum + (e < exits ? reached(exitHistogram, e) : 0), 0) /
      count,
    camBitSearchesPerSample: dynamic.counts.camBitSearches / count,
    energyModelVersion: ENERGY_MODEL_VERSION,
    digitalBaseline: profile.digitalBaseline.name,
    energyPerInferencePj: energy.chipDynamic.totalPj / count,
    staticEnergyPerInferencePj: energy.chipStatic.totalPj / count,
    digitalBaselineEnergyPerInferencePj: energy.digitalStatic.totalPj / count,
    digitalDynamicEnergyPerInferencePj: energy.digitalDynamic.totalPj / count,
    energyReductionVsDigitalStatic: energy.reductionVsDigitalStatic,
    energyReductionVsDigitalDynamic: energy.reductionVsDigitalDynamic,
    energyReductionVsDigital: energy.reductionVsDigitalStatic,
    energyReductionVsStatic: energy.reductionVsChipStatic,
    energyBreakdownPj: perInference(energy.chipDynamic, count),
    digitalEnergyBreakdownPj: perInference(energy.digitalStatic, count),
    wallTimeMs: performance.now() - started,
    dynamicWallTimeMs: dynamic.wallTimeMs,
    staticWallTimeMs: stat.wallTimeMs,
  };
  return { result, dynamic, static: stat, software, dynamicLayerCalls };
}

/** Samples that reached exit e (those that did not leave at an earlier exit). */
function reached(histogram: number[], e: number): number {
  let left = 0;
  for (let i = 0; i < e; i++) left += histogram[i];
  return histogram.reduce((a, b) => a + b, 0) - left;
}
