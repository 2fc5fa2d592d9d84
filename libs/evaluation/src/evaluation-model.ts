import type * as tf from '@tensorflow/tfjs';
import type { DeviceProfile, ProgrammedArray } from '@engram/hardware';
import type { DynamicNetwork, WeightMode } from '@engram/models';
import type { SemanticMemory } from '@engram/semantic-memory';
import type { NetworkCalibration } from './calibration';
import type { SegmentCosts } from './segment-costs';
import type { EvaluationSplit, ModelName } from './types';

/** A batch of model inputs and the index of its first sample in the split. */
export interface InputBatch {
  x: tf.Tensor;
  offset: number;
}

/**
 * What the evaluation needs of a trained model, whatever its data and network: the ternary
 * network that runs on the simulated chip, the evaluation splits in a fixed order, calibration,
 * semantic memories, the analytic costs and the float software reference. One per process and
 * model, cached (building memories takes thousands of training samples: trained models keep them
 * in the shared context cache).
 */
export interface EvaluationModel<State extends tf.TensorContainer = tf.TensorContainer> {
  readonly name: ModelName;
  /** Artifact version (a hash of the weights), stored with every result. */
  readonly version: string;
  /** Names the run's random streams, so a seed programs the same chip in every process. */
  readonly runStreamName: string;
  /** The hardware-aware ternary network. */
  readonly network: DynamicNetwork<State>;
  sampleCount(split: EvaluationSplit): number;
  /** Labels of the split's samples, in evaluation order. */
  labels(split: EvaluationSplit): Uint8Array;
  /** The first `count` samples of a split in inference batches (each `x` is the caller's to dispose). */
  batches(split: EvaluationSplit, count: number): Iterable<InputBatch>;
  /** DAC and ADC ranges from the noise-free ternary network (cached per profile). */
  calibration(profile: DeviceProfile): NetworkCalibration;
  /** The same ranges calibrated on a programmed chip's arrays (computed per chip). */
  chipCalibration(profile: DeviceProfile, arrays: Map<string, ProgrammedArray>): NetworkCalibration;
  memory(prototypesPerClass: number, dontCareMarginStd: number, seed: number): SemanticMemory[];
  /** Per-sample operation counts of every stage, exit and the head. */
  segmentCosts(profile: DeviceProfile, tcamRowsPerExit: number[]): SegmentCosts;
  /**
   * Predictions without hardware: the float network (the software reference) or the ternary
   * network's quantized weights, noise-free.
   */
  softwarePredictions(split: EvaluationSplit, count: number, variant?: WeightMode): Uint16Array;
}

/**
 * Software predictions per split and variant: they do not depend on the run, so a worker computes
 * them once. A prefix of a longer cached list is reused (every sample is predicted on its own).
 */
export class PredictionCache {
  private readonly cache = new Map<string, Uint16Array>();

  get(key: string, count: number, compute: () => Uint16Array): Uint16Array {
    const hit = this.cache.get(key);
    if (hit && hit.length >= count) return hit.slice(0, count);
    const fresh = compute();
    this.cache.set(key, fresh);
    return fresh.slice();
  }
}
