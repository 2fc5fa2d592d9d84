/**
 * Thrown when a dataset file is malformed. The message always starts with the file name (and the
 * line, for text formats) so a user can open the offending file directly.
 */
export class DatasetFormatError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
  ) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'DatasetFormatError';
  }
}
