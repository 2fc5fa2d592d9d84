import {
  PARAMETER_DESCRIPTORS,
  PARAMETER_NAMES,
  type EvaluationConfig,
  type ParameterDescriptor,
  type ParameterName,
  type ParameterValue,
} from '@engram/contracts';

/** A config under construction: device overrides always present so `apply` can write into them. */
export type MutableEvaluationConfig = Omit<Partial<EvaluationConfig>, 'device'> & {
  device: NonNullable<EvaluationConfig['device']>;
  /** Per-exit thresholds that override camThreshold at their exit (index = exit). */
  exitThresholds: (number | undefined)[];
};

/**
 * A sweep parameter: its descriptor (the contract library's: type, unit, range, default and
 * meaning) and `apply`, which writes a value into the evaluation config under construction.
 */
export type ParameterDefinition = ParameterDescriptor & {
  apply(config: MutableEvaluationConfig, value: ParameterValue): void;
};

type Device = EvaluationConfig['device'] & object;

/** Where each parameter's value goes in the evaluation config. */
const APPLY: Readonly<Record<ParameterName, ParameterDefinition['apply']>> = {
  programmingNoise: (config, value) => (config.device.programmingNoise = value as number),
  readNoise: (config, value) => (config.device.readNoise = value as number),
  camThreshold: (config, value) => (config.camThreshold = value as number),
  camThresholdExit1: (config, value) => (config.exitThresholds[0] = value as number),
  camThresholdExit2: (config, value) => (config.exitThresholds[1] = value as number),
  memorySize: (config, value) => (config.memorySize = value as number),
  adcBits: (config, value) => (config.device.adcBits = value as number),
  dacBits: (config, value) => (config.device.dacBits = value as number),
  seed: (config, value) => (config.seed = value as number),
  stuckAtLrsRate: (config, value) => (config.device.stuckAtLrsRate = value as number),
  stuckAtHrsRate: (config, value) => (config.device.stuckAtHrsRate = value as number),
  tileRows: (config, value) => (config.device.tileRows = value as number),
  tileCols: (config, value) => (config.device.tileCols = value as number),
  exitRule: (config, value) => (config.exitRule = value as EvaluationConfig['exitRule']),
  deviceProfile: (config, value) => (config.deviceProfile = value as string),
  engine: (config, value) => (config.engine = value as string),
  digitalBaseline: (config, value) =>
    (config.device.digitalBaseline = value as Device['digitalBaseline']),
};

/**
 * Every simulation parameter a sweep may set, in the grid (swept) or in `fixed`: the contract's
 * descriptor with the config field it writes.
 */
export const PARAMETERS: Readonly<Record<ParameterName, ParameterDefinition>> = Object.fromEntries(
  PARAMETER_NAMES.map((name) => [name, { ...PARAMETER_DESCRIPTORS[name], apply: APPLY[name] }]),
) as Record<ParameterName, ParameterDefinition>;
