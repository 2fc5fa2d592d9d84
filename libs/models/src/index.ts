export * from './resnet/architecture';
export { stateTensors, forwardWithExits } from './dynamic-network';
export type { DynamicNetwork, ExitPoint } from './dynamic-network';
export { ResNetNetwork, weightName, BATCH_NORM_EPSILON } from './resnet/network';
export type { ForwardContext, BatchNormMode, BatchStatistics } from './resnet/network';
export { ParameterStore } from './layers/parameters';
export { FloatExecutor, applyWeightLayer } from './layers/executor';
export type { CimExecutor } from './layers/executor';
export {
  ternarize,
  ternarizeSte,
  injectProgrammingNoise,
  TERNARY_THRESHOLD_FACTOR,
} from './layers/ternary';
export { AdamW } from './training/adamw';
export { TrainingExecutor, QuantizedExecutor } from './training/executors';
export type { WeightMode } from './training/executors';
export { MnistTrainer, evaluateMnist } from './training/trainer';
export type {
  TrainConfig,
  TrainState,
  EpochRecord,
  CheckpointOptions,
  MnistAccuracy,
} from './training/trainer';
export { ProgressBar, formatDuration } from './training/progress';
export { writeTensorFile, readTensorFile, writeJsonAtomic } from './artifact/tensor-file';
export type { TensorIndexEntry } from './artifact/tensor-file';
export {
  loadArtifact,
  saveArtifact,
  networkFromArtifact,
  artifactManifestPath,
  ARTIFACT_FORMAT,
} from './artifact/artifact';
export type {
  ModelArtifact,
  LoadedArtifact,
  VariantRecord,
  Normalization,
} from './artifact/artifact';
export {
  RESNET_MNIST_RECIPE,
  trainResNetMnist,
  runRecipeStage,
  loadRecipeData,
  weightsVersion,
} from './training/resnet-mnist-recipe';
export type { ResNetMnistRecipe, StageResult } from './training/resnet-mnist-recipe';
export { recalibrateBatchNorm } from './training/batch-norm-recalibration';
export * from './pointnet2';
