// Small networks and training configurations for the specs only (not exported from the library):
// a ternary run of 2 epochs x 10 steps in a few seconds.
import type { ResNetSpec } from '../resnet/architecture';
import type { PointNetSpec } from '../pointnet2/architecture';
import type { PointNetTrainConfig } from '../pointnet2/trainer';
import type { TrainConfig } from '../resnet/trainer';

export const SMALL_RESNET_SPEC: ResNetSpec = {
  kind: 'resnet',
  inputHeight: 28,
  inputWidth: 28,
  inputChannels: 1,
  stemChannels: 4,
  stages: [
    { channels: 4, blocks: 1, stride: 1 },
    { channels: 8, blocks: 1, stride: 2 },
  ],
  exits: [{ afterStage: 0, poolGrid: 2, semanticDim: 8 }],
  numClasses: 10,
};

export const SMALL_MNIST_CONFIG: TrainConfig = {
  mode: 'ternary',
  epochs: 2,
  batchSize: 32,
  learningRate: 5e-3,
  warmupSteps: 2,
  weightDecay: 0.01,
  auxLossWeight: 1,
  trainNoise: 0.05,
  maxShiftPixels: 2,
  batchNormMomentum: 0.9,
  seed: 3,
};

export const SMALL_POINTNET_SPEC: PointNetSpec = {
  kind: 'pointnet2',
  numPoints: 32,
  firstLevelAbsoluteXyz: true,
  levels: [
    { npoint: 8, radius: 0.5, nsample: 4, mlp: [8] },
    { npoint: 4, radius: 0.9, nsample: 4, mlp: [8] },
  ],
  globalMlp: [16],
  head: [8],
  exits: [
    { afterStage: 0, semanticDim: 8, pooling: 'max+mean' },
    { afterStage: 1, semanticDim: 8, pooling: 'max' },
  ],
  numClasses: 4,
};

export const SMALL_POINTNET_CONFIG: PointNetTrainConfig = {
  mode: 'ternary',
  epochs: 2,
  batchSize: 8,
  learningRate: 5e-3,
  warmupSteps: 2,
  weightDecay: 0.01,
  auxLossWeights: [1, 0.5],
  trainNoise: 0.05,
  batchNormMomentum: 0.9,
  headDropout: 0.3,
  labelSmoothing: 0,
  augmentation: {
    rotate: true,
    scaleRange: [0.8, 1.25],
    jitterSigma: 0.01,
    jitterClip: 0.05,
    shufflePoints: true,
  },
  seed: 3,
};
