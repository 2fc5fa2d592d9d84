/** A configuration that can never run (the platform fails such a run at once, without retries). */
export class InvalidEvaluationConfigError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'InvalidEvaluationConfigError';
  }
}
