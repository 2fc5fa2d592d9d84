// The science phase of `npm test` (jest project `science`; the `unit` project leaves these out):
// the unit specs that run trained or training networks, simulated chips over test sets, onnxruntime
// sessions or the real datasets, and take from several seconds to minutes where the other unit
// specs take about one. Chosen by measured per-file durations (`npx jest --selectProjects unit
// --json --outputFile=times.json <paths>`, `testResults[].endTime - startTime`); a new spec of
// that kind joins the list. tools/jest/phases.js refuses to run when an entry names no file.
module.exports = [
  // the engines (tfjs, onnxruntime) against each other and on the committed artifacts
  'libs/evaluation/src/context-cache-equivalence.spec.ts',
  'libs/evaluation/src/engine-equivalence.spec.ts',
  'libs/evaluation/src/onnx/resnet-mnist-equivalence.spec.ts',
  'libs/evaluation/src/onnx/pointnet2-modelnet10-equivalence.spec.ts',
  'libs/evaluation/src/onnx/pointnet-engine.spec.ts',
  'libs/evaluation/src/onnx/crossbar-graph.spec.ts',
  // evaluate() on simulated chips, the context cache, the PointNet++ contexts
  'libs/evaluation/src/evaluate.spec.ts',
  'libs/evaluation/src/context-cache.spec.ts',
  'libs/evaluation/src/pointnet2/model-context.spec.ts',
  'libs/evaluation/src/pointnet2/dynamic-inference.spec.ts',
  'libs/evaluation/src/pointnet2/evaluate.spec.ts',
  // training steps, checkpoints and exact resume
  'libs/models/src/training/trainer.spec.ts',
];
