export { buildSemanticMemory, binarizeQueries } from './memory';
export type { SemanticMemory } from './memory';
export { decideExits } from './exit-policy';
export type { ExitRule } from './exit-policy';
