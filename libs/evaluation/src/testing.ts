// Test helpers of the evaluation core (tiny artifacts and contexts, cache control): for specs
// and test platforms only, never production code.
export { writeTinyResNetArtifact } from './models/resnet-mnist/testing';
export {
  writeTinyPointNetArtifact,
  tinyPointNetContext,
  syntheticContextData,
  TINY_POINTNET_SPEC,
} from './models/pointnet2-modelnet10/testing';
export { ContextCache } from './context-cache';
export { clearStaticOutcomeCache, runEvaluation } from './measured-run';
export { HardwareExecutor } from './hardware-executor';
export { findRepoRoot } from './models/resnet-mnist/model-context';
export { enginesFor } from './engine-chip';
export { missingEngines } from './registry';
export { segmentCosts } from './segment-costs';
