// The models library's public face: the ternary networks (ResNet, PointNet++) with their exits,
// their training recipes and artifacts, and what the evaluation runs them with. Test helpers:
// '@engram/models/testing'.
export { stateTensors, forwardWithExits } from './dynamic-network';
export type { DynamicNetwork, ExitPoint } from './dynamic-network';
export type { InferenceEngine } from './inference-engine';
export { layerMacs, layerRows } from './layers/weight-layer';
export type { WeightLayer } from './layers/weight-layer';
export { ExitNetwork, BATCH_NORM_EPSILON } from './layers/exit-network';
export type { ExitNetworkLayout, ForwardContext } from './layers/exit-network';
export { applyWeightLayer } from './layers/executor';
export type { CimExecutor } from './layers/executor';
export { ternarize } from './layers/ternary';
export { QuantizedExecutor } from './training/executors';
export type { WeightMode } from './training/executors';
export { ArtifactFormatError, readTensorFile } from './artifact/tensor-file';
export { artifactManifestPath } from './artifact/artifact';
// ResNet on MNIST
export { RESNET_MNIST_SPEC, resnetLayout } from './resnet/architecture';
export type { ResNetLayout, ResNetSpec } from './resnet/architecture';
export { ResNetNetwork } from './resnet/network';
export { loadArtifact, networkFromArtifact, saveArtifact } from './resnet/artifact';
export type { LoadedArtifact } from './resnet/artifact';
export { trainResNetMnist } from './resnet/recipe';
// PointNet++ on ModelNet10
export { POINTNET2_MODELNET10_SPEC, pointNetLayout, pointNetMacs } from './pointnet2/architecture';
export type { PointNetLayout, PointNetSpec } from './pointnet2/architecture';
export { PointNetNetwork, groupedCoordinates } from './pointnet2/network';
export type { PointCloudState } from './pointnet2/network';
export { GroupingCache, groupLevel } from './pointnet2/sampling';
export { PointwiseQuantizedExecutor } from './pointnet2/executors';
export { pointCloudSet, selectClouds, splitStratified, cloudRange } from './pointnet2/data';
export type { PointCloudSet } from './pointnet2/data';
export { PointNetTrainer, evaluatePointNet, POINTNET_EVAL_BATCH } from './pointnet2/trainer';
export { recalibratePointNetBatchNorm } from './pointnet2/batch-norm-recalibration';
export {
  loadPointNetArtifact,
  pointNetFromArtifact,
  savePointNetArtifact,
} from './pointnet2/artifact';
export type { PointNetArtifact, LoadedPointNetArtifact } from './pointnet2/artifact';
export {
  POINTNET2_MODELNET10_DISTILLED_RECIPE,
  POINTNET2_MODELNET10_RECIPE,
  trainPointNetModelNet,
} from './pointnet2/recipe';
