import { DeviceProfile, DeviceProfileError, deviceProfileWithKnobs } from '@engram/hardware';
import { ENERGY_MODEL_VERSION } from '@engram/energy';
import type { SemanticMemory } from '@engram/semantic-memory';
import { InferenceOutcome } from './dynamic-inference';
import { defaultEngine, enginesFor } from './engine-chip';
import { ENGINE_NAMES, EngineName } from './registry';
import { EvaluationModel } from './evaluation-model';
import { EvaluationConfig, EvaluationResult, EvaluationSplit } from './types';
import { InvalidEvaluationConfigError } from './errors';
import { passEnergyPj, perInference, segmentReach } from './energy-accounting';

/**
 * What every run does before and after it computes, whichever way (evaluate.ts: real dynamic
 * inference; chip-runs.ts: derived from a chip's pass): the configuration checked and resolved,
 * the semantic memories, and the metrics summed up from the outcomes.
 */

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

export function checkConfig(config: EvaluationConfig): void {
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
  if (config.timing !== undefined && config.timing !== 'derived' && config.timing !== 'measured') {
    throw new InvalidEvaluationConfigError(
      'timing',
      `must be derived or measured, got ${String(config.timing)}`,
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

export interface PreparedRun {
  profile: DeviceProfile;
  thresholds: number[];
  split: EvaluationSplit;
  count: number;
  labels: Uint8Array;
  memories: SemanticMemory[];
}

export function prepareRun(model: EvaluationModel, config: EvaluationConfig): PreparedRun {
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

/** How a result was made and its wall times (see EvaluationResult). */
export type ResultTiming = Pick<
  EvaluationResult,
  'timing' | 'wallTimeMs' | 'dynamicWallTimeMs' | 'staticWallTimeMs' | 'chipPassWallTimeMs'
>;

/** A run's metrics from its dynamic and static outcomes on one chip. */
export function summarize(
  model: EvaluationModel,
  config: EvaluationConfig,
  { profile, count, labels, memories }: PreparedRun,
  engine: EngineName,
  dynamic: InferenceOutcome,
  stat: InferenceOutcome,
  software: Uint16Array,
  timing: ResultTiming,
): EvaluationResult {
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
    ...timing,
  };
  return result;
}

/** Samples that reached exit e (those that did not leave at an earlier exit). */
function reached(histogram: number[], e: number): number {
  let left = 0;
  for (let i = 0; i < e; i++) left += histogram[i];
  return histogram.reduce((a, b) => a + b, 0) - left;
}
