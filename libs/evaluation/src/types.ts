/**
 * The contract between the science and the platform (one configuration in, one set of metrics
 * out) lives in @engram/contracts, shared with the sweep specification, persistence, the worker
 * and the API; the evaluation library reads its types from there.
 */
export type {
  EvaluationConfig,
  EvaluationResult,
  EvaluationSplit,
  ModelName,
} from '@engram/contracts';
