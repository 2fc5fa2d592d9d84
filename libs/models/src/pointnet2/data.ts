import * as tf from '@tensorflow/tfjs';
import { ModelNetDataset, SeededRandom, augmentPointCloud, deriveSeed } from '@engram/datasets';
import type { LabelledSet, TrainingSet } from '../training/trainer';

/** Clouds of one split: count x numPoints x 3 coordinates (unit sphere) and a label each. */
export interface PointCloudSet {
  points: Float32Array;
  labels: Uint8Array;
  count: number;
  numPoints: number;
  /** Index of each cloud in the dataset it was taken from. */
  sourceIndices: Uint32Array;
}

export function pointCloudSet(dataset: ModelNetDataset): PointCloudSet {
  return {
    points: dataset.points,
    labels: dataset.labels,
    count: dataset.count,
    numPoints: dataset.numPoints,
    sourceIndices: Uint32Array.from({ length: dataset.count }, (_, i) => i),
  };
}

/** The clouds at `indices` (in that order). */
export function selectClouds(set: PointCloudSet, indices: ArrayLike<number>): PointCloudSet {
  const stride = set.numPoints * 3;
  const points = new Float32Array(indices.length * stride);
  const labels = new Uint8Array(indices.length);
  const sourceIndices = new Uint32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    points.set(set.points.subarray(j * stride, (j + 1) * stride), i * stride);
    labels[i] = set.labels[j];
    sourceIndices[i] = set.sourceIndices[j];
  }
  return { points, labels, count: indices.length, numPoints: set.numPoints, sourceIndices };
}

/**
 * A seeded validation split, stratified by class: round(fraction x class size) clouds of every
 * class (so the small classes are represented). Both parts keep the original order.
 */
export function splitStratified(
  set: PointCloudSet,
  validationFraction: number,
  seed: number,
): { train: PointCloudSet; validation: PointCloudSet } {
  if (!(validationFraction >= 0 && validationFraction < 1))
    throw new RangeError(`validationFraction must be in [0, 1), got ${validationFraction}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < set.count; i++) {
    const list = byClass.get(set.labels[i]) ?? [];
    list.push(i);
    byClass.set(set.labels[i], list);
  }
  const validation = new Set<number>();
  for (const [label, members] of [...byClass].sort((a, b) => a[0] - b[0])) {
    const order = new SeededRandom(deriveSeed(seed, `class-${label}`)).permutation(members.length);
    const take = Math.round(validationFraction * members.length);
    for (let k = 0; k < take; k++) validation.add(members[order[k]]);
  }
  const trainIdx: number[] = [];
  const validationIdx: number[] = [];
  for (let i = 0; i < set.count; i++) (validation.has(i) ? validationIdx : trainIdx).push(i);
  return { train: selectClouds(set, trainIdx), validation: selectClouds(set, validationIdx) };
}

export interface PointAugmentation {
  /** Random rotation about the up axis (z). ModelNet is aligned: off by default in the recipe. */
  rotate: boolean;
  scaleRange: [number, number];
  jitterSigma: number;
  jitterClip: number;
  /**
   * Random order of the points: farthest point sampling starts at point 0 and the ball query
   * takes the first neighbours in index order, so a new order gives new groupings.
   */
  shufflePoints: boolean;
}

/**
 * Writes the augmented clouds `indices` of `set` into `out` ([indices.length][numPoints][3]).
 * Each cloud's randomness depends only on (seed, epoch, cloud index), so a resumed epoch sees the
 * same clouds.
 */
export function augmentedBatch(
  set: PointCloudSet,
  indices: ArrayLike<number>,
  augmentation: PointAugmentation,
  seed: number,
  epoch: number,
  out: Float32Array,
): Float32Array {
  const n = set.numPoints;
  const stride = n * 3;
  const scratch = new Float32Array(stride);
  for (let b = 0; b < indices.length; b++) {
    const index = indices[b];
    const random = new SeededRandom(deriveSeed(seed, `augment-${epoch}-${index}`));
    const source = set.points.subarray(index * stride, (index + 1) * stride);
    const target = out.subarray(b * stride, (b + 1) * stride);
    if (augmentation.shufflePoints) {
      const order = random.permutation(n);
      for (let p = 0; p < n; p++) {
        const q = order[p] * 3;
        scratch[p * 3] = source[q];
        scratch[p * 3 + 1] = source[q + 1];
        scratch[p * 3 + 2] = source[q + 2];
      }
    } else {
      scratch.set(source);
    }
    augmentPointCloud(
      scratch,
      random,
      {
        rotate: augmentation.rotate,
        scaleRange: augmentation.scaleRange,
        jitterSigma: augmentation.jitterSigma,
        jitterClip: augmentation.jitterClip,
      },
      target,
    );
  }
  return out;
}

/** The clouds start..start+n of a set as one contiguous array (no copy). */
export function cloudRange(set: PointCloudSet, start: number, n: number): Float32Array {
  const stride = set.numPoints * 3;
  return set.points.subarray(start * stride, (start + n) * stride);
}

/** Clouds in order as [n, numPoints, 3] batches (evaluation). */
export function pointCloudLabelledSet(set: PointCloudSet): LabelledSet {
  return {
    count: set.count,
    labels: set.labels,
    inputs: (start, n) => tf.tensor3d(cloudRange(set, start, n), [n, set.numPoints, 3]),
  };
}

/** Training clouds, each augmented from (seed, epoch, cloud) only (`augmentedBatch`). */
export function pointCloudTrainingSet(
  set: PointCloudSet,
  augmentation: PointAugmentation,
  seed: number,
): TrainingSet {
  return {
    ...pointCloudLabelledSet(set),
    epochBatches(epoch, _fromStep, batchSize) {
      const batch = new Float32Array(batchSize * set.numPoints * 3);
      return (indices) =>
        tf.tensor3d(augmentedBatch(set, indices, augmentation, seed, epoch, batch), [
          indices.length,
          set.numPoints,
          3,
        ]);
    },
  };
}
