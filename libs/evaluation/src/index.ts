export {
  evaluate,
  runEvaluation,
  evaluateOnEngine,
  engineFor,
  deviceProfileFor,
  DEFAULT_DONT_CARE_MARGIN_STD,
} from './evaluate';
export type { EvaluationDetail } from './evaluate';
export { InvalidEvaluationConfigError, ModelUnavailableError } from './errors';
export type {
  EvaluationConfig,
  EvaluationResult,
  DeviceOverrides,
  ModelName,
  ExitRuleName,
  EvaluationSplit,
} from './types';
export { HardwareExecutor, programNetwork, hasReadNoise } from './hardware-executor';
export { calibrateNetwork } from './calibration';
export type { NetworkCalibration, LayerRanges } from './calibration';
export { rowTileRanges } from './crossbar-tiles';
export { NetworkEngine } from './network-engine';
export type { EngineNetwork } from './network-engine';
export { segmentCosts } from './segment-costs';
export type { SegmentCosts } from './segment-costs';
export {
  segmentReach,
  staticReach,
  chipCountsFor,
  passEnergyPj,
  acceleratorFor,
  digitalPassEnergyPj,
  perInference,
} from './energy-accounting';
export type { PassEnergyPj, SegmentReach } from './energy-accounting';
export { runEngineInference } from './dynamic-inference';
export type { ChipState, ExitChip, InferenceOutcome } from './dynamic-inference';
export { programEngineChip, enginesFor, defaultEngine, ENGINE_NAMES } from './engine-chip';
export type { EngineName } from './engine-chip';
export { TfjsEngine } from './tfjs-engine';
export {
  ReadNoiseStream,
  readNoisePool,
  READ_NOISE_POOL_SIZE,
  READ_NOISE_BLOCK_SAMPLES,
} from './read-noise';
export { artifactDir, findRepoRoot } from './models/resnet-mnist/model-context';
export { ContextCache, contextCacheDir, CONTEXT_CACHE_FORMAT } from './context-cache';
export type { ContextCacheKey, ContextCacheKind, ContextCacheOutcome } from './context-cache';
export { modelContext, MnistModelContext } from './models/resnet-mnist/model-context';
export { loadEvaluationModel, MODEL_NAMES } from './model-registry';
export type { EvaluationModel, InputBatch } from './evaluation-model';
export { programChip, programTcams, programDynamicChip } from './chip';
export type { ProgrammedChip, ChipOptions } from './chip';
export * from './models/pointnet2-modelnet10';
