import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ParameterStore } from '../layers/parameters';
import { ArtifactManifest, VariantSource, writeArtifact } from '../artifact/artifact';
import { readTensorFile, writeJsonAtomic, writeTensorFile } from '../artifact/tensor-file';
import type { WeightMode } from './executors';
import type { BaseTrainConfig, CheckpointOptions, EpochRecord, TrainState } from './trainer';

/** A finished stage as its `<mode>.json` records it (with the weights in `<mode>.bin`). */
export interface StageResult {
  mode: WeightMode;
  history: EpochRecord[];
  testAccuracy: number;
  testExitAccuracy: number[];
  /** The accuracy with the running statistics of training, before the recalibration. */
  testAccuracyBeforeBatchNormRecalibration?: number;
  trainingSeconds: number;
}

export interface StageOptions {
  stopAfterSteps?: number;
  checkpointEverySteps?: number;
}

interface RecipeNetwork {
  params: ParameterStore;
  dispose(): void;
}

/** What a stage needs of its trainer (any model's `Trainer`). */
interface StageTrainer {
  resumeIfPossible(): boolean;
  run(options: { stopAfterSteps?: number }): EpochRecord[];
  readonly trainState: TrainState;
  dispose(): void;
}

const MODES: WeightMode[] = ['float', 'ternary'];

/** Where a stage's checkpoints and finished weights live under `<artifactDir>/training`. */
export function stageFiles(workDir: string, mode: WeightMode) {
  return {
    checkpointDir: path.join(workDir, 'checkpoints', mode),
    weightsBin: path.join(workDir, `${mode}.bin`),
    weightsJson: path.join(workDir, `${mode}.json`),
  };
}

/** Content version of an artifact: the first 12 hex digits of a SHA-256 over its weights. */
export function weightsVersion(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}

/**
 * One stage of a recipe: a finished stage is loaded, not retrained; otherwise the trainer resumes
 * its checkpoint and trains. When it finishes, `finish` measures the result and the stage is
 * written; a stage stopped early (`stopAfterSteps`) returns no result.
 */
export function runStage<Network extends RecipeNetwork, Result extends StageResult>(stage: {
  mode: WeightMode;
  workDir: string;
  /** Names the model in log lines. */
  label: string;
  network: Network;
  config: BaseTrainConfig;
  trainer: (checkpoint: CheckpointOptions) => StageTrainer;
  finish: (history: EpochRecord[], trainingSeconds: number) => Result;
  log: (message: string) => void;
  options?: StageOptions;
}): { network: Network; result: Result | null } {
  const { mode, network, config, log, options = {} } = stage;
  const files = stageFiles(stage.workDir, mode);
  const label = stage.label ? `${stage.label} ` : '';
  if (fs.existsSync(files.weightsJson)) {
    const saved = JSON.parse(fs.readFileSync(files.weightsJson, 'utf8'));
    network.params.assignAll(readTensorFile(files.weightsBin, saved.parameters));
    log(`[train] ${label}${mode} stage already finished: ${files.weightsJson}`);
    return { network, result: saved.result as Result };
  }
  const trainer = stage.trainer({
    dir: files.checkpointDir,
    everySteps: options.checkpointEverySteps ?? 50,
  });
  trainer.resumeIfPossible();
  const history = trainer.run({ stopAfterSteps: options.stopAfterSteps });
  const { epoch, elapsedSeconds } = trainer.trainState;
  trainer.dispose();
  if (epoch < config.epochs) {
    log(`[train] ${label}${mode} stopped at epoch ${epoch + 1}; rerun to resume`);
    return { network, result: null };
  }
  const result = stage.finish(history, elapsedSeconds);
  const { params } = network;
  const parameters = writeTensorFile(files.weightsBin, params.snapshot(), params.shapes());
  writeJsonAtomic(files.weightsJson, { parameters, result, config });
  log(`[train] ${label}${mode} test accuracy ${(100 * result.testAccuracy).toFixed(2)}%`);
  return { network, result };
}

/**
 * Trains whatever stages are missing (`runStage` per mode) and, once both the float and the
 * ternary stage have finished, writes the artifact: each variant's weights, test metrics and
 * training record, and the model's part of the manifest.
 */
export function trainStages<
  Network extends RecipeNetwork,
  Result extends StageResult,
  Manifest extends ArtifactManifest,
>(recipe: {
  artifactDir: string;
  stages?: WeightMode[];
  log: (message: string) => void;
  runStage: (mode: WeightMode) => { network: Network; result: Result | null };
  /** Runs on each stage before the artifact is written (the ResNet recalibrates here). */
  finalize?: (mode: WeightMode, network: Network, result: Result) => void;
  config: (mode: WeightMode) => BaseTrainConfig;
  testSamples: number;
  manifest: () => Omit<Manifest, 'format' | 'version' | 'variants'>;
}): Manifest | null {
  const { log } = recipe;
  const workDir = path.join(recipe.artifactDir, 'training');
  const results = new Map<WeightMode, { network: Network; result: Result }>();
  for (const mode of recipe.stages ?? MODES) {
    const { network, result } = recipe.runStage(mode);
    if (result) results.set(mode, { network, result });
    else network.dispose();
  }
  const disposeAll = () => {
    for (const { network } of results.values()) network.dispose();
  };
  if (!MODES.every((mode) => fs.existsSync(stageFiles(workDir, mode).weightsJson))) {
    log('[train] the artifact is written once both the float and the ternary stage have finished');
    disposeAll();
    return null;
  }
  for (const mode of MODES) {
    if (!results.has(mode)) {
      const { network, result } = recipe.runStage(mode);
      results.set(mode, { network, result: result as Result });
    }
    const { network, result } = results.get(mode) as { network: Network; result: Result };
    recipe.finalize?.(mode, network, result);
  }
  const variants = {} as Record<WeightMode, VariantSource>;
  for (const [mode, { network, result }] of results) {
    variants[mode] = {
      network,
      metrics: {
        testAccuracy: result.testAccuracy,
        testExitAccuracy: result.testExitAccuracy,
        testSamples: recipe.testSamples,
      },
      training: {
        testAccuracyBeforeBatchNormRecalibration: result.testAccuracyBeforeBatchNormRecalibration,
        epochs: result.history.length,
        seconds: result.trainingSeconds,
        config: recipe.config(mode),
        history: result.history,
      },
    };
  }
  const version = weightsVersion(MODES.map((m) => stageFiles(workDir, m).weightsBin));
  const manifest = writeArtifact<Manifest>(recipe.artifactDir, recipe.manifest(), variants, version);
  disposeAll();
  log(`[train] wrote ${recipe.artifactDir} (version ${version})`);
  return manifest;
}
