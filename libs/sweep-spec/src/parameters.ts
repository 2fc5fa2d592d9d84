import type { EvaluationConfig } from '@engram/evaluation';
import {
  DEFAULT_DEVICE_PROFILE,
  DIGITAL_BASELINE_NAMES,
  DigitalBaselineName,
} from '@engram/hardware';

/**
 * Every simulation parameter a sweep may set, in the grid (swept) or in `fixed`. Each maps onto
 * one field of the evaluation contract; `apply` writes a value into a config under construction.
 */
export type ParameterName =
  | 'programmingNoise'
  | 'readNoise'
  | 'camThreshold'
  | 'camThresholdExit1'
  | 'camThresholdExit2'
  | 'memorySize'
  | 'adcBits'
  | 'dacBits'
  | 'seed'
  | 'stuckAtLrsRate'
  | 'stuckAtHrsRate'
  | 'tileRows'
  | 'tileCols'
  | 'exitRule'
  | 'deviceProfile'
  | 'engine'
  | 'digitalBaseline';

export type ParameterValue = number | string;

/** A config under construction: device overrides always present so `apply` can write into them. */
export type MutableEvaluationConfig = Omit<Partial<EvaluationConfig>, 'device'> & {
  device: NonNullable<EvaluationConfig['device']>;
  /** Per-exit thresholds that override camThreshold at their exit (index = exit). */
  exitThresholds: (number | undefined)[];
};

interface ParameterBase {
  name: ParameterName;
  description: string;
  /** What an unset parameter means (documented in the JSON Schema). */
  defaultDescription: string;
  apply(config: MutableEvaluationConfig, value: ParameterValue): void;
}

export interface NumericParameter extends ParameterBase {
  kind: 'number' | 'integer';
  minimum: number;
  maximum: number;
}

export interface EnumParameter extends ParameterBase {
  kind: 'enum';
  values: readonly string[];
}

export type ParameterDefinition = NumericParameter | EnumParameter;

/** Default when neither grid nor fixed set the seed (repeats then count up from it). */
export const DEFAULT_SEED = 0;
export const MAX_SEED = 2 ** 31 - 1;

const PROFILE_DEFAULT = 'the device profile value';

export const PARAMETERS: Readonly<Record<ParameterName, ParameterDefinition>> = {
  programmingNoise: {
    name: 'programmingNoise',
    kind: 'number',
    minimum: 0,
    maximum: 1,
    description:
      'Programming noise: relative std as a fraction of the conductance window (uniform model).',
    defaultDescription: `${PROFILE_DEFAULT} (state-dependent fit: 2.83% LRS, 1.85% HRS)`,
    apply: (config, value) => (config.device.programmingNoise = value as number),
  },
  readNoise: {
    name: 'readNoise',
    kind: 'number',
    minimum: 0,
    maximum: 1,
    description: 'Read noise per read: relative std as a fraction of the conductance window.',
    defaultDescription: `${PROFILE_DEFAULT} (0.01)`,
    apply: (config, value) => (config.device.readNoise = value as number),
  },
  camThreshold: {
    name: 'camThreshold',
    kind: 'number',
    minimum: 0,
    maximum: 1,
    description:
      'TCAM exit threshold on the normalized mismatch, for every exit that has no threshold of its own.',
    defaultDescription: 'required',
    apply: (config, value) => (config.camThreshold = value as number),
  },
  camThresholdExit1: {
    name: 'camThresholdExit1',
    kind: 'number',
    minimum: 0,
    maximum: 1,
    description: 'TCAM threshold of the first exit only (overrides camThreshold there).',
    defaultDescription: 'camThreshold',
    apply: (config, value) => (config.exitThresholds[0] = value as number),
  },
  camThresholdExit2: {
    name: 'camThresholdExit2',
    kind: 'number',
    minimum: 0,
    maximum: 1,
    description: 'TCAM threshold of the second exit only (overrides camThreshold there).',
    defaultDescription: 'camThreshold',
    apply: (config, value) => (config.exitThresholds[1] = value as number),
  },
  memorySize: {
    name: 'memorySize',
    kind: 'integer',
    minimum: 1,
    maximum: 64,
    description: 'Prototypes per class in the semantic memory (K).',
    defaultDescription: 'required',
    apply: (config, value) => (config.memorySize = value as number),
  },
  adcBits: {
    name: 'adcBits',
    kind: 'integer',
    minimum: 2,
    maximum: 16,
    description: 'ADC resolution in bits.',
    defaultDescription: `${PROFILE_DEFAULT} (8)`,
    apply: (config, value) => (config.device.adcBits = value as number),
  },
  dacBits: {
    name: 'dacBits',
    kind: 'integer',
    minimum: 1,
    maximum: 16,
    description: 'DAC (input) resolution in bits.',
    defaultDescription: `${PROFILE_DEFAULT} (8)`,
    apply: (config, value) => (config.device.dacBits = value as number),
  },
  seed: {
    name: 'seed',
    kind: 'integer',
    minimum: 0,
    maximum: MAX_SEED,
    description:
      'Seed of every random draw of the run (programming noise, faults, read and TCAM noise).',
    defaultDescription: `${DEFAULT_SEED}; with repeats, seeds count up from it`,
    apply: (config, value) => (config.seed = value as number),
  },
  stuckAtLrsRate: {
    name: 'stuckAtLrsRate',
    kind: 'number',
    minimum: 0,
    maximum: 1,
    description: 'Fraction of cells stuck at the low-resistance state.',
    defaultDescription: `${PROFILE_DEFAULT} (0)`,
    apply: (config, value) => (config.device.stuckAtLrsRate = value as number),
  },
  stuckAtHrsRate: {
    name: 'stuckAtHrsRate',
    kind: 'number',
    minimum: 0,
    maximum: 1,
    description: 'Fraction of cells stuck at the high-resistance state.',
    defaultDescription: `${PROFILE_DEFAULT} (0)`,
    apply: (config, value) => (config.device.stuckAtHrsRate = value as number),
  },
  tileRows: {
    name: 'tileRows',
    kind: 'integer',
    minimum: 8,
    maximum: 1024,
    description: 'Crossbar tile rows (bounds the partial sum each ADC conversion sees).',
    defaultDescription: `${PROFILE_DEFAULT} (128)`,
    apply: (config, value) => (config.device.tileRows = value as number),
  },
  tileCols: {
    name: 'tileCols',
    kind: 'integer',
    minimum: 8,
    maximum: 1024,
    description: 'Crossbar tile columns.',
    defaultDescription: `${PROFILE_DEFAULT} (128)`,
    apply: (config, value) => (config.device.tileCols = value as number),
  },
  exitRule: {
    name: 'exitRule',
    kind: 'enum',
    values: ['margin', 'absolute'],
    description:
      'When a sample may leave at an exit: margin over the second-best class, or absolute mismatch.',
    defaultDescription: 'margin',
    apply: (config, value) => (config.exitRule = value as EvaluationConfig['exitRule']),
  },
  deviceProfile: {
    name: 'deviceProfile',
    kind: 'enum',
    values: ['rram-40nm-ternary'],
    description: 'Device profile the per-run overrides apply to.',
    defaultDescription: 'rram-40nm-ternary',
    apply: (config, value) => (config.deviceProfile = value as string),
  },
  engine: {
    name: 'engine',
    kind: 'enum',
    values: ['onnx', 'tfjs'],
    description:
      'Inference engine of the run: onnxruntime (fast) or TensorFlow.js (the reference); both simulate the same hardware, so an axis over it compares them.',
    defaultDescription: "the model's default engine (onnx where the model has ONNX graphs)",
    apply: (config, value) => (config.engine = value as string),
  },
  digitalBaseline: {
    name: 'digitalBaseline',
    kind: 'enum',
    values: DIGITAL_BASELINE_NAMES,
    description:
      'Digital accelerator the energy reductions are measured against: int8 weight-stationary dataflow, int8 MACs only (perfect reuse), int8 with weights from DRAM, or ternary add/subtract (docs/energy-model.md).',
    defaultDescription: `${PROFILE_DEFAULT} (${DEFAULT_DEVICE_PROFILE.digitalBaseline.name})`,
    apply: (config, value) => (config.device.digitalBaseline = value as DigitalBaselineName),
  },
};

export const PARAMETER_NAMES = Object.keys(PARAMETERS) as ParameterName[];

export function isParameterName(name: string): name is ParameterName {
  return Object.prototype.hasOwnProperty.call(PARAMETERS, name);
}

/** Parameters that have no default: a sweep must set them in the grid or in `fixed`. */
export const REQUIRED_PARAMETERS: readonly ParameterName[] = ['camThreshold', 'memorySize'];

/**
 * Values the platform writes explicitly when a sweep leaves them unset, so that two sweeps that
 * mean the same run also hash to the same identity. Device overrides stay unset (they mean "the
 * profile's value", which the profile name already pins down).
 */
export const PLATFORM_DEFAULTS = {
  deviceProfile: 'rram-40nm-ternary',
  exitRule: 'margin',
  split: 'test',
  seed: DEFAULT_SEED,
} as const;
