// The run core's public face: one run on a simulated chip (evaluate), the model and engine
// registries, and the engine API the onnxruntime engine (libs/engine-onnx) and the reports
// (libs/reporting) build on. The config, result and name types are @engram/contracts'. Test
// helpers: '@engram/evaluation/testing'.
export { evaluate } from './evaluate';
export { evaluateOnEngine } from './measured-run';
export { deviceProfileFor, DEFAULT_DONT_CARE_MARGIN_STD } from './run-setup';
// A chip's runs from one hardware pass (what the sweep workers run)
export { chipKey, evaluateChipRuns } from './chip-runs';
export { traceChip, deriveOutcome } from './chip-trace';
export type { ChipTrace } from './chip-trace';
export { InvalidEvaluationConfigError, ModelUnavailableError } from './errors';
// Registries (models register from src/models/<name>/, engines from their libraries)
export { registerEngine, assertEnginesRegistered } from './registry';
export type { ProgrammedCrossbars } from './registry';
export { loadEvaluationModel, modelNames } from './model-registry';
export type { EvaluationModel } from './evaluation-model';
export { artifactDir } from './models/resnet-mnist/model-context';
export { MnistModelContext } from './models/resnet-mnist/model-context';
export { ModelNetModelContext } from './models/pointnet2-modelnet10/model-context';
// The engine API: a run's chip and what an engine computes on it
export { programEngineChip, defaultEngine } from './engine-chip';
export { programTcams } from './chip';
export { runEngineInference, exitMismatches } from './dynamic-inference';
export type { InferenceOutcome } from './dynamic-inference';
export { NetworkEngine } from './network-engine';
export type { EngineNetwork } from './network-engine';
export type { NetworkCalibration, LayerRanges } from './calibration';
export { rowTileRanges } from './crossbar-tiles';
export { ReadNoiseStream } from './read-noise';
// Costs and energy (the reports' figures)
export type { SegmentCosts } from './segment-costs';
export { segmentReach, staticReach, chipCountsFor, passEnergyPj } from './energy-accounting';
export type { PassEnergyPj, SegmentReach } from './energy-accounting';
