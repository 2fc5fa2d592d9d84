import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MnistDataset, SeededRandom, deriveSeed, normalizeMnistBatch } from '@engram/datasets';
import { ResNetNetwork, BatchStatistics, ForwardContext } from '../resnet/network';
import { WeightLayer } from '../resnet/architecture';
import { AdamW } from './adamw';
import { TrainingExecutor, QuantizedExecutor, WeightMode } from './executors';
import { augmentedMnistBatch } from './mnist-batches';
import { ProgressBar } from './progress';
import {
  readTensorFile,
  writeJsonAtomic,
  writeTensorFile,
  TensorIndexEntry,
} from '../artifact/tensor-file';

export interface TrainConfig {
  mode: WeightMode;
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  weightDecay: number;
  /** Weight of each exit's auxiliary cross-entropy relative to the final classifier's. */
  auxLossWeight: number;
  /** Programming-noise relative sigma injected in ternary mode (fraction of the window). */
  trainNoise: number;
  maxShiftPixels: number;
  batchNormMomentum: number;
  seed: number;
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

const CHECKPOINT_FORMAT = 1;

interface CheckpointManifest {
  format: number;
  config: TrainConfig;
  state: TrainState;
  optimizerStep: number;
  parameters: TensorIndexEntry[];
  optimizer: TensorIndexEntry[];
}

function learningRateAt(step: number, totalSteps: number, config: TrainConfig): number {
  if (step < config.warmupSteps) return (config.learningRate * (step + 1)) / config.warmupSteps;
  const progress = (step - config.warmupSteps) / Math.max(1, totalSteps - config.warmupSteps);
  return config.learningRate * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

function isWeightName(name: string): boolean {
  return name.endsWith('.w');
}

/** Trains one network on MNIST with checkpoints that a later process resumes exactly. */
export class MnistTrainer {
  private readonly optimizer: AdamW;
  private readonly executor: TrainingExecutor;
  private state: TrainState = { epoch: 0, stepInEpoch: 0, history: [], elapsedSeconds: 0 };
  private readonly log: (message: string) => void;

  constructor(
    private readonly network: ResNetNetwork,
    private readonly config: TrainConfig,
    private readonly train: MnistDataset,
    private readonly validation: MnistDataset,
    private readonly checkpoint: CheckpointOptions,
    private readonly hooks: TrainHooks = {},
  ) {
    this.log = hooks.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.optimizer = new AdamW(
      network.params.trainableByName(),
      { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: config.weightDecay },
      isWeightName,
    );
    const layerIndex = new Map(network.layout.weightLayers.map((l, i) => [l.name, i]));
    this.executor = new TrainingExecutor(
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
    for (const { mean, variance } of statistics.values()) {
      mean.dispose();
      variance.dispose();
    }
  }

  /** One optimization step; returns loss and number of correct final predictions. */
  private step(
    x: tf.Tensor4D,
    labels: tf.Tensor1D,
    globalStep: number,
  ): { loss: number; correct: number } {
    const { config, network } = this;
    this.executor.setStep(globalStep);
    const statistics: BatchStatistics = new Map();
    let correct: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const ctx: ForwardContext = { executor: this.executor, batchNorm: 'batch', statistics };
      const out = network.forwardAll(x, ctx);
      for (const s of statistics.values()) {
        tf.keep(s.mean);
        tf.keep(s.variance);
      }
      const oneHot = tf.oneHot(labels, network.spec.numClasses);
      let loss = tf.losses.softmaxCrossEntropy(oneHot, out.logits);
      for (const logits of out.exitLogits) {
        loss = tf.add(
          loss,
          tf.mul(tf.losses.softmaxCrossEntropy(oneHot, logits), config.auxLossWeight),
        );
      }
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
    const pixels = this.train.rows * this.train.cols;
    const batch = new Float32Array(config.batchSize * pixels);
    const scratch = new Float32Array(config.batchSize * pixels);
    const labelBuffer = new Int32Array(config.batchSize);
    for (let epoch = this.state.epoch; epoch < config.epochs; epoch++) {
      const order = this.epochOrder(epoch);
      const augmentRandom = new SeededRandom(deriveSeed(config.seed, `augment-${epoch}`));
      // Replay the generator up to the resumed step so a resumed epoch sees the same shifts.
      for (let i = 0; i < this.state.stepInEpoch * config.batchSize * 2; i++)
        augmentRandom.nextInt(2 * config.maxShiftPixels + 1);
      const bar = new ProgressBar(
        `[train ${config.mode}] epoch ${epoch + 1}/${config.epochs}`,
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
        augmentedMnistBatch(
          this.train,
          indices,
          config.maxShiftPixels,
          augmentRandom,
          batch,
          scratch,
        );
        for (let b = 0; b < indices.length; b++) labelBuffer[b] = this.train.labels[indices[b]];
        const x = tf.tensor4d(batch, [config.batchSize, this.train.rows, this.train.cols, 1]);
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
      const validation = evaluateMnist(this.network, this.config.mode, this.validation);
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

  get trainState(): TrainState {
    return this.state;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

export interface MnistAccuracy {
  accuracy: number;
  /** Accuracy of each exit's auxiliary classifier (a diagnostic of the semantic vectors). */
  exitAccuracy: number[];
}

/** Noise-free accuracy of the float or ternary network (running batch-norm statistics). */
export function evaluateMnist(
  network: ResNetNetwork,
  mode: WeightMode,
  dataset: MnistDataset,
  batchSize = 500,
): MnistAccuracy {
  const executor = new QuantizedExecutor((layer) => network.weight(layer), mode);
  const ctx: ForwardContext = { executor, batchNorm: 'running' };
  const pixels = dataset.rows * dataset.cols;
  let correct = 0;
  const exitCorrect = network.spec.exits.map(() => 0);
  const indices = new Uint32Array(batchSize);
  const buffer = new Float32Array(batchSize * pixels);
  for (let start = 0; start < dataset.count; start += batchSize) {
    const n = Math.min(batchSize, dataset.count - start);
    for (let i = 0; i < n; i++) indices[i] = start + i;
    normalizeMnistBatch(dataset, indices.subarray(0, n), buffer);
    const labels = dataset.labels.subarray(start, start + n);
    tf.tidy(() => {
      const x = tf.tensor4d(buffer.subarray(0, n * pixels), [n, dataset.rows, dataset.cols, 1]);
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
    accuracy: correct / dataset.count,
    exitAccuracy: exitCorrect.map((c) => c / dataset.count),
  };
}
