export {
  DIGITAL_BASELINE_NAMES,
  ENGINE_NAMES,
  EXIT_RULE_NAMES,
  MODEL_NAMES,
  RUN_TIMINGS,
  SPLIT_NAMES,
  isModelName,
  type EngineName,
  type EvaluationSplit,
  type ModelName,
  type RunTiming,
} from './names';
export {
  resolvedDeviceProfile,
  type EvaluationConfig,
  type EvaluationResult,
  type ResolvedDeviceParameters,
} from './evaluation';
export {
  MAX_SEED,
  PARAMETER_DESCRIPTORS,
  PARAMETER_NAMES,
  PLATFORM_DEFAULTS,
  REQUIRED_PARAMETERS,
  type ParameterDescriptor,
  type ParameterName,
  type ParameterValue,
} from './parameters';
