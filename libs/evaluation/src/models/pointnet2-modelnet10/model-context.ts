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
  loadPointNetArtifact,
  pointCloudSet,
  pointNetFromArtifact,
  selectClouds,
  splitStratified,
} from '@engram/models';
import type { PointCloudState, WeightMode } from '@engram/models';
import { requireArtifact } from '../resnet-mnist/model-context';
import { ModelName } from '../../types';
import { InvalidEvaluationConfigError, ModelUnavailableError } from '../../errors';
import { SegmentCosts } from '../../segment-costs';
import { TrainedModelContext } from '../../trained-model-context';
import { ContextCache, contextCacheDir } from '../../context-cache';
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
    // Another copy or version of the dataset than the one the model was trained and tested on.
    throw new ModelUnavailableError(
      artifact.manifest.name,
      `${train.root}: train/validation/test counts ${counts.join('/')} differ from the artifact's ${expected.join('/')}: point ENGRAM_MODELNET_DIR at the dataset the artifact was trained on`,
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
 * What a process loads once per PointNet++ model (the same caches as the ResNet's): the artifact,
 * its networks and the clouds.
 */
export class ModelNetModelContext extends TrainedModelContext<PointCloudState> {
  readonly name = 'pointnet2-modelnet10' as const;
  declare readonly floatNetwork: PointNetNetwork;
  declare readonly ternaryNetwork: PointNetNetwork;
  /** Clouds per inference batch (memory: a first-level activation is 8,192 x 64 values per cloud). */
  readonly batchSize = POINTNET_EVAL_BATCH;

  constructor(
    readonly artifact: LoadedPointNetArtifact,
    private readonly data: PointNetContextData,
    options: {
      memoryClouds?: number;
      calibrationClouds?: number;
      /** Where calibrations and memories are shared (default: contextCacheDir); null: nowhere. */
      cache?: ContextCache | null;
    } = {},
  ) {
    super(
      pointNetFromArtifact(artifact, 'float'),
      pointNetFromArtifact(artifact, 'ternary'),
      {
        memorySamples: options.memoryClouds ?? POINTNET_MEMORY_TRAINING_CLOUDS,
        calibrationSamples: options.calibrationClouds ?? POINTNET_CALIBRATION_CLOUDS,
        batchSize: POINTNET_EVAL_BATCH,
      },
      options.cache === undefined
        ? new ContextCache(contextCacheDir(artifact.manifest.name, artifact.dir))
        : options.cache,
    );
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

  override get network(): PointNetNetwork {
    return this.ternaryNetwork;
  }

  dataset(split: PointCloudSplit): PointCloudSet {
    return this.data[split];
  }

  sampleCount(split: PointCloudSplit): number {
    return this.data[split].count;
  }

  labels(split: PointCloudSplit): Uint8Array {
    return this.data[split].labels;
  }

  inputs(split: PointCloudSplit, start: number, n: number): tf.Tensor3D {
    return this.clouds(this.data[split], start, n);
  }

  /** Clouds start..start+n of a split, [n, numPoints, 3]. */
  clouds(set: PointCloudSet, start: number, n: number): tf.Tensor3D {
    return tf.tensor3d(cloudRange(set, start, n), [n, set.numPoints, 3]);
  }

  segmentCosts(profile: DeviceProfile, tcamRowsPerExit: number[]): SegmentCosts {
    return pointNetSegmentCosts(this.ternaryNetwork.layout, profile, tcamRowsPerExit);
  }

  protected dataDescription(): unknown {
    const { dataset, input } = this.artifact.manifest;
    return { dataset, input, evaluationOrderSeed: POINTNET_EVALUATION_ORDER_SEED };
  }

  protected noiseFreeExecutor(
    network: PointNetNetwork,
    mode: WeightMode,
  ): PointwiseQuantizedExecutor {
    return new PointwiseQuantizedExecutor((layer) => network.weight(layer), mode);
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
