import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DeviceProfile } from '@engram/hardware';
import {
  MnistDataset,
  loadMnist,
  normalizeMnistBatch,
  splitTrainValidation,
} from '@engram/datasets';
import {
  LoadedArtifact,
  ResNetNetwork,
  loadArtifact,
  artifactManifestPath,
  networkFromArtifact,
  QuantizedExecutor,
  WeightMode,
  forwardWithExits,
} from '@engram/models';
import { SemanticMemory, buildSemanticMemory } from '@engram/semantic-memory';
import { NetworkCalibration, calibrateNetwork } from './calibration';
import { EvaluationSplit, ModelName } from './types';
import { EvaluationModel, InputBatch, PredictionCache } from './evaluation-model';
import { SegmentCosts, segmentCosts } from './segment-costs';
import { InvalidEvaluationConfigError, ModelUnavailableError } from './errors';

/** Samples of the training split whose semantic vectors build the memories (per-process cost). */
export const MEMORY_TRAINING_SAMPLES = 10_000;
/** Samples of the training split used to calibrate DAC and ADC ranges. */
export const CALIBRATION_SAMPLES = 256;
/** Images per inference batch. */
export const MNIST_EVAL_BATCH = 500;

export function findRepoRoot(start = __dirname): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`no nx.json above ${start}: cannot locate the models folder`);
    dir = parent;
  }
}

/** Folder of a model's committed artifact: ENGRAM_MODELS_DIR or <repo>/models. */
export function artifactDir(model: ModelName): string {
  return path.join(process.env.ENGRAM_MODELS_DIR ?? path.join(findRepoRoot(), 'models'), model);
}

/**
 * What a process loads once per model: the artifact and its networks, the data, and (lazily,
 * cached by their parameters) calibrations and semantic memories.
 */
export class MnistModelContext implements EvaluationModel<tf.Tensor> {
  readonly name = 'resnet-mnist' as const;
  readonly floatNetwork: ResNetNetwork;
  readonly ternaryNetwork: ResNetNetwork;
  private readonly calibrations = new Map<string, NetworkCalibration>();
  private readonly predictionCache = new PredictionCache();
  private readonly memories = new Map<string, SemanticMemory[]>();
  private trainingSemantics: Float32Array[] | undefined;
  private readonly splits: { train: MnistDataset; validation: MnistDataset; test: MnistDataset };

  constructor(readonly artifact: LoadedArtifact) {
    this.floatNetwork = networkFromArtifact(artifact, 'float');
    this.ternaryNetwork = networkFromArtifact(artifact, 'ternary');
    const { validationSamples, splitSeed } = artifact.manifest.dataset;
    const split = splitTrainValidation(loadMnist('train'), validationSamples, splitSeed);
    this.splits = { train: split.train, validation: split.validation, test: loadMnist('test') };
  }

  get version(): string {
    return this.artifact.manifest.version;
  }

  get runStreamName(): string {
    return this.artifact.manifest.name;
  }

  get network(): ResNetNetwork {
    return this.ternaryNetwork;
  }

  dataset(split: 'train' | 'validation' | 'test'): MnistDataset {
    return this.splits[split];
  }

  sampleCount(split: EvaluationSplit): number {
    return this.splits[split].count;
  }

  labels(split: EvaluationSplit): Uint8Array {
    return this.splits[split].labels;
  }

  *batches(split: EvaluationSplit, count: number): Generator<InputBatch> {
    const dataset = this.splits[split];
    for (let offset = 0; offset < count; offset += MNIST_EVAL_BATCH) {
      yield { x: this.images(dataset, offset, Math.min(MNIST_EVAL_BATCH, count - offset)), offset };
    }
  }

  segmentCosts(profile: DeviceProfile, tcamRowsPerExit: number[]): SegmentCosts {
    return segmentCosts(this.ternaryNetwork.layout, profile, tcamRowsPerExit);
  }

  softwarePredictions(
    split: EvaluationSplit,
    count: number,
    variant: WeightMode = 'float',
  ): Uint16Array {
    return this.predictionCache.get(`${split}/${variant}`, count, () =>
      this.computeSoftwarePredictions(split, count, variant),
    );
  }

  private computeSoftwarePredictions(
    split: EvaluationSplit,
    count: number,
    variant: WeightMode,
  ): Uint16Array {
    const network = variant === 'float' ? this.floatNetwork : this.ternaryNetwork;
    const executor = new QuantizedExecutor((layer) => network.weight(layer), variant);
    const predictions = new Uint16Array(count);
    for (const { x, offset } of this.batches(split, count)) {
      const classes = tf.tidy(() =>
        tf
          .argMax(
            network.forwardAll(x as tf.Tensor4D, { executor, batchNorm: 'running' }).logits,
            1,
          )
          .dataSync(),
      );
      predictions.set(classes, offset);
      x.dispose();
    }
    executor.dispose();
    return predictions;
  }

  /** Normalized images [n, 28, 28, 1] of samples start..start+n of a split. */
  images(dataset: MnistDataset, start: number, n: number): tf.Tensor4D {
    const indices = Uint32Array.from({ length: n }, (_, i) => start + i);
    const buffer = normalizeMnistBatch(dataset, indices);
    return tf.tensor4d(buffer, [n, dataset.rows, dataset.cols, 1]);
  }

  calibration(profile: DeviceProfile): NetworkCalibration {
    const key = JSON.stringify([profile.tile.rows, profile.dac, profile.adc.calibrationPercentile]);
    let calibration = this.calibrations.get(key);
    if (!calibration) {
      const x = this.images(this.splits.train, 0, CALIBRATION_SAMPLES);
      calibration = calibrateNetwork(this.ternaryNetwork, profile, x);
      x.dispose();
      this.calibrations.set(key, calibration);
    }
    return calibration;
  }

  private semanticVectors(): Float32Array[] {
    if (!this.trainingSemantics) {
      const network = this.ternaryNetwork;
      const executor = new QuantizedExecutor((layer) => network.weight(layer), 'ternary');
      const n = Math.min(MEMORY_TRAINING_SAMPLES, this.splits.train.count);
      const outputs = network.spec.exits.map((e) => new Float32Array(n * e.semanticDim));
      const batch = 500;
      for (let start = 0; start < n; start += batch) {
        const size = Math.min(batch, n - start);
        const x = this.images(this.splits.train, start, size);
        tf.tidy(() => {
          const { semantics } = forwardWithExits(network, x, { executor, batchNorm: 'running' });
          semantics.forEach((s, e) => outputs[e].set(s.dataSync(), start * s.shape[1]));
        });
        x.dispose();
      }
      executor.dispose();
      this.trainingSemantics = outputs;
    }
    return this.trainingSemantics;
  }

  memory(prototypesPerClass: number, dontCareMarginStd: number, seed: number): SemanticMemory[] {
    const key = JSON.stringify([prototypesPerClass, dontCareMarginStd, seed]);
    let memories = this.memories.get(key);
    if (!memories) {
      const vectors = this.semanticVectors();
      const n = Math.min(MEMORY_TRAINING_SAMPLES, this.splits.train.count);
      const labels = this.splits.train.labels.subarray(0, n);
      const spec = this.ternaryNetwork.spec;
      memories = spec.exits.map((e, i) =>
        buildSemanticMemory(vectors[i], labels, e.semanticDim, spec.numClasses, {
          prototypesPerClass,
          dontCareMarginStd,
          seed: seed + i,
        }),
      );
      this.memories.set(key, memories);
    }
    return memories;
  }
}

const contexts = new Map<ModelName, MnistModelContext>();

/** The cached context of the MNIST ResNet (artifact under artifactDir('resnet-mnist')). */
export function modelContext(model: ModelName): MnistModelContext {
  if (model !== 'resnet-mnist') {
    throw new InvalidEvaluationConfigError('model', `${model} is not an MNIST model`);
  }
  let context = contexts.get(model);
  if (!context) {
    context = new MnistModelContext(loadArtifact(requireArtifact(model)));
    contexts.set(model, context);
  }
  return context;
}

/** The artifact folder of a model, or ModelUnavailableError saying how to get it. */
export function requireArtifact(model: ModelName): string {
  const dir = artifactDir(model);
  if (!fs.existsSync(artifactManifestPath(dir))) {
    throw new ModelUnavailableError(
      model,
      `no trained artifact at ${dir}: train it with \`npm run engram -- train ${model}\` or set ENGRAM_MODELS_DIR`,
    );
  }
  return dir;
}
