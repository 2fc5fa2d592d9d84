import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SeededRandom, deriveSeed } from '@engram/datasets';
import type {
  BatchStatistics,
  ForwardContext,
  ForwardOptions,
  TrainableNetwork,
} from '../layers/exit-network';
import { AdamW } from './adamw';
import { LayerApply, QuantizedExecutor, TrainingExecutor, WeightMode } from './executors';
import { ProgressBar } from './progress';
import { distillationLoss } from './distillation';
import {
  readTensorFile,
  writeJsonAtomic,
  writeTensorFile,
  TensorIndexEntry,
} from '../artifact/tensor-file';

/** What every model's training configuration has; models add their loss and data settings. */
export interface BaseTrainConfig {
  mode: WeightMode;
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Decoupled weight decay on the weights (AdamW). */
  weightDecay: number;
  /** Programming-noise relative sigma injected in ternary mode (fraction of the window). */
  trainNoise: number;
  batchNormMomentum: number;
  seed: number;
  /**
   * Knowledge distillation from a teacher (the float network of the same recipe): each
   * classifier's loss becomes (1 - weight) x cross-entropy + weight x T^2 x the cross-entropy
   * between the teacher's and the student's softened outputs (Hinton et al., 2015). Absent: none.
   */
  distillation?: { temperature: number; weight: number };
  /** Start from the finished float stage's parameters instead of a fresh initialization. */
  initFrom?: 'float';
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationAccuracy: number;
  validationExitAccuracy: number[];
  seconds: number;
}

export interface TrainState {
  epoch: number;
  stepInEpoch: number;
  history: EpochRecord[];
  elapsedSeconds: number;
}

export interface TrainHooks {
  /** Called after a checkpoint is written. */
  onCheckpoint?: (state: TrainState) => void;
  log?: (message: string) => void;
}

export interface CheckpointOptions {
  dir: string;
  everySteps: number;
}

/** Labelled samples in a fixed order, as evaluation reads them. */
export interface LabelledSet {
  readonly count: number;
  readonly labels: ArrayLike<number>;
  /** The inputs of samples start..start + n - 1 as one batch, not augmented. */
  inputs(start: number, n: number): tf.Tensor;
}

/** Training samples: a labelled set and its augmentation. */
export interface TrainingSet extends LabelledSet {
  /**
   * The augmentation hook: what makes the input batch of the samples at `indices` at each step of
   * `epoch` from step `fromStep` on, called in step order. Its random draws must depend only on
   * (seed, epoch, position) so that a resumed epoch sees the batches of an uninterrupted one.
   */
  epochBatches(
    epoch: number,
    fromStep: number,
    batchSize: number,
  ): (indices: Uint32Array) => tf.Tensor;
}

/** The pieces of training that differ between models. */
export interface TrainingModel {
  /** Names the model in progress lines: `[train <label> <mode>]`. */
  label?: string;
  /** How the executors apply weights (default: tf.conv2d / tf.matMul). */
  apply?: LayerApply;
  /** Cross-entropy of one classifier's logits: the reduction and label smoothing are the model's. */
  crossEntropy(oneHot: tf.Tensor, logits: tf.Tensor2D): tf.Tensor;
  /** Weight of each exit's auxiliary cross-entropy relative to the final classifier's. */
  auxLossWeights: readonly number[];
  /** Training-only options of a step's forward pass (dropout seeds). */
  forwardOptions?: (globalStep: number) => ForwardOptions;
  /** Batch size of the validation passes (bounded by memory). */
  evaluationBatchSize: number;
  /** The distillation teacher's outputs for a training batch (required by `distillation`). */
  teacher?: (x: tf.Tensor) => { logits: tf.Tensor2D; exitLogits: tf.Tensor2D[] };
}


const CHECKPOINT_FORMAT = 1;

interface CheckpointManifest<Config> {
  format: number;
  config: Config;
  state: TrainState;
  optimizerStep: number;
  parameters: TensorIndexEntry[];
  optimizer: TensorIndexEntry[];
}

function learningRateAt(step: number, totalSteps: number, config: BaseTrainConfig): number {
  if (step < config.warmupSteps) return (config.learningRate * (step + 1)) / config.warmupSteps;
  const progress = (step - config.warmupSteps) / Math.max(1, totalSteps - config.warmupSteps);
  return config.learningRate * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

function isWeightName(name: string): boolean {
  return name.endsWith('.w');
}

/**
 * Trains one dynamic network (every exit's auxiliary classifier with it) with AdamW, linear
 * warm-up and cosine decay, and checkpoints (parameters, optimizer moments, position in the
 * epoch) that a later process resumes exactly: the epoch order, the augmentation, dropout and
 * the programming noise are seeded by (seed, epoch, sample or step).
 *
 * The checkpoint is one folder rewritten in place every `everySteps` steps, for crashes. What
 * goes into git (libs/models/README.md, "Checkpoints in git"): a training in flight commits only
 * that one folder, once at the end of a session, in place of the previous one, so that the next
 * machine resumes it; the folder is deleted when the stage's final weights land. A committed
 * checkpoint is 7.9 MB for the PointNet++, 3.3 MB for the ResNet.
 */
export class Trainer<
  Config extends BaseTrainConfig = BaseTrainConfig,
  State extends tf.TensorContainer = tf.TensorContainer,
> {
  private readonly optimizer: AdamW;
  private readonly executor: TrainingExecutor;
  private state: TrainState = { epoch: 0, stepInEpoch: 0, history: [], elapsedSeconds: 0 };
  private readonly log: (message: string) => void;

  constructor(
    private readonly network: TrainableNetwork<State>,
    private readonly config: Config,
    private readonly train: TrainingSet,
    private readonly validation: LabelledSet,
    private readonly checkpoint: CheckpointOptions,
    private readonly model: TrainingModel,
    private readonly hooks: TrainHooks = {},
  ) {
    if (model.auxLossWeights.length !== network.exits.length) {
      throw new Error(
        `auxLossWeights has ${model.auxLossWeights.length} entries for ${network.exits.length} exits`,
      );
    }
    if (config.distillation && !model.teacher) {
      throw new Error('distillation is configured but the model gives no teacher');
    }
    this.log = hooks.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.optimizer = new AdamW(
      network.params.trainableByName(),
      { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: config.weightDecay },
      isWeightName,
    );
    const layerIndex = new Map(network.weightLayers.map((l, i) => [l.name, i]));
    this.executor = new TrainingExecutor(
      (layer) => network.weight(layer),
      config.mode,
      config.trainNoise,
      deriveSeed(config.seed, 'programming-noise'),
      layerIndex,
      model.apply,
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
    const manifest = JSON.parse(
      fs.readFileSync(manifestPath, 'utf8'),
    ) as CheckpointManifest<Config>;
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
    const { params } = this.network;
    const optimizerState = this.optimizer.state();
    const manifest: CheckpointManifest<Config> = {
      format: CHECKPOINT_FORMAT,
      config: this.config,
      state: this.state,
      optimizerStep: optimizerState.step,
      parameters: writeTensorFile(
        path.join(this.checkpoint.dir, 'parameters.bin'),
        params.snapshot(),
        params.shapes(),
      ),
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
    x: tf.Tensor,
    labels: tf.Tensor1D,
    globalStep: number,
  ): { loss: number; correct: number } {
    const { config, network, model } = this;
    this.executor.setStep(globalStep);
    const statistics: BatchStatistics = new Map();
    let correct: tf.Tensor | undefined;
    const distillation = config.distillation;
    const teacher = distillation && model.teacher ? tf.tidy(() => model.teacher!(x)) : undefined;
    const classifierLoss = (oneHot: tf.Tensor, logits: tf.Tensor2D, teacherLogits?: tf.Tensor2D) => {
      const hard = model.crossEntropy(oneHot, logits);
      if (!distillation || !teacherLogits) return hard;
      const soft = distillationLoss(teacherLogits, logits, distillation.temperature);
      return tf.add(tf.mul(hard, 1 - distillation.weight), tf.mul(soft, distillation.weight));
    };
    const { value, grads } = tf.variableGrads(() => {
      const ctx: ForwardContext = { executor: this.executor, batchNorm: 'batch', statistics };
      const out = network.forwardAll(x, ctx, model.forwardOptions?.(globalStep));
      // The running averages are updated after the step, outside this scope.
      for (const s of statistics.values()) {
        tf.keep(s.mean);
        tf.keep(s.variance);
      }
      const oneHot = tf.oneHot(labels, network.numClasses);
      let loss = classifierLoss(oneHot, out.logits, teacher?.logits);
      out.exitLogits.forEach((logits, e) => {
        const exitLoss = classifierLoss(oneHot, logits, teacher?.exitLogits[e]);
        loss = tf.add(loss, tf.mul(exitLoss, model.auxLossWeights[e]));
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
    if (teacher) tf.dispose([teacher.logits, ...teacher.exitLogits]);
    return result;
  }

  /**
   * Runs the remaining epochs and returns the history. `stopAfterSteps` ends this call early
   * (with a checkpoint), as an interrupted process would; a later run resumes from there.
   */
  run(options: { stopAfterSteps?: number } = {}): EpochRecord[] {
    let budget = options.stopAfterSteps ?? Infinity;
    const { config, model } = this;
    const steps = this.stepsPerEpoch;
    const labelBuffer = new Int32Array(config.batchSize);
    const label = model.label ? `${model.label} ` : '';
    for (let epoch = this.state.epoch; epoch < config.epochs; epoch++) {
      const order = this.epochOrder(epoch);
      const batchInputs = this.train.epochBatches(epoch, this.state.stepInEpoch, config.batchSize);
      const bar = new ProgressBar(
        `[train ${label}${config.mode}] epoch ${epoch + 1}/${config.epochs}`,
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
        for (let b = 0; b < indices.length; b++) labelBuffer[b] = this.train.labels[indices[b]];
        const x = batchInputs(indices);
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
      const validation = evaluateAccuracy(this.network, config.mode, this.validation, {
        apply: model.apply,
        batchSize: model.evaluationBatchSize,
      });
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

export interface Accuracy {
  accuracy: number;
  /** Accuracy of each exit's auxiliary classifier (a diagnostic of the semantic vectors). */
  exitAccuracy: number[];
}

/** Noise-free accuracy of the float or ternary network (running batch-norm statistics). */
export function evaluateAccuracy<State extends tf.TensorContainer>(
  network: TrainableNetwork<State>,
  mode: WeightMode,
  set: LabelledSet,
  options: { batchSize: number; apply?: LayerApply },
): Accuracy {
  const executor = new QuantizedExecutor((layer) => network.weight(layer), mode, options.apply);
  const ctx: ForwardContext = { executor, batchNorm: 'running' };
  let correct = 0;
  const exitCorrect = network.exits.map(() => 0);
  for (let start = 0; start < set.count; start += options.batchSize) {
    const n = Math.min(options.batchSize, set.count - start);
    tf.tidy(() => {
      const out = network.forwardAll(set.inputs(start, n), ctx);
      const predicted = tf.argMax(out.logits, 1).dataSync();
      for (let i = 0; i < n; i++) if (predicted[i] === set.labels[start + i]) correct++;
      out.exitLogits.forEach((logits, e) => {
        const p = tf.argMax(logits, 1).dataSync();
        for (let i = 0; i < n; i++) if (p[i] === set.labels[start + i]) exitCorrect[e]++;
      });
    });
  }
  executor.dispose();
  return {
    accuracy: set.count ? correct / set.count : NaN,
    exitAccuracy: exitCorrect.map((c) => (set.count ? c / set.count : NaN)),
  };
}
