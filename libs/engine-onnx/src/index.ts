// The onnxruntime engine: importing this library registers engine 'onnx' with @engram/evaluation.
import './engine';
export { OnnxResNetEngine } from './resnet-engine';
export type { OnnxEngineOptions } from './onnx-engine-base';
export { OnnxPointNetEngine, pointNetGroupingCache } from './pointnet-engine';
export { ortThreads } from './sessions';
export { GraphBuilder } from './graph-builder';
