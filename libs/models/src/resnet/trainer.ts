import * as tf from '@tensorflow/tfjs';
import type { MnistDataset } from '@engram/datasets';
import type { ResNetNetwork } from './network';
import type { WeightMode } from '../training/executors';
import { mnistLabelledSet, mnistTrainingSet } from './data';
import {
  Accuracy,
  BaseTrainConfig,
  CheckpointOptions,
  TrainHooks,
  Trainer,
  evaluateAccuracy,
} from '../training/trainer';

export interface TrainConfig extends BaseTrainConfig {
  /** Weight of each exit's auxiliary cross-entropy relative to the final classifier's. */
  auxLossWeight: number;
  maxShiftPixels: number;
}

export type MnistAccuracy = Accuracy;

const MNIST_EVAL_BATCH = 500;

/** Trains one ResNet on MNIST (random shifts) with checkpoints that a later process resumes exactly. */
export class MnistTrainer extends Trainer<TrainConfig, tf.Tensor4D> {
  constructor(
    network: ResNetNetwork,
    config: TrainConfig,
    train: MnistDataset,
    validation: MnistDataset,
    checkpoint: CheckpointOptions,
    hooks: TrainHooks = {},
  ) {
    super(
      network,
      config,
      mnistTrainingSet(train, config.maxShiftPixels, config.seed),
      mnistLabelledSet(validation),
      checkpoint,
      {
        crossEntropy: (oneHot, logits) => tf.losses.softmaxCrossEntropy(oneHot, logits),
        auxLossWeights: network.exits.map(() => config.auxLossWeight),
        evaluationBatchSize: MNIST_EVAL_BATCH,
      },
      hooks,
    );
  }
}

/** Noise-free accuracy of the float or ternary network (running batch-norm statistics). */
export function evaluateMnist(
  network: ResNetNetwork,
  mode: WeightMode,
  dataset: MnistDataset,
  batchSize = MNIST_EVAL_BATCH,
): MnistAccuracy {
  return evaluateAccuracy(network, mode, mnistLabelledSet(dataset), { batchSize });
}
