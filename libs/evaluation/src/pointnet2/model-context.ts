import * as tf from '@tensorflow/tfjs';
import { DeviceProfile } from '@engram/hardware';
import { SeededRandom, deriveSeed, loadModelNet } from '@engram/datasets';
import {
  LoadedPointNetArtifact,
  POINTNET_EVAL_BATCH,
  PointCloudSet,
  PointNetNetwork,
  PointwiseQuantizedExecutor,
  cloudRange,
  forwardWithExits,
  loadPointNetArtifact,
  pointCloudSet,
  pointNetFromArtifact,
  selectClouds,
  splitStratified,
} from '@engram/models';
import { SemanticMemory, buildSemanticMemory } from '@engram/semantic-memory';
import type { PointCloudState, WeightMode } from '@engram/models';
import { NetworkCalibration, calibrateNetwork } from '../calibration';
import { requireArtifact } from '../model-context';
import { EvaluationSplit, ModelName } from '../types';
import { InvalidEvaluationConfigError } from '../errors';
import { EvaluationModel, InputBatch, PredictionCache } from '../evaluation-model';
import { SegmentCosts } from '../segment-costs';
import { pointNetSegmentCosts } from './segment-costs';

/** Clouds of the training split whose semantic vectors build the memories (all of them). */
export const POINTNET_MEMORY_TRAINING_CLOUDS = 4_000;
/**
 * Clouds of the training split used to calibrate DAC and ADC ranges: a first-level layer sees
 * 8,192 grouped points per cloud, so 32 clouds give 262,144 input rows per layer.
 */
export const POINTNET_CALIBRATION_CLOUDS = 32;

export type PointCloudSplit = 'train' | 'validation' | 'test';

export interface PointNetContextData {
  train: PointCloudSet;
  validation: PointCloudSet;
  test: PointCloudSet;
}

/** Seed of the evaluation order of every split (see loadPointNetContextData). */
export const POINTNET_EVALUATION_ORDER_SEED = 20240603;

/**
 * Loads the clouds an artifact was trained and tested on: the same loader seed, classes (label
 * order) and stratified validation split, checked against the artifact's recorded counts. Each
 * split is then put in a seeded random order: ModelNet is stored class by class, so a prefix of
 * the file order (an evaluation's sampleCount, the calibration clouds) would hold only the first
 * classes; in this order every prefix is a random sample.
 */
export async function loadPointNetContextData(
  artifact: LoadedPointNetArtifact,
  root?: string,
): Promise<PointNetContextData> {
  const { input, dataset } = artifact.manifest;
  const load = (split: 'train' | 'test') =>
    loadModelNet({
      root,
      split,
      numPoints: input.numPoints,
      seed: input.pointSeed,
      classes: dataset.classNames,
    });
  const train = await load('train');
  const test = await load('test');
  const split = splitStratified(
    pointCloudSet(train),
    dataset.validationFraction,
    dataset.splitSeed,
  );
  const counts = [split.train.count, split.validation.count, test.count];
  const expected = [dataset.trainSamples, dataset.validationSamples, dataset.testSamples];
  if (counts.join() !== expected.join()) {
    throw new Error(
      `${train.root}: train/validation/test counts ${counts.join('/')} differ from the artifact's ${expected.join('/')}`,
    );
  }
  const shuffled = (set: PointCloudSet, name: string) =>
    selectClouds(
      set,
      new SeededRandom(deriveSeed(POINTNET_EVALUATION_ORDER_SEED, name)).permutation(set.count),
    );
  return {
    train: shuffled(split.train, 'train'),
    validation: shuffled(split.validation, 'validation'),
    test: shuffled(pointCloudSet(test), 'test'),
  };
}

/**
 * What a process loads once per PointNet++ model (analogous to MnistModelContext): the artifact
 * and its networks, the clouds, and (lazily, cached by their parameters) calibrations and semantic
 * memories built from the training clouds' semantic vectors.
 */
export class ModelNetModelContext implements EvaluationModel<PointCloudState> {
  readonly name = 'pointnet2-modelnet10' as const;
  readonly floatNetwork: PointNetNetwork;
  readonly ternaryNetwork: PointNetNetwork;
  /** Clouds per inference batch (memory: a first-level activation is 8,192 x 64 values per cloud). */
  readonly batchSize = POINTNET_EVAL_BATCH;
  private readonly calibrations = new Map<string, NetworkCalibration>();
  private readonly predictionCache = new PredictionCache();
  private readonly memories = new Map<string, SemanticMemory[]>();
  private trainingSemantics: Float32Array[] | undefined;

  constructor(
    readonly artifact: LoadedPointNetArtifact,
    private readonly data: PointNetContextData,
    private readonly options: { memoryClouds?: number; calibrationClouds?: number } = {},
  ) {
    this.floatNetwork = pointNetFromArtifact(artifact, 'float');
    this.ternaryNetwork = pointNetFromArtifact(artifact, 'ternary');
  }

  /** The artifact in `dir` and its clouds (the ModelNet folder: `root`, else the loader's default). */
  static async load(dir: string, root?: string): Promise<ModelNetModelContext> {
    const artifact = loadPointNetArtifact(dir);
    return new ModelNetModelContext(artifact, await loadPointNetContextData(artifact, root));
  }

  get version(): string {
    return this.artifact.manifest.version;
  }

  get runStreamName(): string {
    return this.artifact.manifest.name;
  }

  get network(): PointNetNetwork {
    return this.ternaryNetwork;
  }

  dataset(split: PointCloudSplit): PointCloudSet {
    return this.data[split];
  }

  sampleCount(split: EvaluationSplit): number {
    return this.data[split].count;
  }

  labels(split: EvaluationSplit): Uint8Array {
    return this.data[split].labels;
  }

  /** The first `count` clouds of a split in inference batches of `batchSize`. */
  *batches(split: PointCloudSplit, count: number): Generator<InputBatch> {
    const set = this.data[split];
    for (let offset = 0; offset < count; offset += this.batchSize) {
      yield { x: this.clouds(set, offset, Math.min(this.batchSize, count - offset)), offset };
    }
  }

  segmentCosts(profile: DeviceProfile, tcamRowsPerExit: number[]): SegmentCosts {
    return pointNetSegmentCosts(this.ternaryNetwork.layout, profile, tcamRowsPerExit);
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
    const executor = new PointwiseQuantizedExecutor((layer) => network.weight(layer), variant);
    const predictions = new Uint16Array(count);
    for (const { x, offset } of this.batches(split, count)) {
      const classes = tf.tidy(() =>
        tf
          .argMax(
            network.forwardAll(x as tf.Tensor3D, { executor, batchNorm: 'running' }).logits,
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

  /** Clouds start..start+n of a split, [n, numPoints, 3]. */
  clouds(set: PointCloudSet, start: number, n: number): tf.Tensor3D {
    return tf.tensor3d(cloudRange(set, start, n), [n, set.numPoints, 3]);
  }

  calibration(profile: DeviceProfile): NetworkCalibration {
    const key = JSON.stringify([profile.tile.rows, profile.dac, profile.adc.calibrationPercentile]);
    let calibration = this.calibrations.get(key);
    if (!calibration) {
      const train = this.data.train;
      const n = Math.min(
        this.options.calibrationClouds ?? POINTNET_CALIBRATION_CLOUDS,
        train.count,
      );
      const x = this.clouds(train, 0, n);
      calibration = calibrateNetwork(this.ternaryNetwork, profile, x);
      x.dispose();
      this.calibrations.set(key, calibration);
    }
    return calibration;
  }

  private memoryCloudCount(): number {
    return Math.min(
      this.options.memoryClouds ?? POINTNET_MEMORY_TRAINING_CLOUDS,
      this.data.train.count,
    );
  }

  /** Semantic vectors of the training clouds at every exit (noise-free ternary network). */
  private semanticVectors(): Float32Array[] {
    if (!this.trainingSemantics) {
      const network = this.ternaryNetwork;
      const executor = new PointwiseQuantizedExecutor((layer) => network.weight(layer), 'ternary');
      const n = this.memoryCloudCount();
      const outputs = network.spec.exits.map((e) => new Float32Array(n * e.semanticDim));
      for (let start = 0; start < n; start += this.batchSize) {
        const size = Math.min(this.batchSize, n - start);
        const x = this.clouds(this.data.train, start, size);
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
      const labels = this.data.train.labels.subarray(0, this.memoryCloudCount());
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

  dispose(): void {
    this.floatNetwork.dispose();
    this.ternaryNetwork.dispose();
  }
}

const contexts = new Map<ModelName, Promise<ModelNetModelContext>>();

/** The cached context of a PointNet++ model (artifact under artifactDir(model)). */
export function pointNetModelContext(model: ModelName): Promise<ModelNetModelContext> {
  if (model !== 'pointnet2-modelnet10') {
    throw new InvalidEvaluationConfigError('model', `${model} is not a PointNet++ model`);
  }
  let context = contexts.get(model);
  if (!context) {
    context = (async () => ModelNetModelContext.load(requireArtifact(model)))();
    contexts.set(model, context);
    context.catch(() => contexts.delete(model));
  }
  return context;
}
