// The science phase of `npm test` (jest project `science`; the `unit` project leaves these out):
// the unit specs that run trained or training networks, simulated chips over test sets, onnxruntime
// sessions or the real datasets, and take from several seconds to minutes where the other unit
// specs take about one. Chosen by measured per-file durations (`npx jest --selectProjects unit
// --json --outputFile=times.json <paths>`, `testResults[].endTime - startTime`); a new spec of
// that kind joins the list. tools/jest/phases.js refuses to run when an entry names no file.
module.exports = [
  // the engines (tfjs, onnxruntime) against each other and on the committed artifacts
  'libs/engine-onnx/src/context-cache-equivalence.spec.ts',
  'libs/engine-onnx/src/engine-equivalence.spec.ts',
  'libs/engine-onnx/src/resnet-mnist-equivalence.spec.ts',
  'libs/engine-onnx/src/pointnet2-modelnet10-equivalence.spec.ts',
  'libs/engine-onnx/src/pointnet-engine.spec.ts',
  'libs/engine-onnx/src/crossbar-graph.spec.ts',
  // runs derived from one chip pass against real dynamic inference (tiny and trained networks)
  'libs/engine-onnx/src/chip-runs.spec.ts',
  'libs/engine-onnx/src/chip-runs-trained.spec.ts',
  // evaluate() on simulated chips, the context cache, the PointNet++ contexts
  'libs/evaluation/src/evaluate.spec.ts',
  'libs/evaluation/src/context-cache.spec.ts',
  'libs/evaluation/src/models/pointnet2-modelnet10/model-context.spec.ts',
  'libs/evaluation/src/models/pointnet2-modelnet10/dynamic-inference.spec.ts',
  'libs/evaluation/src/models/pointnet2-modelnet10/evaluate.spec.ts',
  // operating points of trained models on simulated chips (the report's sweep)
  'libs/reporting/src/operating-points.spec.ts',
  // training steps, checkpoints and exact resume
  'libs/models/src/training/trainer.spec.ts',
];
