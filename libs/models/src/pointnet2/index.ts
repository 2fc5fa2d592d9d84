export { POINTNET2_MODELNET10_SPEC, pointNetLayout, pointNetMacs } from './architecture';
export type {
  PointNetSpec,
  SetAbstractionSpec,
  PointNetExitSpec,
  ExitPooling,
  PointNetLayout,
  SetAbstractionLayout,
  GlobalLevelLayout,
  PointNetExitLayout,
  PointNetMacs,
} from './architecture';
export {
  GroupingCache,
  farthestPointSample,
  ballQuery,
  groupLevel,
  flattenIndices,
} from './sampling';
export type { LevelGrouping } from './sampling';
export { PointNetNetwork, groupedCoordinates } from './network';
export type { PointCloudState, PointNetForwardOptions } from './network';
export { PointwiseQuantizedExecutor, applyPointwise } from './executors';
export {
  batchNormTraining,
  columnMeans,
  maxOverNeighbours,
  meanOverNeighbours,
  matMulTransposedGrad,
  pointwiseMatMul,
} from './ops';
export {
  pointCloudSet,
  selectClouds,
  splitStratified,
  augmentedBatch,
  cloudRange,
  pointCloudLabelledSet,
  pointCloudTrainingSet,
} from './data';
export type { PointCloudSet, PointAugmentation } from './data';
export { PointNetTrainer, evaluatePointNet, POINTNET_EVAL_BATCH } from './trainer';
export type { PointNetTrainConfig, PointNetAccuracy } from './trainer';
export { recalibratePointNetBatchNorm } from './batch-norm-recalibration';
export { loadPointNetArtifact, pointNetFromArtifact, savePointNetArtifact } from './artifact';
export type { PointNetArtifact, LoadedPointNetArtifact, PointCloudInput } from './artifact';
export {
  POINTNET2_MODELNET10_RECIPE,
  trainPointNetModelNet,
  runPointNetRecipeStage,
  loadPointNetRecipeData,
} from './recipe';
export type { PointNetModelNetRecipe, PointNetStageResult, PointNetRecipeData } from './recipe';
export { syntheticClouds } from './synthetic';
