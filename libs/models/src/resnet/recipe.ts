import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  loadMnist,
  splitTrainValidation,
  MnistDataset,
  MNIST_MEAN,
  MNIST_STD,
} from '@engram/datasets';
import type { ModelArtifact } from './artifact';
import { ResNetNetwork } from './network';
import { RESNET_MNIST_SPEC, ResNetSpec } from './architecture';
import { MnistTrainer, TrainConfig, evaluateMnist } from './trainer';
import { WeightMode } from '../training/executors';
import { recalibrateBatchNorm } from './batch-norm-recalibration';
import { StageOptions, StageResult, runStage, trainStages } from '../training/recipe';


/**
 * How the committed resnet-mnist artifact is trained: a float network from scratch (the software
 * reference) and the ternary hardware-aware network (straight-through ternarization with
 * programming-noise injection), also from scratch: the two stages are independent, so they train
 * in parallel, one per core.
 */
export interface ResNetMnistRecipe {
  spec: ResNetSpec;
  validationCount: number;
  splitSeed: number;
  float: TrainConfig;
  ternary: TrainConfig;
}

export const RESNET_MNIST_RECIPE: ResNetMnistRecipe = {
  spec: RESNET_MNIST_SPEC,
  validationCount: 5000,
  splitSeed: 20240601,
  float: {
    mode: 'float',
    epochs: 6,
    batchSize: 128,
    learningRate: 2e-3,
    warmupSteps: 100,
    weightDecay: 0.01,
    auxLossWeight: 1,
    trainNoise: 0,
    maxShiftPixels: 2,
    batchNormMomentum: 0.9,
    seed: 1,
  },
  ternary: {
    mode: 'ternary',
    epochs: 6,
    batchSize: 128,
    learningRate: 2e-3,
    warmupSteps: 100,
    weightDecay: 0.01,
    auxLossWeight: 1,
    trainNoise: 0.05,
    maxShiftPixels: 2,
    batchNormMomentum: 0.9,
    seed: 2,
  },
};

/**
 * Trains (or resumes) one stage; a finished stage is loaded, not retrained. The test accuracy is
 * measured with the running statistics of training: the recalibration comes with the artifact.
 */
export function runRecipeStage(
  recipe: ResNetMnistRecipe,
  mode: WeightMode,
  workDir: string,
  data: { train: MnistDataset; validation: MnistDataset; test: MnistDataset },
  log: (m: string) => void,
  options: StageOptions = {},
): { network: ResNetNetwork; result: StageResult | null } {
  const network = ResNetNetwork.create(recipe.spec, mode === 'float' ? 11 : 12);
  const config = mode === 'float' ? recipe.float : recipe.ternary;
  return runStage({
    mode,
    workDir,
    label: '',
    network,
    config,
    log,
    options,
    trainer: (checkpoint) =>
      new MnistTrainer(network, config, data.train, data.validation, checkpoint, { log }),
    finish: (history, trainingSeconds): StageResult => {
      const test = evaluateMnist(network, mode, data.test);
      return {
        mode,
        history,
        testAccuracy: test.accuracy,
        testExitAccuracy: test.exitAccuracy,
        trainingSeconds,
      };
    },
  });
}

export function loadRecipeData(recipe: ResNetMnistRecipe) {
  const split = splitTrainValidation(loadMnist('train'), recipe.validationCount, recipe.splitSeed);
  return { train: split.train, validation: split.validation, test: loadMnist('test') };
}

/**
 * Trains whatever is missing of the recipe (resuming checkpoints in `<artifactDir>/training`)
 * and writes the artifact into `artifactDir` once both variants exist, with batch-norm
 * statistics re-estimated with the final weights.
 */
export function trainResNetMnist(
  artifactDir: string,
  options: { stages?: WeightMode[]; log?: (m: string) => void; recipe?: ResNetMnistRecipe } = {},
): ModelArtifact | null {
  const recipe = options.recipe ?? RESNET_MNIST_RECIPE;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const workDir = path.join(artifactDir, 'training');
  fs.mkdirSync(workDir, { recursive: true });
  const data = loadRecipeData(recipe);
  return trainStages<ResNetNetwork, StageResult, ModelArtifact>({
    artifactDir,
    stages: options.stages,
    log,
    runStage: (mode) => runRecipeStage(recipe, mode, workDir, data, log),
    finalize: (mode, network, result) => {
      recalibrateBatchNorm(network, mode, data.train);
      const test = evaluateMnist(network, mode, data.test);
      log(
        `[train] ${mode}: batch-norm statistics re-estimated with the final weights: test accuracy ` +
          `${(100 * result.testAccuracy).toFixed(2)}% -> ${(100 * test.accuracy).toFixed(2)}%`,
      );
      result.testAccuracyBeforeBatchNormRecalibration = result.testAccuracy;
      result.testAccuracy = test.accuracy;
      result.testExitAccuracy = test.exitAccuracy;
    },
    config: (mode) => (mode === 'float' ? recipe.float : recipe.ternary),
    testSamples: data.test.count,
    manifest: () => ({
      name: 'resnet-mnist',
      createdAt: new Date().toISOString(),
      spec: recipe.spec,
      normalization: { mean: MNIST_MEAN, std: MNIST_STD },
      dataset: {
        name: 'mnist',
        trainSamples: data.train.count,
        validationSamples: recipe.validationCount,
        splitSeed: recipe.splitSeed,
      },
    }),
  });
}
