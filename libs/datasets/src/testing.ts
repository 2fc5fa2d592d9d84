// Test helpers of the datasets library ('@engram/datasets/testing'): for specs only, never
// production code.
export { syntheticModelNetArchive } from './modelnet/synthetic-archive';
