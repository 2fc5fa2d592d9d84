export * from './resnet/architecture';
export { stateTensors, forwardWithExits } from './dynamic-network';
export type { DynamicNetwork, ExitPoint } from './dynamic-network';
export type { InferenceEngine } from './inference-engine';
export { ResNetNetwork, weightName, BATCH_NORM_EPSILON } from './resnet/network';
export type { ForwardContext, BatchNormMode, BatchStatistics } from './resnet/network';
export { ExitNetwork, initialParameters } from './layers/exit-network';
export type {
  TrainableNetwork,
  ForwardOptions,
  NetworkOutputs,
  ExitNetworkLayout,
} from './layers/exit-network';
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
export type { WeightMode, LayerApply } from './training/executors';
export { Trainer, evaluateAccuracy } from './training/trainer';
export type {
  BaseTrainConfig,
  TrainState,
  EpochRecord,
  CheckpointOptions,
  TrainHooks,
  TrainingModel,
  LabelledSet,
  TrainingSet,
  Accuracy,
} from './training/trainer';
export { MnistTrainer, evaluateMnist } from './resnet/trainer';
export type { TrainConfig, MnistAccuracy } from './resnet/trainer';
export { mnistLabelledSet, mnistTrainingSet } from './resnet/data';
export { ProgressBar, formatDuration } from './training/progress';
export {
  ArtifactFormatError,
  writeTensorFile,
  readTensorFile,
  writeJsonAtomic,
} from './artifact/tensor-file';
export type { TensorIndexEntry } from './artifact/tensor-file';
export {
  loadArtifact,
  saveArtifact,
  networkFromArtifact,
  artifactManifestPath,
  readArtifact,
  writeArtifact,
  variantNetwork,
  ARTIFACT_FORMAT,
} from './artifact/artifact';
export type {
  ArtifactManifest,
  ModelArtifact,
  LoadedModelArtifact,
  LoadedArtifact,
  VariantRecord,
  VariantSource,
  Normalization,
} from './artifact/artifact';
export { runStage, trainStages, stageFiles, weightsVersion } from './training/recipe';
export type { StageResult, StageOptions } from './training/recipe';
export {
  RESNET_MNIST_RECIPE,
  trainResNetMnist,
  runRecipeStage,
  loadRecipeData,
} from './resnet/recipe';
export type { ResNetMnistRecipe } from './resnet/recipe';
export { recalibrateBatchNorm, reestimateBatchNorm } from './training/batch-norm-recalibration';
export * from './pointnet2';
