export { kMeans } from './kmeans';
export type { KMeansResult } from './kmeans';
export {
  buildSemanticMemory,
  binarizeQueries,
  TCAM_ZERO,
  TCAM_ONE,
  TCAM_DONT_CARE,
} from './memory';
export type { SemanticMemory, BuildMemoryOptions } from './memory';
export { decideExits } from './exit-policy';
export type { ExitRule, ExitDecisions } from './exit-policy';
