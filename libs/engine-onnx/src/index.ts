export { OnnxResNetEngine } from './resnet-engine';
export type { OnnxEngineOptions, OnnxState } from './onnx-engine-base';
export { OnnxPointNetEngine, pointNetGroupingCache } from './pointnet-engine';
export type { OnnxPointCloudState } from './pointnet-engine';
export type { TileStrategy } from './crossbar-graph';
export { kernelRects } from './crossbar-graph';
export { ortThreads, sessionOptions, createSession } from './sessions';
export { GraphBuilder, ONNX_OPSET } from './graph-builder';
