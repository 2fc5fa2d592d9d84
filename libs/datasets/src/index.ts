export { DatasetFormatError, DatasetUnavailableError } from './errors';
export { SeededRandom, deriveSeed } from './random';
export { parseIdx, type IdxArray } from './idx';
export {
  DEFAULT_VALIDATION_COUNT,
  MNIST_CLASS_COUNT,
  MNIST_MEAN,
  MNIST_STD,
  checkMnistFiles,
  loadMnist,
  normalizeMnistBatch,
  resolveMnistDir,
  selectMnist,
  splitTrainValidation,
  type LoadMnistOptions,
  type MnistDataset,
  type MnistSplit,
  type TrainValidationSplit,
} from './mnist';
export { parseOff, type TriangleMesh } from './modelnet/off';
export { parsePcd } from './modelnet/pcd';
export { sampleSurface, triangleArea } from './modelnet/sampling';
export { normalizeToUnitSphere, resamplePoints } from './modelnet/normalize';
export {
  UP_AXIS,
  augmentPointCloud,
  jitterPoints,
  rotateAboutUpAxis,
  scalePoints,
  type AugmentOptions,
} from './modelnet/augment';
export {
  discoverModelNetClasses,
  loadModelNet,
  resolveModelNetRoot,
  type LoadModelNetOptions,
  type ModelNetDataset,
  type ModelNetProgress,
  type ModelNetSplit,
} from './modelnet/dataset';
