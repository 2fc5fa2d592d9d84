import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './layers/exit-network';
import type { WeightLayer } from './layers/weight-layer';

/** Where an exit reads the network and how long its semantic vector (TCAM word) is. */
export interface ExitPoint {
  afterStage: number;
  semanticDim: number;
}

/**
 * What dynamic inference needs of a network, whatever its kind (ResNet on images, PointNet++ on
 * point clouds): run the stages one at a time on a batch state, read an exit's semantic vectors,
 * classify at the end, and keep only the samples that go on. `State` is a tensor or a plain
 * object of tensors (a tf.TensorContainer) with the batch on axis 0 of every tensor.
 */
export interface DynamicNetwork<State extends tf.TensorContainer = tf.Tensor> {
  readonly kind: string;
  readonly exits: readonly ExitPoint[];
  readonly stageCount: number;
  readonly numClasses: number;
  /** Every layer that runs on a crossbar, in execution order. */
  readonly weightLayers: readonly WeightLayer[];
  weight(layer: WeightLayer): tf.Variable;
  /** Input batch -> the state before stage 0 (a stem, if any, runs here and counts with stage 0). */
  begin(input: tf.Tensor, ctx: ForwardContext): State;
  stage(index: number, state: State, ctx: ForwardContext): State;
  exitSemantic(exitIndex: number, state: State, ctx: ForwardContext): tf.Tensor2D;
  classify(state: State, ctx: ForwardContext): tf.Tensor2D;
  /** The state of the samples at `positions` (an int32 index vector). */
  select(state: State, positions: tf.Tensor1D): State;
}

/** Tensors of a state, for keep/dispose across tidy scopes. */
export function stateTensors(state: tf.TensorContainer): tf.Tensor[] {
  if (state instanceof tf.Tensor) return [state];
  if (Array.isArray(state)) return state.flatMap((s) => stateTensors(s as tf.TensorContainer));
  if (state && typeof state === 'object') {
    return Object.values(state as Record<string, tf.TensorContainer>).flatMap(stateTensors);
  }
  return [];
}

/** The static network with every exit head: final logits and each exit's semantic vectors. */
export function forwardWithExits<State extends tf.TensorContainer>(
  network: DynamicNetwork<State>,
  input: tf.Tensor,
  ctx: ForwardContext,
): { logits: tf.Tensor2D; semantics: tf.Tensor2D[] } {
  const exitAfter = new Map(network.exits.map((e, i) => [e.afterStage, i]));
  const semantics: tf.Tensor2D[] = [];
  let state = network.begin(input, ctx);
  for (let s = 0; s < network.stageCount; s++) {
    state = network.stage(s, state, ctx);
    const e = exitAfter.get(s);
    if (e !== undefined) semantics.push(network.exitSemantic(e, state, ctx));
  }
  return { logits: network.classify(state, ctx), semantics };
}
