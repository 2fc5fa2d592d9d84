import { DEFAULT_DEVICE_PROFILE, DEVICE_PROFILES, DIGITAL_BASELINE_NAMES } from '@engram/hardware';

/**
 * The names the platform and the science agree on. A model, engine or profile added to the
 * evaluation must be named here before a sweep, a run or a stored result may refer to it.
 */

/** Models a sweep may evaluate (each has a trained artifact under models/<name>/). */
export const MODEL_NAMES = ['resnet-mnist', 'pointnet2-modelnet10'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

/** Inference engines: onnxruntime (fast) and TensorFlow.js (the reference). */
export const ENGINE_NAMES = ['onnx', 'tfjs'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Dataset splits a run evaluates. */
export const SPLIT_NAMES = ['test', 'validation'] as const;
export type EvaluationSplit = (typeof SPLIT_NAMES)[number];

/** When a sample may leave at an exit: margin over the second-best class, or absolute mismatch. */
export const EXIT_RULE_NAMES = ['margin', 'absolute'] as const;
export type ExitRuleName = (typeof EXIT_RULE_NAMES)[number];

/**
 * How a run's metrics are made: 'derived' (the default) from its chip's shared hardware pass,
 * 'measured' by real dynamic inference of its own (its simulator wall times are measured).
 */
export const RUN_TIMINGS = ['derived', 'measured'] as const;
export type RunTiming = (typeof RUN_TIMINGS)[number];

/** Device profiles a run may name (the hardware library's), the default first. */
export const DEVICE_PROFILE_NAMES: readonly string[] = [
  DEFAULT_DEVICE_PROFILE.name,
  ...Object.keys(DEVICE_PROFILES).filter((name) => name !== DEFAULT_DEVICE_PROFILE.name),
];

/** Digital accelerators the energy reductions may be measured against (docs/energy-model.md). */
export { DIGITAL_BASELINE_NAMES };
