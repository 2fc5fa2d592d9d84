/** Operations one simulated run performed, by the component that pays for them. */
export interface OperationCounts {
  /** Analog multiply-accumulates in crossbar arrays. */
  cimMacs: number;
  adcConversions: number;
  dacConversions: number;
  /** One query bit compared against one stored TCAM bit. */
  camBitSearches: number;
  /** Digital adds, compares and max operations. */
  digitalOps: number;
}

export function emptyOperationCounts(): OperationCounts {
  return { cimMacs: 0, adcConversions: 0, dacConversions: 0, camBitSearches: 0, digitalOps: 0 };
}

/** Adds `delta` into `target` and returns `target`. */
export function addOperationCounts(
  target: OperationCounts,
  delta: Readonly<OperationCounts>,
): OperationCounts {
  target.cimMacs += delta.cimMacs;
  target.adcConversions += delta.adcConversions;
  target.dacConversions += delta.dacConversions;
  target.camBitSearches += delta.camBitSearches;
  target.digitalOps += delta.digitalOps;
  return target;
}

/** A new record holding the sum of all `counts`. */
export function mergeOperationCounts(
  ...counts: readonly Readonly<OperationCounts>[]
): OperationCounts {
  const total = emptyOperationCounts();
  for (const entry of counts) {
    addOperationCounts(total, entry);
  }
  return total;
}
