/** A profile field that is missing, unknown, of the wrong type or out of range. */
export class DeviceProfileError extends Error {
  /** Retrying cannot help: a platform fails the run at once (see apps/worker). */
  readonly permanent = true;

  constructor(
    readonly fieldPath: string,
    detail: string,
  ) {
    super(`device profile: ${fieldPath} ${detail}`);
    this.name = 'DeviceProfileError';
  }
}
