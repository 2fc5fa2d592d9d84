export { initTensorEngine, BACKEND_ENV, BACKEND_ORDER } from './engine';
export type { BackendName, TensorEngineInfo, EngineLogger } from './engine';
export { registerWasmKernels, WASM_ADDITIONS } from './kernels/register';
export { conv2dBackpropFilter } from './kernels/conv2d-backprop-filter';
export { conv2dBackpropInput } from './kernels/conv2d-backprop-input';
