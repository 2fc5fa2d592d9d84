/**
 * When a sample may leave at an exit, from the TCAM's sensed mismatch of every stored row.
 * - margin (default): the best class's mismatch must beat the second-best class's by at least
 *   the threshold ("a clear enough match");
 * - absolute: the best class's mismatch must be at most the threshold.
 */
export type ExitRule = 'margin' | 'absolute';

export interface ExitDecisions {
  /** 1 where the sample exits here. */
  exits: Uint8Array;
  predictedClass: Uint16Array;
  /** Best class's mismatch (min over its rows), normalized to [0, 1]. */
  bestMismatch: Float32Array;
  /** Second-best class's mismatch minus the best's. */
  margin: Float32Array;
}

export function decideExits(
  mismatch: Float32Array,
  count: number,
  rowClass: Uint16Array,
  numClasses: number,
  rule: ExitRule,
  threshold: number,
): ExitDecisions {
  const rows = rowClass.length;
  if (mismatch.length !== count * rows) {
    throw new RangeError(`expected ${count} x ${rows} mismatches, got ${mismatch.length}`);
  }
  const exits = new Uint8Array(count);
  const predictedClass = new Uint16Array(count);
  const bestMismatch = new Float32Array(count);
  const margin = new Float32Array(count);
  const perClass = new Float32Array(numClasses);
  for (let i = 0; i < count; i++) {
    perClass.fill(Infinity);
    for (let r = 0; r < rows; r++) {
      const c = rowClass[r];
      const m = mismatch[i * rows + r];
      if (m < perClass[c]) perClass[c] = m;
    }
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (perClass[c] < perClass[best]) best = c;
    let second = Infinity;
    for (let c = 0; c < numClasses; c++)
      if (c !== best && perClass[c] < second) second = perClass[c];
    predictedClass[i] = best;
    bestMismatch[i] = perClass[best];
    margin[i] = second - perClass[best];
    exits[i] = (rule === 'margin' ? margin[i] >= threshold : perClass[best] <= threshold) ? 1 : 0;
  }
  return { exits, predictedClass, bestMismatch, margin };
}
