export {
  evaluate,
  runEvaluation,
  evaluateOnEngine,
  engineFor,
  deviceProfileFor,
  DEFAULT_DONT_CARE_MARGIN_STD,
} from './evaluate';
export type { EvaluationDetail } from './evaluate';
export { chipKey, evaluateChipRuns } from './chip-runs';
export type { ChipRunOptions, RunTiming } from './chip-runs';
export { InvalidEvaluationConfigError, ModelUnavailableError } from './errors';
export type {
  EvaluationConfig,
  EvaluationResult,
  DeviceOverrides,
  ModelName,
  ExitRuleName,
  EvaluationSplit,
} from './types';
export { HardwareExecutor, programNetwork } from './hardware-executor';
export { calibrateNetwork } from './calibration';
export type { NetworkCalibration, LayerRanges } from './calibration';
export { segmentCosts } from './segment-costs';
export type { SegmentCosts } from './segment-costs';
export { runEngineInference } from './dynamic-inference';
export type { ChipState, ExitChip, InferenceOutcome } from './dynamic-inference';
export { programEngineChip, enginesFor, defaultEngine, ENGINE_NAMES } from './engine-chip';
export type { EngineName } from './engine-chip';
export { TfjsEngine } from './tfjs-engine';
export {
  OnnxResNetEngine,
  OnnxPointNetEngine,
  GraphBuilder,
  ortThreads,
  pointNetGroupingCache,
} from './onnx';
export type { OnnxEngineOptions, OnnxState, OnnxPointCloudState, TileStrategy } from './onnx';
export {
  ReadNoiseStream,
  readNoisePool,
  READ_NOISE_POOL_SIZE,
  READ_NOISE_BLOCK_SAMPLES,
} from './read-noise';
export { artifactDir } from './model-context';
export { ContextCache, contextCacheDir, CONTEXT_CACHE_FORMAT } from './context-cache';
export type { ContextCacheKey, ContextCacheKind, ContextCacheOutcome } from './context-cache';
export { sweepOperatingPoints } from './operating-points';
export type { OperatingPoint, OperatingPointSweep } from './operating-points';
export { modelContext, MnistModelContext } from './model-context';
export { loadEvaluationModel, MODEL_NAMES } from './model-registry';
export type { EvaluationModel, InputBatch } from './evaluation-model';
export { programChip, programTcams, programDynamicChip } from './chip';
export type { ProgrammedChip, ChipOptions } from './chip';
export { buildModelReport, REPORT_PROFILES } from './report/model-report';
export type { ModelReport, ReportOptions, ReportTargets } from './report/model-report';
export * from './pointnet2';
export { writeTinyResNetArtifact, TINY_RESNET_SPEC } from './testing-artifact';
export { writeTinyPointNetArtifact } from './pointnet2/testing';
