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
export { encodePcdBinary, parsePcd } from './modelnet/pcd';
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
export {
  FETCH_MODELNET10_COMMAND,
  MODELNET10_FOLDER,
  ModelNetMissingError,
  assertModelNetAvailable,
  defaultModelNetRoot,
  modelNetAvailable,
  resolveDataDir,
} from './modelnet/data-dir';
export {
  MODELNET10_LAYOUT,
  ModelNetArchiveError,
  indexModelNetArchive,
  type ModelNetArchiveIndex,
  type ModelNetArchiveLayout,
} from './modelnet/archive';
export {
  CACHE_MANIFEST,
  DEFAULT_CACHE_POINTS,
  DEFAULT_CACHE_SEED,
  buildModelNetCache,
  readCacheManifest,
  type BuildModelNetCacheOptions,
  type ModelNetCacheManifest,
} from './modelnet/cache';
export {
  syntheticModelNetArchive,
  type SyntheticArchiveOptions,
} from './modelnet/synthetic-archive';
