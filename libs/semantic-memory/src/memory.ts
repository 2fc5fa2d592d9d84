import { deriveSeed } from '@engram/datasets';
import { kMeans } from './kmeans';

/** TCAM cell states of a stored row. */
export const TCAM_ZERO = 0;
export const TCAM_ONE = 1;
export const TCAM_DONT_CARE = 2;

/** One exit's semantic memory: what is programmed into its TCAM. */
export interface SemanticMemory {
  dim: number;
  numClasses: number;
  /** Prototypes per class (the sweep's "memory size"). */
  prototypesPerClass: number;
  /** Training-set mean of the semantic vectors: queries are centred by it, then binarized by sign. */
  mean: Float32Array;
  /** rows x dim cells over {0, 1, X}, class c's prototypes at rows c*K .. c*K+K-1. */
  rows: Uint8Array;
  /** Class of every row. */
  rowClass: Uint16Array;
  /** Fraction of cells stored as X. */
  dontCareFraction: number;
}

export interface BuildMemoryOptions {
  prototypesPerClass: number;
  /**
   * A prototype dimension whose centred value is within this many (per-dimension) standard
   * deviations of zero is stored as X: the class does not commit to a sign there.
   */
  dontCareMarginStd: number;
  seed: number;
}

/**
 * Learns an exit's semantic memory from the training set's semantic vectors: centre by the mean,
 * K-means per class on the centred vectors, and ternarize each prototype into a TCAM row.
 */
export function buildSemanticMemory(
  vectors: Float32Array,
  labels: ArrayLike<number>,
  dim: number,
  numClasses: number,
  options: BuildMemoryOptions,
): SemanticMemory {
  const count = labels.length;
  if (vectors.length !== count * dim) {
    throw new RangeError(`expected ${count} x ${dim} semantic values, got ${vectors.length}`);
  }
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (let i = 0; i < count; i++)
    for (let d = 0; d < dim; d++) mean[d] += vectors[i * dim + d] / count;
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) std[d] += (vectors[i * dim + d] - mean[d]) ** 2 / count;
  }
  for (let d = 0; d < dim; d++) std[d] = Math.sqrt(std[d]);

  const K = options.prototypesPerClass;
  const rows = new Uint8Array(numClasses * K * dim);
  const rowClass = new Uint16Array(numClasses * K);
  let dontCare = 0;
  for (let c = 0; c < numClasses; c++) {
    const members: number[] = [];
    for (let i = 0; i < count; i++) if (labels[i] === c) members.push(i);
    if (members.length < K)
      throw new RangeError(`class ${c} has ${members.length} vectors, fewer than K = ${K}`);
    const centred = new Float32Array(members.length * dim);
    members.forEach((i, m) => {
      for (let d = 0; d < dim; d++) centred[m * dim + d] = vectors[i * dim + d] - mean[d];
    });
    const { centroids } = kMeans(
      centred,
      members.length,
      dim,
      K,
      deriveSeed(options.seed, `class-${c}`),
    );
    for (let k = 0; k < K; k++) {
      const row = c * K + k;
      rowClass[row] = c;
      for (let d = 0; d < dim; d++) {
        const value = centroids[k * dim + d];
        const cell =
          Math.abs(value) < options.dontCareMarginStd * std[d]
            ? TCAM_DONT_CARE
            : value > 0
              ? TCAM_ONE
              : TCAM_ZERO;
        if (cell === TCAM_DONT_CARE) dontCare++;
        rows[row * dim + d] = cell;
      }
    }
  }
  return {
    dim,
    numClasses,
    prototypesPerClass: K,
    mean,
    rows,
    rowClass,
    dontCareFraction: dontCare / rows.length,
  };
}

/** Centres semantic vectors by the memory's mean and binarizes them by sign: the TCAM query. */
export function binarizeQueries(
  memory: SemanticMemory,
  vectors: Float32Array,
  count: number,
): Uint8Array {
  const { dim, mean } = memory;
  const bits = new Uint8Array(count * dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) bits[i * dim + d] = vectors[i * dim + d] > mean[d] ? 1 : 0;
  }
  return bits;
}
