export { initTensorEngine } from './engine';
