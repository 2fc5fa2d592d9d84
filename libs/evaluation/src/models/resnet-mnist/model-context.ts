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
} from '@engram/models';
import { EvaluationSplit, ModelName } from '../../types';
import { SegmentCosts, segmentCosts } from '../../segment-costs';
import { TrainedModelContext } from '../../trained-model-context';
import { ContextCache, contextCacheDir } from '../../context-cache';
import { InvalidEvaluationConfigError, ModelUnavailableError } from '../../errors';

/** Samples of the training split whose semantic vectors build the memories (per-process cost). */
export const MEMORY_TRAINING_SAMPLES = 10_000;
/** Samples of the training split used to calibrate DAC and ADC ranges. */
export const CALIBRATION_SAMPLES = 256;
/** Images per inference batch. */
export const MNIST_EVAL_BATCH = 500;

type Split = EvaluationSplit | 'train';

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

/** What a process loads once for the MNIST ResNet: the artifact, its networks and MNIST. */
export class MnistModelContext extends TrainedModelContext<tf.Tensor> {
  readonly name = 'resnet-mnist' as const;
  declare readonly floatNetwork: ResNetNetwork;
  declare readonly ternaryNetwork: ResNetNetwork;
  private readonly splits: { train: MnistDataset; validation: MnistDataset; test: MnistDataset };

  /**
   * `cache`: where calibrations and memories are shared (default: contextCacheDir of the
   * artifact); null keeps them in this context only.
   */
  constructor(
    readonly artifact: LoadedArtifact,
    cache: ContextCache | null = new ContextCache(
      contextCacheDir(artifact.manifest.name, artifact.dir),
    ),
  ) {
    super(
      networkFromArtifact(artifact, 'float'),
      networkFromArtifact(artifact, 'ternary'),
      {
        memorySamples: MEMORY_TRAINING_SAMPLES,
        calibrationSamples: CALIBRATION_SAMPLES,
        batchSize: MNIST_EVAL_BATCH,
      },
      cache,
    );
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

  override get network(): ResNetNetwork {
    return this.ternaryNetwork;
  }

  dataset(split: Split): MnistDataset {
    return this.splits[split];
  }

  sampleCount(split: Split): number {
    return this.splits[split].count;
  }

  labels(split: Split): Uint8Array {
    return this.splits[split].labels;
  }

  inputs(split: Split, start: number, n: number): tf.Tensor4D {
    return this.images(this.splits[split], start, n);
  }

  /** Normalized images [n, 28, 28, 1] of samples start..start+n of a split. */
  images(dataset: MnistDataset, start: number, n: number): tf.Tensor4D {
    const indices = Uint32Array.from({ length: n }, (_, i) => start + i);
    const buffer = normalizeMnistBatch(dataset, indices);
    return tf.tensor4d(buffer, [n, dataset.rows, dataset.cols, 1]);
  }

  segmentCosts(profile: DeviceProfile, tcamRowsPerExit: number[]): SegmentCosts {
    return segmentCosts(this.ternaryNetwork.layout, profile, tcamRowsPerExit);
  }

  protected dataDescription(): unknown {
    const { dataset, normalization } = this.artifact.manifest;
    return { dataset, normalization };
  }

  protected noiseFreeExecutor(network: ResNetNetwork, mode: WeightMode): QuantizedExecutor {
    return new QuantizedExecutor((layer) => network.weight(layer), mode);
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
