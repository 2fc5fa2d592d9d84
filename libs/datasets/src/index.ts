export { DatasetFormatError, DatasetUnavailableError } from './errors';
export { SeededRandom, deriveSeed } from './random';
export {
  MNIST_MEAN,
  MNIST_STD,
  checkMnistFiles,
  loadMnist,
  normalizeMnistBatch,
  selectMnist,
  splitTrainValidation,
  type MnistDataset,
} from './mnist';
export { normalizeToUnitSphere } from './modelnet/normalize';
export { UP_AXIS, augmentPointCloud } from './modelnet/augment';
export {
  discoverModelNetClasses,
  loadModelNet,
  resolveModelNetRoot,
  type ModelNetDataset,
} from './modelnet/dataset';
export {
  FETCH_MODELNET10_COMMAND,
  MODELNET10_FOLDER,
  ModelNetMissingError,
  defaultModelNetRoot,
  modelNetAvailable,
  resolveDataDir,
} from './modelnet/data-dir';
export {
  MODELNET10_LAYOUT,
  ModelNetArchiveError,
  type ModelNetArchiveLayout,
} from './modelnet/archive';
export {
  CACHE_MANIFEST,
  DEFAULT_CACHE_POINTS,
  DEFAULT_CACHE_SEED,
  buildModelNetCache,
  readCacheManifest,
  type ModelNetCacheManifest,
} from './modelnet/cache';
// Test helpers (a synthetic ModelNet10 archive): '@engram/datasets/testing'.
