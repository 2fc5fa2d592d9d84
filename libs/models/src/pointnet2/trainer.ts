import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SeededRandom, deriveSeed } from '@engram/datasets';
import type { BatchStatistics, ForwardContext } from '../resnet/network';
import type { WeightLayer } from '../resnet/architecture';
import { AdamW } from '../training/adamw';
import type { WeightMode } from '../training/executors';
import type { CheckpointOptions, EpochRecord, TrainHooks, TrainState } from '../training/trainer';
import { ProgressBar } from '../training/progress';
import {
  readTensorFile,
  writeJsonAtomic,
  writeTensorFile,
  TensorIndexEntry,
} from '../artifact/tensor-file';
import { PointNetNetwork } from './network';
import { PointNetTrainingExecutor, PointwiseQuantizedExecutor } from './executors';
import { PointAugmentation, PointCloudSet, augmentedBatch, cloudRange } from './data';

export interface PointNetTrainConfig {
  mode: WeightMode;
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Decoupled weight decay on the weights (AdamW). */
  weightDecay: number;
  /** Weight of each exit's auxiliary cross-entropy relative to the final classifier's. */
  auxLossWeights: number[];
  /** Programming-noise relative sigma injected in ternary mode (fraction of the window). */
  trainNoise: number;
  batchNormMomentum: number;
  /** Dropout on the classifier's hidden layers. */
  headDropout: number;
  labelSmoothing: number;
  augmentation: PointAugmentation;
  seed: number;
}

const CHECKPOINT_FORMAT = 1;

interface CheckpointManifest {
  format: number;
  config: PointNetTrainConfig;
  state: TrainState;
  optimizerStep: number;
  parameters: TensorIndexEntry[];
  optimizer: TensorIndexEntry[];
}

function learningRateAt(step: number, totalSteps: number, config: PointNetTrainConfig): number {
  if (step < config.warmupSteps) return (config.learningRate * (step + 1)) / config.warmupSteps;
  const progress = (step - config.warmupSteps) / Math.max(1, totalSteps - config.warmupSteps);
  return config.learningRate * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

function isWeightName(name: string): boolean {
  return name.endsWith('.w');
}

/**
 * Trains one PointNet++ on ModelNet clouds, with checkpoints (parameters, optimizer moments,
 * position in the epoch) that a later process resumes exactly: the epoch order, each cloud's
 * augmentation, dropout and the programming noise are seeded by (seed, epoch, cloud or step).
 */
export class PointNetTrainer {
  private readonly optimizer: AdamW;
  private readonly executor: PointNetTrainingExecutor;
  private state: TrainState = { epoch: 0, stepInEpoch: 0, history: [], elapsedSeconds: 0 };
  private readonly log: (message: string) => void;

  constructor(
    private readonly network: PointNetNetwork,
    private readonly config: PointNetTrainConfig,
    private readonly train: PointCloudSet,
    private readonly validation: PointCloudSet,
    private readonly checkpoint: CheckpointOptions,
    private readonly hooks: TrainHooks = {},
  ) {
    if (config.auxLossWeights.length !== network.spec.exits.length) {
      throw new Error(
        `auxLossWeights has ${config.auxLossWeights.length} entries for ${network.spec.exits.length} exits`,
      );
    }
    if (train.numPoints !== network.spec.numPoints) {
      throw new Error(
        `clouds of ${train.numPoints} points for a ${network.spec.numPoints}-point network`,
      );
    }
    this.log = hooks.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.optimizer = new AdamW(
      network.params.trainableByName(),
      { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: config.weightDecay },
      isWeightName,
    );
    const layerIndex = new Map(network.layout.weightLayers.map((l, i) => [l.name, i]));
    this.executor = new PointNetTrainingExecutor(
      (layer: WeightLayer) => network.weight(layer),
      config.mode,
      config.trainNoise,
      deriveSeed(config.seed, 'programming-noise'),
      layerIndex,
    );
  }

  get stepsPerEpoch(): number {
    return Math.floor(this.train.count / this.config.batchSize);
  }

  get trainState(): TrainState {
    return this.state;
  }

  /** Loads the checkpoint in `checkpoint.dir` if there is one for the same configuration. */
  resumeIfPossible(): boolean {
    const manifestPath = path.join(this.checkpoint.dir, 'checkpoint.json');
    if (!fs.existsSync(manifestPath)) return false;
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as CheckpointManifest;
    if (manifest.format !== CHECKPOINT_FORMAT)
      throw new Error(`${manifestPath}: unknown format ${manifest.format}`);
    if (JSON.stringify(manifest.config) !== JSON.stringify(this.config)) {
      throw new Error(
        `${manifestPath} was written with another training configuration; delete the folder to start over`,
      );
    }
    this.network.params.assignAll(
      readTensorFile(path.join(this.checkpoint.dir, 'parameters.bin'), manifest.parameters),
    );
    this.optimizer.restore(
      manifest.optimizerStep,
      readTensorFile(path.join(this.checkpoint.dir, 'optimizer.bin'), manifest.optimizer),
    );
    this.state = manifest.state;
    this.log(
      `[train] resumed from ${manifestPath} at epoch ${this.state.epoch + 1}, step ${this.state.stepInEpoch}`,
    );
    return true;
  }

  private writeCheckpoint(): void {
    fs.mkdirSync(this.checkpoint.dir, { recursive: true });
    const params = this.network.params.snapshot();
    const shapes = new Map(
      this.network.params.names().map((n) => [n, this.network.params.get(n).shape]),
    );
    const optimizerState = this.optimizer.state();
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      config: this.config,
      state: this.state,
      optimizerStep: optimizerState.step,
      parameters: writeTensorFile(path.join(this.checkpoint.dir, 'parameters.bin'), params, shapes),
      optimizer: writeTensorFile(
        path.join(this.checkpoint.dir, 'optimizer.bin'),
        optimizerState.moments,
      ),
    };
    // The manifest is written last: it only ever points at complete binary files.
    writeJsonAtomic(path.join(this.checkpoint.dir, 'checkpoint.json'), manifest);
    this.hooks.onCheckpoint?.(this.state);
  }

  private epochOrder(epoch: number): Uint32Array {
    return new SeededRandom(deriveSeed(this.config.seed, `epoch-${epoch}`)).permutation(
      this.train.count,
    );
  }

  private updateRunningStatistics(statistics: BatchStatistics): void {
    const momentum = this.config.batchNormMomentum;
    tf.tidy(() => {
      for (const [name, { mean, variance }] of statistics) {
        const runningMean = this.network.params.get(`${name}.mean`);
        const runningVar = this.network.params.get(`${name}.var`);
        runningMean.assign(tf.add(tf.mul(runningMean, momentum), tf.mul(mean, 1 - momentum)));
        runningVar.assign(tf.add(tf.mul(runningVar, momentum), tf.mul(variance, 1 - momentum)));
      }
    });
    for (const { mean, variance } of statistics.values()) tf.dispose([mean, variance]);
  }

  /** One optimization step; returns the loss and the number of correct final predictions. */
  private step(
    x: tf.Tensor3D,
    labels: tf.Tensor1D,
    globalStep: number,
  ): { loss: number; correct: number } {
    const { config, network } = this;
    this.executor.setStep(globalStep);
    const statistics: BatchStatistics = new Map();
    let correct: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const ctx: ForwardContext = { executor: this.executor, batchNorm: 'batch', statistics };
      const out = network.forwardAll(x, ctx, {
        dropout: {
          rate: config.headDropout,
          seed: deriveSeed(config.seed, `dropout-${globalStep}`),
        },
      });
      const oneHot = tf.oneHot(labels, network.spec.numClasses);
      const crossEntropy = (logits: tf.Tensor2D) =>
        tf.losses.softmaxCrossEntropy(
          oneHot,
          logits,
          undefined,
          config.labelSmoothing,
          tf.Reduction.MEAN,
        );
      let loss = crossEntropy(out.logits);
      out.exitLogits.forEach((logits, e) => {
        loss = tf.add(loss, tf.mul(crossEntropy(logits), config.auxLossWeights[e]));
      });
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out.logits, 1), labels), 'int32')));
      return loss as tf.Scalar;
    }, network.params.trainableVariables());
    this.optimizer.apply(
      grads,
      learningRateAt(globalStep, this.stepsPerEpoch * config.epochs, config),
    );
    this.updateRunningStatistics(statistics);
    const result = { loss: value.dataSync()[0], correct: (correct as tf.Tensor).dataSync()[0] };
    tf.dispose([value, correct as tf.Tensor, ...Object.values(grads)]);
    return result;
  }

  /**
   * Runs the remaining epochs and returns the history. `stopAfterSteps` ends this call early
   * (with a checkpoint), as an interrupted process would; a later run resumes from there.
   */
  run(options: { stopAfterSteps?: number } = {}): EpochRecord[] {
    let budget = options.stopAfterSteps ?? Infinity;
    const { config } = this;
    const steps = this.stepsPerEpoch;
    const n = this.train.numPoints;
    const batch = new Float32Array(config.batchSize * n * 3);
    const labelBuffer = new Int32Array(config.batchSize);
    for (let epoch = this.state.epoch; epoch < config.epochs; epoch++) {
      const order = this.epochOrder(epoch);
      const bar = new ProgressBar(
        `[train pointnet2 ${config.mode}] epoch ${epoch + 1}/${config.epochs}`,
        steps,
      );
      const started = Date.now();
      let mark = started;
      const clock = (): number => {
        const now = Date.now();
        const seconds = (now - mark) / 1000;
        mark = now;
        return seconds;
      };
      let lossSum = 0;
      let correctSum = 0;
      let seen = 0;
      for (let s = this.state.stepInEpoch; s < steps; s++) {
        const indices = order.subarray(s * config.batchSize, (s + 1) * config.batchSize);
        augmentedBatch(this.train, indices, config.augmentation, config.seed, epoch, batch);
        for (let b = 0; b < indices.length; b++) labelBuffer[b] = this.train.labels[indices[b]];
        const x = tf.tensor3d(batch, [config.batchSize, n, 3]);
        const y = tf.tensor1d(labelBuffer, 'int32');
        const { loss, correct } = this.step(x, y, epoch * steps + s);
        tf.dispose([x, y]);
        lossSum += loss * config.batchSize;
        correctSum += correct;
        seen += config.batchSize;
        this.state.stepInEpoch = s + 1;
        budget -= 1;
        bar.update(
          s + 1,
          `loss ${(lossSum / seen).toFixed(4)} acc ${((100 * correctSum) / seen).toFixed(2)}%`,
        );
        const interrupted = budget <= 0 && s + 1 < steps;
        if (((s + 1) % this.checkpoint.everySteps === 0 && s + 1 < steps) || interrupted) {
          this.state.elapsedSeconds += clock();
          this.writeCheckpoint();
        }
        if (interrupted) return this.state.history;
      }
      const validation = evaluatePointNet(this.network, config.mode, this.validation);
      const record: EpochRecord = {
        epoch: epoch + 1,
        trainLoss: seen ? lossSum / seen : NaN,
        trainAccuracy: seen ? correctSum / seen : NaN,
        validationAccuracy: validation.accuracy,
        validationExitAccuracy: validation.exitAccuracy,
        seconds: (Date.now() - started) / 1000,
      };
      bar.finish(
        `loss ${record.trainLoss.toFixed(4)} val ${(100 * record.validationAccuracy).toFixed(2)}% exits ${record.validationExitAccuracy
          .map((a) => `${(100 * a).toFixed(2)}%`)
          .join(' ')}`,
      );
      this.state = {
        epoch: epoch + 1,
        stepInEpoch: 0,
        history: [...this.state.history, record],
        elapsedSeconds: this.state.elapsedSeconds + clock(),
      };
      this.writeCheckpoint();
      if (budget <= 0) break;
    }
    return this.state.history;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

export interface PointNetAccuracy {
  accuracy: number;
  /** Accuracy of each exit's auxiliary classifier (a diagnostic of the semantic vectors). */
  exitAccuracy: number[];
}

/** Evaluation batch: bounded by memory (SA1 activations are 8,192 x 64 values per cloud). */
export const POINTNET_EVAL_BATCH = 32;

/** Noise-free accuracy of the float or ternary network (running batch-norm statistics). */
export function evaluatePointNet(
  network: PointNetNetwork,
  mode: WeightMode,
  set: PointCloudSet,
  batchSize = POINTNET_EVAL_BATCH,
): PointNetAccuracy {
  const executor = new PointwiseQuantizedExecutor((layer) => network.weight(layer), mode);
  const ctx: ForwardContext = { executor, batchNorm: 'running' };
  let correct = 0;
  const exitCorrect = network.spec.exits.map(() => 0);
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const labels = set.labels.subarray(start, start + n);
    tf.tidy(() => {
      const x = tf.tensor3d(cloudRange(set, start, n), [n, set.numPoints, 3]);
      const out = network.forwardAll(x, ctx);
      const predicted = tf.argMax(out.logits, 1).dataSync();
      for (let i = 0; i < n; i++) if (predicted[i] === labels[i]) correct++;
      out.exitLogits.forEach((logits, e) => {
        const p = tf.argMax(logits, 1).dataSync();
        for (let i = 0; i < n; i++) if (p[i] === labels[i]) exitCorrect[e]++;
      });
    });
  }
  executor.dispose();
  return {
    accuracy: set.count ? correct / set.count : NaN,
    exitAccuracy: exitCorrect.map((c) => (set.count ? c / set.count : NaN)),
  };
}
