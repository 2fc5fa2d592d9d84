// The module each evaluation thread loads: the science's evaluate and evaluateChipRuns with every
// engine the worker runs registered (importing an engine library registers its engine).
import '@engram/engine-onnx';
export { evaluate, evaluateChipRuns, assertEnginesRegistered } from '@engram/evaluation';
