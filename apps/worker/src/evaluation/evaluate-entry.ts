// The module each evaluation thread loads: the science's evaluate, nothing else.
export { evaluate } from '@engram/evaluation';
