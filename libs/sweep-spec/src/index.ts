export { MODEL_REGISTRY, parameterRange } from './model-registry';
export {
  ModelArtifactNotFoundError,
  modelArtifactManifestPath,
  readModelArtifactInfo,
  type ModelArtifactInfo,
} from './model-artifact';
export {
  SweepSpecError,
  SweepSpecValidator,
  sweepSpecJsonSchema,
  type SweepSpec,
} from './sweep-spec';
export { collapsedRunIssues, expandSweep, gridAxes, type ExpandedRun } from './expand';
export { canonicalJson, runConfigHash } from './run-identity';
export { JsonSyntaxError, parseStrictJson } from './strict-json';
export { parseSpecText, specFormatOf } from './parse';
