/** Throws unless `length` holds exactly a rows x cols matrix with positive integer sides. */
export function checkMatrixShape(length: number, rows: number, cols: number, what: string): void {
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) {
    throw new RangeError(`${what}: rows and cols must be positive integers, got ${rows}x${cols}`);
  }
  if (length !== rows * cols) {
    throw new RangeError(
      `${what}: expected ${rows}x${cols} = ${rows * cols} values, got ${length}`,
    );
  }
}
