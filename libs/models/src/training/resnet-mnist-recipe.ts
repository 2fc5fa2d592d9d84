import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  loadMnist,
  splitTrainValidation,
  MnistDataset,
  MNIST_MEAN,
  MNIST_STD,
} from '@engram/datasets';
import { ModelArtifact, saveArtifact } from '../artifact/artifact';
import { ResNetNetwork } from '../resnet/network';
import { RESNET_MNIST_SPEC, ResNetSpec } from '../resnet/architecture';
import { MnistTrainer, TrainConfig, EpochRecord, evaluateMnist } from './trainer';
import { readTensorFile, writeJsonAtomic, writeTensorFile } from '../artifact/tensor-file';
import { WeightMode } from './executors';
import { recalibrateBatchNorm } from './batch-norm-recalibration';

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

export interface StageResult {
  mode: WeightMode;
  history: EpochRecord[];
  testAccuracy: number;
  testExitAccuracy: number[];
  /** Set when the artifact is written: the accuracy with the running statistics of training. */
  testAccuracyBeforeBatchNormRecalibration?: number;
  trainingSeconds: number;
}

function stageFiles(workDir: string, mode: WeightMode) {
  return {
    checkpointDir: path.join(workDir, 'checkpoints', mode),
    weightsBin: path.join(workDir, `${mode}.bin`),
    weightsJson: path.join(workDir, `${mode}.json`),
  };
}

/** Trains (or resumes) one stage; a finished stage is loaded, not retrained. */
export function runRecipeStage(
  recipe: ResNetMnistRecipe,
  mode: WeightMode,
  workDir: string,
  data: { train: MnistDataset; validation: MnistDataset; test: MnistDataset },
  log: (m: string) => void,
): { network: ResNetNetwork; result: StageResult } {
  const files = stageFiles(workDir, mode);
  const network = ResNetNetwork.create(recipe.spec, mode === 'float' ? 11 : 12);
  if (fs.existsSync(files.weightsJson)) {
    const saved = JSON.parse(fs.readFileSync(files.weightsJson, 'utf8'));
    network.params.assignAll(readTensorFile(files.weightsBin, saved.parameters));
    log(`[train] ${mode} stage already finished: ${files.weightsJson}`);
    return { network, result: saved.result as StageResult };
  }
  const config = mode === 'float' ? recipe.float : recipe.ternary;
  const trainer = new MnistTrainer(
    network,
    config,
    data.train,
    data.validation,
    {
      dir: files.checkpointDir,
      everySteps: 50,
    },
    { log },
  );
  trainer.resumeIfPossible();
  const history = trainer.run();
  const test = evaluateMnist(network, mode, data.test);
  const result: StageResult = {
    mode,
    history,
    testAccuracy: test.accuracy,
    testExitAccuracy: test.exitAccuracy,
    trainingSeconds: trainer.trainState.elapsedSeconds,
  };
  trainer.dispose();
  const shapes = new Map(network.params.names().map((n) => [n, network.params.get(n).shape]));
  const parameters = writeTensorFile(files.weightsBin, network.params.snapshot(), shapes);
  writeJsonAtomic(files.weightsJson, { parameters, result, config });
  log(`[train] ${mode} test accuracy ${(100 * test.accuracy).toFixed(2)}%`);
  return { network, result };
}

export function loadRecipeData(recipe: ResNetMnistRecipe) {
  const split = splitTrainValidation(loadMnist('train'), recipe.validationCount, recipe.splitSeed);
  return { train: split.train, validation: split.validation, test: loadMnist('test') };
}

/** Content version of an artifact: the first 12 hex digits of a SHA-256 over its weights. */
export function weightsVersion(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}

/**
 * Trains whatever is missing of the recipe (resuming checkpoints in `<artifactDir>/training`)
 * and writes the artifact into `artifactDir` once both variants exist.
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
  const results = new Map<WeightMode, { network: ResNetNetwork; result: StageResult }>();
  for (const mode of options.stages ?? (['float', 'ternary'] as WeightMode[])) {
    results.set(mode, runRecipeStage(recipe, mode, workDir, data, log));
  }
  const done = (['float', 'ternary'] as WeightMode[]).every((mode) =>
    fs.existsSync(stageFiles(workDir, mode).weightsJson),
  );
  if (!done) {
    log('[train] the artifact is written once both the float and the ternary stage have finished');
    return null;
  }
  for (const mode of ['float', 'ternary'] as WeightMode[]) {
    if (!results.has(mode)) results.set(mode, runRecipeStage(recipe, mode, workDir, data, log));
    const { network, result } = results.get(mode) as {
      network: ResNetNetwork;
      result: StageResult;
    };
    recalibrateBatchNorm(network, mode, data.train);
    const test = evaluateMnist(network, mode, data.test);
    log(
      `[train] ${mode}: batch-norm statistics re-estimated with the final weights: test accuracy ` +
        `${(100 * result.testAccuracy).toFixed(2)}% -> ${(100 * test.accuracy).toFixed(2)}%`,
    );
    result.testAccuracyBeforeBatchNormRecalibration = result.testAccuracy;
    result.testAccuracy = test.accuracy;
    result.testExitAccuracy = test.exitAccuracy;
  }
  const variants = {} as Parameters<typeof saveArtifact>[2];
  for (const [mode, { network, result }] of results) {
    variants[mode] = {
      network,
      metrics: {
        testAccuracy: result.testAccuracy,
        testExitAccuracy: result.testExitAccuracy,
        testSamples: data.test.count,
      },
      training: {
        testAccuracyBeforeBatchNormRecalibration: result.testAccuracyBeforeBatchNormRecalibration,
        epochs: result.history.length,
        seconds: result.trainingSeconds,
        config: mode === 'float' ? recipe.float : recipe.ternary,
        history: result.history,
      },
    };
  }
  const version = weightsVersion(
    ['float', 'ternary'].map((m) => stageFiles(workDir, m as WeightMode).weightsBin),
  );
  const manifest = saveArtifact(
    artifactDir,
    {
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
    },
    variants,
    version,
  );
  log(`[train] wrote ${artifactDir} (version ${version})`);
  return manifest;
}
