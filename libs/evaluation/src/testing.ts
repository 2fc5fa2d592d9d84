export { writeTinyResNetArtifact, TINY_RESNET_SPEC } from './models/resnet-mnist/testing';
export {
  writeTinyPointNetArtifact,
  tinyPointNetContext,
  syntheticContextData,
  TINY_POINTNET_SPEC,
} from './models/pointnet2-modelnet10/testing';
