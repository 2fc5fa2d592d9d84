// The module each evaluation thread loads: the science's evaluate and evaluateChipRuns, nothing else.
export { evaluate, evaluateChipRuns } from '@engram/evaluation';
