/**
 * The contract between the science and the platform (one configuration in, one set of metrics
 * out) lives in @engram/contracts, shared with the sweep specification, persistence, the worker
 * and the API; the evaluation library reads its types from there.
 */
export type {
  DeviceOverrides,
  EvaluationConfig,
  EvaluationResult,
  EvaluationSplit,
  ExitRuleName,
  ModelName,
} from '@engram/contracts';
