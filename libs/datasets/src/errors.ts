/**
 * Thrown when a dataset file is malformed. The message always starts with the file name (and the
 * line, for text formats) so a user can open the offending file directly.
 */
export class DatasetFormatError extends Error {
  /** Retrying cannot help: a platform fails the run at once (see apps/worker). */
  readonly permanent = true;

  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'DatasetFormatError';
  }
}

/**
 * A dataset (or a file or folder of it) is not where it is looked for. The message says where it
 * was looked for and how to get it.
 */
export class DatasetUnavailableError extends Error {
  /** Retrying cannot help: a platform fails the run at once (see apps/worker). */
  readonly permanent = true;

  constructor(
    readonly dataset: string,
    message: string,
  ) {
    super(message);
    this.name = 'DatasetUnavailableError';
  }
}
