import * as tf from '@tensorflow/tfjs';
import type { DynamicNetwork, ExitPoint } from '../dynamic-network';
import type { CimExecutor } from './executor';
import { ParameterStore } from './parameters';
import type { WeightLayer } from './weight-layer';

export const BATCH_NORM_EPSILON = 1e-5;

export type BatchNormMode = 'batch' | 'running';

/** Batch statistics observed in a training step, used to update the running averages. */
export type BatchStatistics = Map<string, { mean: tf.Tensor; variance: tf.Tensor }>;

export interface ForwardContext {
  executor: CimExecutor;
  batchNorm: BatchNormMode;
  /** Filled in 'batch' mode. */
  statistics?: BatchStatistics;
}

/** Training-only options of the static pass (a network without dropout ignores them). */
export interface ForwardOptions {
  /** Dropout on the classifier's hidden layers, seeded per step. */
  dropout?: { rate: number; seed: number };
}

export interface NetworkOutputs {
  logits: tf.Tensor2D;
  /** Each exit's auxiliary classifier (training only: at inference the TCAM decides). */
  exitLogits: tf.Tensor2D[];
  semantics: tf.Tensor2D[];
}

/**
 * What training needs of a dynamic network on top of what inference needs: its parameters and
 * the static pass with every exit's auxiliary classifier.
 */
export interface TrainableNetwork<State extends tf.TensorContainer = tf.TensorContainer>
  extends DynamicNetwork<State> {
  readonly params: ParameterStore;
  forwardAll(input: tf.Tensor, ctx: ForwardContext, options?: ForwardOptions): NetworkOutputs;
}

/** The layout pieces every exit network has. */
export interface ExitNetworkLayout {
  /** Every crossbar layer, in execution order. */
  weightLayers: WeightLayer[];
  exits: { projection: WeightLayer; auxClassifier: string }[];
}

export function weightName(layer: WeightLayer): string {
  return `${layer.name}.w`;
}

/** Seeded He-normal initialization for a weight of the given fan-in. */
function heNormal(shape: number[], fanIn: number, seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed);
}

function weightShape(layer: WeightLayer): number[] {
  return layer.kind === 'conv'
    ? [layer.kernel, layer.kernel, layer.inChannels, layer.outChannels]
    : [layer.inChannels, layer.outChannels];
}

function addBatchNorm(params: ParameterStore, name: string, channels: number): void {
  params.add(`${name}.gamma`, tf.ones([channels]), true);
  params.add(`${name}.beta`, tf.zeros([channels]), true);
  params.add(`${name}.mean`, tf.zeros([channels]), false);
  params.add(`${name}.var`, tf.ones([channels]), false);
}

/**
 * Fresh parameters: He-normal weights seeded seed, seed + 1, ... in layer order, each with its
 * batch norm, then the classifier's digital bias, then each exit's auxiliary classifier. This
 * order is the order of checkpoints and artifacts.
 */
export function initialParameters(
  layout: ExitNetworkLayout,
  numClasses: number,
  headBias: string,
  seed: number,
): ParameterStore {
  const params = new ParameterStore();
  let next = seed;
  for (const layer of layout.weightLayers) {
    const fanIn = layer.kernel * layer.kernel * layer.inChannels;
    params.add(weightName(layer), heNormal(weightShape(layer), fanIn, next++), true);
    if (layer.batchNorm) addBatchNorm(params, layer.batchNorm, layer.outChannels);
  }
  params.add(headBias, tf.zeros([numClasses]), true);
  layout.exits.forEach((exit) => {
    const dim = exit.projection.outChannels;
    params.add(`${exit.auxClassifier}.w`, heNormal([dim, numClasses], dim, next++), true);
    params.add(`${exit.auxClassifier}.b`, tf.zeros([numClasses]), true);
  });
  return params;
}

/**
 * What the ResNet and the PointNet++ share: parameters by layer, the exits' auxiliary
 * classifiers, inference batch norm and the static pass; subclasses give the stages.
 */
export abstract class ExitNetwork<
  Spec extends { exits: readonly ExitPoint[]; numClasses: number },
  Layout extends ExitNetworkLayout,
  State extends tf.TensorContainer,
> implements TrainableNetwork<State>
{
  abstract readonly kind: string;
  abstract readonly stageCount: number;

  constructor(
    readonly spec: Spec,
    readonly params: ParameterStore,
    readonly layout: Layout,
  ) {}

  abstract begin(input: tf.Tensor, ctx: ForwardContext): State;
  abstract stage(index: number, state: State, ctx: ForwardContext): State;
  abstract exitSemantic(exitIndex: number, state: State, ctx: ForwardContext): tf.Tensor2D;
  abstract classify(state: State, ctx: ForwardContext): tf.Tensor2D;
  abstract select(state: State, positions: tf.Tensor1D): State;

  get exits(): readonly ExitPoint[] {
    return this.spec.exits;
  }

  get numClasses(): number {
    return this.spec.numClasses;
  }

  get weightLayers(): readonly WeightLayer[] {
    return this.layout.weightLayers;
  }

  weight(layer: WeightLayer): tf.Variable {
    return this.params.get(weightName(layer));
  }

  /** Inference batch norm: a per-channel affine on the digital side. */
  protected runningBatchNorm(name: string, x: tf.Tensor): tf.Tensor {
    const scale = tf.mul(
      this.params.get(`${name}.gamma`),
      tf.rsqrt(tf.add(this.params.get(`${name}.var`), BATCH_NORM_EPSILON)),
    );
    const shift = tf.sub(this.params.get(`${name}.beta`), tf.mul(this.params.get(`${name}.mean`), scale));
    return tf.add(tf.mul(x, scale), shift);
  }

  /** Auxiliary classifier of an exit (training only: at inference the TCAM decides). */
  exitLogits(exitIndex: number, semantic: tf.Tensor2D): tf.Tensor2D {
    const name = this.layout.exits[exitIndex].auxClassifier;
    return tf.add(
      tf.matMul(tf.tanh(semantic), this.params.get(`${name}.w`)),
      this.params.get(`${name}.b`),
    );
  }

  /** The classifier of the static pass; a network with training-only layers overrides it. */
  protected classifyWith(state: State, ctx: ForwardContext, _options: ForwardOptions): tf.Tensor2D {
    return this.classify(state, ctx);
  }

  /** The static network end to end, with every exit head evaluated (training and reference). */
  forwardAll(input: tf.Tensor, ctx: ForwardContext, options: ForwardOptions = {}): NetworkOutputs {
    let state = this.begin(input, ctx);
    const semantics: tf.Tensor2D[] = [];
    const exitLogits: tf.Tensor2D[] = [];
    const exitsAfter = new Map(this.spec.exits.map((e, i) => [e.afterStage, i]));
    for (let s = 0; s < this.stageCount; s++) {
      state = this.stage(s, state, ctx);
      const exitIndex = exitsAfter.get(s);
      if (exitIndex !== undefined) {
        const semantic = this.exitSemantic(exitIndex, state, ctx);
        semantics.push(semantic);
        exitLogits.push(this.exitLogits(exitIndex, semantic));
      }
    }
    return { logits: this.classifyWith(state, ctx, options), exitLogits, semantics };
  }

  dispose(): void {
    this.params.dispose();
  }
}
