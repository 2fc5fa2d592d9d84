/** A configuration that can never run (the platform fails such a run at once, without retries). */
export class InvalidEvaluationConfigError extends Error {
  /** Retrying cannot help: a platform fails the run at once (see apps/worker). */
  readonly permanent = true;

  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'InvalidEvaluationConfigError';
  }
}

/** The model has no trained artifact in this deployment: every run of it fails the same way. */
export class ModelUnavailableError extends Error {
  /** Retrying cannot help: a platform fails the run at once (see apps/worker). */
  readonly permanent = true;

  constructor(
    readonly model: string,
    detail: string,
  ) {
    super(`${model}: ${detail}`);
    this.name = 'ModelUnavailableError';
  }
}
