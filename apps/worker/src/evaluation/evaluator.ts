import type { EvaluationConfig, EvaluationResult } from '@engram/evaluation';

/** Provider token of the function that runs one simulation. */
export const EVALUATOR = Symbol('EVALUATOR');

export interface Evaluator {
  /** Runs `evaluate(config)`; an aborted signal stops the run and rejects with an AbortError. */
  evaluate(config: EvaluationConfig, signal?: AbortSignal): Promise<EvaluationResult>;
  close(): Promise<void>;
}

/** An error from the evaluation, carried across the thread boundary with its name and field. */
export class EvaluationFailure extends Error {
  constructor(
    name: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** Runs that can never succeed here (bad configuration, no trained model): fail at once. */
const PERMANENT_ERRORS = new Set([
  'InvalidEvaluationConfigError',
  'DeviceProfileError',
  'ModelUnavailableError',
]);

export function isPermanentEvaluationError(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name !== undefined && PERMANENT_ERRORS.has(name);
}
