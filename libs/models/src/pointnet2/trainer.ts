import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '@engram/datasets';
import { QuantizedExecutor, WeightMode } from '../training/executors';
import {
  Accuracy,
  BaseTrainConfig,
  CheckpointOptions,
  TrainHooks,
  Trainer,
  evaluateAccuracy,
} from '../training/trainer';
import type { PointCloudState, PointNetNetwork } from './network';
import { applyPointwise } from './executors';
import {
  PointAugmentation,
  PointCloudSet,
  pointCloudLabelledSet,
  pointCloudTrainingSet,
} from './data';

export interface PointNetTrainConfig extends BaseTrainConfig {
  /** Weight of each exit's auxiliary cross-entropy relative to the final classifier's. */
  auxLossWeights: number[];
  /** Dropout on the classifier's hidden layers. */
  headDropout: number;
  labelSmoothing: number;
  augmentation: PointAugmentation;
}

export type PointNetAccuracy = Accuracy;

/** Evaluation batch: bounded by memory (SA1 activations are 8,192 x 64 values per cloud). */
export const POINTNET_EVAL_BATCH = 32;

/**
 * Trains one PointNet++ on ModelNet clouds with checkpoints that a later process resumes exactly:
 * layers run as matrix products, the loss is the mean cross-entropy (label smoothing as
 * configured), dropout in the head is seeded per step and each cloud's augmentation by
 * (seed, epoch, cloud).
 */
export class PointNetTrainer extends Trainer<PointNetTrainConfig, PointCloudState> {
  constructor(
    network: PointNetNetwork,
    config: PointNetTrainConfig,
    train: PointCloudSet,
    validation: PointCloudSet,
    checkpoint: CheckpointOptions,
    hooks: TrainHooks = {},
    /** The float network that `config.distillation` distils from (running batch norm). */
    teacher?: PointNetNetwork,
  ) {
    if (train.numPoints !== network.spec.numPoints) {
      throw new Error(
        `clouds of ${train.numPoints} points for a ${network.spec.numPoints}-point network`,
      );
    }
    super(
      network,
      config,
      pointCloudTrainingSet(train, config.augmentation, config.seed),
      pointCloudLabelledSet(validation),
      checkpoint,
      {
        label: 'pointnet2',
        apply: applyPointwise,
        crossEntropy: (oneHot, logits) =>
          tf.losses.softmaxCrossEntropy(
            oneHot,
            logits,
            undefined,
            config.labelSmoothing,
            tf.Reduction.MEAN,
          ),
        auxLossWeights: config.auxLossWeights,
        forwardOptions: (step) => ({
          dropout: { rate: config.headDropout, seed: deriveSeed(config.seed, `dropout-${step}`) },
        }),
        evaluationBatchSize: POINTNET_EVAL_BATCH,
        teacher: teacher && floatTeacher(teacher),
      },
      hooks,
    );
  }
}

function floatTeacher(teacher: PointNetNetwork) {
  const executor = new QuantizedExecutor((layer) => teacher.weight(layer), 'float', applyPointwise);
  return (x: tf.Tensor) => {
    const out = teacher.forwardAll(x, { executor, batchNorm: 'running' });
    return { logits: out.logits, exitLogits: out.exitLogits };
  };
}

/** Noise-free accuracy of the float or ternary network (running batch-norm statistics). */
export function evaluatePointNet(
  network: PointNetNetwork,
  mode: WeightMode,
  set: PointCloudSet,
  batchSize = POINTNET_EVAL_BATCH,
): PointNetAccuracy {
  return evaluateAccuracy(network, mode, pointCloudLabelledSet(set), {
    batchSize,
    apply: applyPointwise,
  });
}
