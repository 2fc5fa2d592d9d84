export {
  pointNetSegmentCosts,
  farthestPointSamplingOps,
  ballQueryOps,
  DISTANCE_OPS,
} from './segment-costs';
export {
  ModelNetModelContext,
  pointNetModelContext,
  loadPointNetContextData,
  POINTNET_MEMORY_TRAINING_CLOUDS,
  POINTNET_CALIBRATION_CLOUDS,
  POINTNET_EVALUATION_ORDER_SEED,
} from './model-context';
export type { PointCloudSplit, PointNetContextData } from './model-context';
