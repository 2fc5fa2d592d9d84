export { MODEL_REGISTRY, parameterRange, type ModelRegistration } from './model-registry';
export {
  ModelArtifactNotFoundError,
  modelArtifactManifestPath,
  readModelArtifactInfo,
  type ModelArtifactInfo,
} from './model-artifact';
export {
  SweepSpecError,
  SweepSpecValidator,
  countRuns,
  sweepSpecJsonSchema,
  type SpecIssue,
  type SweepLimits,
  type SweepSpec,
} from './sweep-spec';
export {
  collapsedRunIssues,
  expandSweep,
  gridAxes,
  resolveConfig,
  type ExpandedRun,
  type IdentifiedRun,
  type ParameterValues,
} from './expand';
export { RUN_IDENTITY_FORMAT, canonicalJson, runConfigHash } from './run-identity';
export { JsonSyntaxError, parseStrictJson } from './strict-json';
export { parseSpecText, specFormatOf, type SpecFormat } from './parse';
