import type { EvaluationConfig, EvaluationResult } from '@engram/contracts';

/** Provider token of the function that runs one simulation. */
export const EVALUATOR = Symbol('EVALUATOR');

export interface Evaluator {
  /** Runs `evaluate(config)`; an aborted signal stops the run and rejects with an AbortError. */
  evaluate(config: EvaluationConfig, signal?: AbortSignal): Promise<EvaluationResult>;
  /**
   * Runs `evaluateChipRuns(configs)` (configurations of one chip, one hardware pass): results in
   * input order; `onProgress` hears the pass's progress; an aborted signal stops it.
   */
  evaluateChipRuns(
    configs: EvaluationConfig[],
    options?: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
  ): Promise<EvaluationResult[]>;
  close(): Promise<void>;
}

/**
 * An error from the evaluation, carried across the thread boundary with its name, field and
 * whether it is permanent (a structured clone keeps none of the class).
 */
export class EvaluationFailure extends Error {
  constructor(
    name: string,
    message: string,
    readonly field?: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = name;
  }
}

/**
 * Runs that can never succeed here fail at once, without retries. The libraries mark such errors
 * with `permanent = true`: a bad configuration (InvalidEvaluationConfigError, DeviceProfileError),
 * no trained model or an artifact trained on other data (ModelUnavailableError), an artifact this
 * build cannot read (ArtifactFormatError), a dataset missing (DatasetUnavailableError) or malformed
 * (DatasetFormatError). Anything else (out of memory, a thread crash, I/O) is retried.
 */
export function isPermanentEvaluationError(error: unknown): boolean {
  return (error as { permanent?: unknown } | null)?.permanent === true;
}
