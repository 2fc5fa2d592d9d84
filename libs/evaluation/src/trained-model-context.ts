import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { DeviceProfile, ProgrammedArray } from '@engram/hardware';
import {
  CimExecutor,
  DynamicNetwork,
  ForwardContext,
  WeightMode,
  forwardWithExits,
} from '@engram/models';
import { SemanticMemory, buildSemanticMemory } from '@engram/semantic-memory';
import { NetworkCalibration, calibrateNetwork } from './calibration';
import { ContextCache, ContextCacheKind, ContextCacheValue } from './context-cache';
import { EvaluationModel, InputBatch, PredictionCache } from './evaluation-model';
import { SegmentCosts } from './segment-costs';
import { EvaluationSplit, ModelName } from './types';

type Split = EvaluationSplit | 'train';

/** How many training samples a context uses for what, and its inference batch. */
export interface ContextSizes {
  /** Training samples whose semantic vectors build the memories. */
  memorySamples: number;
  /** Training samples that calibrate the DAC and ADC ranges. */
  calibrationSamples: number;
  batchSize: number;
}

/** The final classifier's logits of the static network (no exit heads). */
function staticLogits<State extends tf.TensorContainer>(
  network: DynamicNetwork<State>,
  x: tf.Tensor,
  ctx: ForwardContext,
): tf.Tensor2D {
  let state = network.begin(x, ctx);
  for (let s = 0; s < network.stageCount; s++) state = network.stage(s, state, ctx);
  return network.classify(state, ctx);
}

/**
 * What every trained model's context shares: the float and ternary networks of its artifact,
 * and, computed lazily and cached by their parameters, calibrations, the semantic memories built
 * from the training samples' semantic vectors, and software predictions. All of these are also
 * kept in a ContextCache folder (when given), so a new thread or process loads them instead of
 * recomputing them. A subclass says where the samples
 * come from and how noise-free weights are applied.
 */
export abstract class TrainedModelContext<
  State extends tf.TensorContainer,
> implements EvaluationModel<State> {
  abstract readonly name: ModelName;
  abstract readonly version: string;
  abstract readonly runStreamName: string;
  private readonly calibrations = new Map<string, NetworkCalibration>();
  private readonly memories = new Map<string, SemanticMemory[]>();
  private readonly predictionCache = new PredictionCache();
  private trainingSemantics: Float32Array[] | undefined;
  private readonly dataKeys = new Map<string, string>();

  protected constructor(
    readonly floatNetwork: DynamicNetwork<State>,
    readonly ternaryNetwork: DynamicNetwork<State>,
    protected readonly sizes: ContextSizes,
    /** Shared folder of what the context computes; null keeps it in this context only. */
    readonly contextCache: ContextCache | null,
  ) {}

  get network(): DynamicNetwork<State> {
    return this.ternaryNetwork;
  }

  abstract sampleCount(split: Split): number;
  abstract labels(split: Split): Uint8Array;
  /** Samples start..start+n of a split as one input tensor (the caller disposes it). */
  abstract inputs(split: Split, start: number, n: number): tf.Tensor;
  abstract segmentCosts(profile: DeviceProfile, tcamRowsPerExit: number[]): SegmentCosts;
  /**
   * What selects and prepares a split's samples besides the artifact's weights (the dataset
   * and split recorded in the manifest, normalization, point sampling): part of every cache key.
   */
  protected abstract dataDescription(): unknown;
  /** Runs the weight layers with noise-free float or ternary weights. */
  protected abstract noiseFreeExecutor(
    network: DynamicNetwork<State>,
    mode: WeightMode,
  ): CimExecutor & { dispose(): void };

  *batches(split: Split, count: number): Generator<InputBatch> {
    for (let offset = 0; offset < count; offset += this.sizes.batchSize) {
      yield {
        x: this.inputs(split, offset, Math.min(this.sizes.batchSize, count - offset)),
        offset,
      };
    }
  }

  /**
   * Identifies the first n samples of a split: the data description and a hash of their labels
   * (a different copy, order or split of the data changes it).
   */
  private dataKey(split: Split, n: number): string {
    const id = `${split}/${n}`;
    let key = this.dataKeys.get(id);
    if (!key) {
      const labels = this.labels(split).subarray(0, n);
      const labelsSha256 = createHash('sha256')
        .update(Buffer.from(labels.buffer, labels.byteOffset, labels.byteLength))
        .digest('hex');
      key = JSON.stringify({ data: this.dataDescription(), split, samples: n, labelsSha256 });
      this.dataKeys.set(id, key);
    }
    return key;
  }

  /** compute() through the shared cache folder, when the context has one. */
  private cached<K extends ContextCacheKind>(
    kind: K,
    inputs: unknown,
    compute: () => ContextCacheValue<K>,
  ): ContextCacheValue<K> {
    if (!this.contextCache) return compute();
    const key = { model: this.name, artifactVersion: this.version, kind, inputs };
    return this.contextCache.getOrCompute(key, compute);
  }

  calibration(profile: DeviceProfile): NetworkCalibration {
    // Exactly the profile fields CalibratingExecutor reads.
    const parameters = [profile.tile.rows, profile.dac, profile.adc.calibrationPercentile];
    const key = JSON.stringify(parameters);
    let calibration = this.calibrations.get(key);
    if (!calibration) {
      const n = Math.min(this.sizes.calibrationSamples, this.sampleCount('train'));
      calibration = this.cached(
        'calibration',
        { parameters, training: this.dataKey('train', n) },
        () => {
          const x = this.inputs('train', 0, n);
          const computed = calibrateNetwork(this.ternaryNetwork, profile, x);
          x.dispose();
          return computed;
        },
      );
      this.calibrations.set(key, calibration);
    }
    return calibration;
  }

  chipCalibration(
    profile: DeviceProfile,
    arrays: Map<string, ProgrammedArray>,
  ): NetworkCalibration {
    const n = Math.min(this.sizes.calibrationSamples, this.sampleCount('train'));
    const x = this.inputs('train', 0, n);
    try {
      return calibrateNetwork(this.ternaryNetwork, profile, x, arrays);
    } finally {
      x.dispose();
    }
  }

  private memorySampleCount(): number {
    return Math.min(this.sizes.memorySamples, this.sampleCount('train'));
  }

  /** Semantic vectors of the training samples at every exit (noise-free ternary network). */
  private semanticVectors(): Float32Array[] {
    if (!this.trainingSemantics) {
      this.trainingSemantics = this.cached(
        'semantics',
        { training: this.dataKey('train', this.memorySampleCount()) },
        () => this.computeSemanticVectors(),
      );
    }
    return this.trainingSemantics;
  }

  private computeSemanticVectors(): Float32Array[] {
    const network = this.ternaryNetwork;
    const executor = this.noiseFreeExecutor(network, 'ternary');
    const n = this.memorySampleCount();
    const outputs = network.exits.map((e) => new Float32Array(n * e.semanticDim));
    for (const { x, offset } of this.batches('train', n)) {
      tf.tidy(() => {
        const { semantics } = forwardWithExits(network, x, { executor, batchNorm: 'running' });
        semantics.forEach((s, e) => outputs[e].set(s.dataSync(), offset * s.shape[1]));
      });
      x.dispose();
    }
    executor.dispose();
    return outputs;
  }

  memory(prototypesPerClass: number, dontCareMarginStd: number, seed: number): SemanticMemory[] {
    const key = JSON.stringify([prototypesPerClass, dontCareMarginStd, seed]);
    let memories = this.memories.get(key);
    if (!memories) {
      const n = this.memorySampleCount();
      memories = this.cached(
        'memories',
        {
          parameters: { prototypesPerClass, dontCareMarginStd, seed },
          training: this.dataKey('train', n),
        },
        () => {
          const vectors = this.semanticVectors();
          const labels = this.labels('train').subarray(0, n);
          const network = this.ternaryNetwork;
          return network.exits.map((e, i) =>
            buildSemanticMemory(vectors[i], labels, e.semanticDim, network.numClasses, {
              prototypesPerClass,
              dontCareMarginStd,
              seed: seed + i,
            }),
          );
        },
      );
      this.memories.set(key, memories);
    }
    return memories;
  }

  softwarePredictions(
    split: EvaluationSplit,
    count: number,
    variant: WeightMode = 'float',
  ): Uint16Array {
    return this.predictionCache.get(`${split}/${variant}`, count, () =>
      this.cached('predictions', { variant, data: this.dataKey(split, count) }, () => {
        const network = variant === 'float' ? this.floatNetwork : this.ternaryNetwork;
        const executor = this.noiseFreeExecutor(network, variant);
        const predictions = new Uint16Array(count);
        for (const { x, offset } of this.batches(split, count)) {
          const classes = tf.tidy(() =>
            tf.argMax(staticLogits(network, x, { executor, batchNorm: 'running' }), 1).dataSync(),
          );
          predictions.set(classes, offset);
          x.dispose();
        }
        executor.dispose();
        return predictions;
      }),
    );
  }
}
