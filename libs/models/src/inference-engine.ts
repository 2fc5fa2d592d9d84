import type * as tf from '@tensorflow/tfjs';
import type { ExitPoint } from './dynamic-network';

/**
 * Runs one programmed dynamic network piece by piece, whatever computes it: the TensorFlow.js
 * reference (the network's own code on a CimExecutor) or a compiled engine such as onnxruntime.
 * Dynamic inference drives it: stages one at a time on a batch state, an exit's semantic vectors,
 * the final classifier, and selection of the samples that go on. Every method that computes is
 * asynchronous so that engines may run off the JavaScript thread.
 *
 * A state belongs to the caller once returned: it is released with `release`, and a method never
 * releases the state it is given.
 */
export interface InferenceEngine<State = unknown> {
  /** Engine name as recorded with results ('tfjs', 'onnx'). */
  readonly name: string;
  readonly exits: readonly ExitPoint[];
  readonly stageCount: number;
  readonly numClasses: number;
  /** Batches each weight layer has run in this pass (what dynamic inference skipped shows here). */
  readonly layerCalls: ReadonlyMap<string, number>;
  /** Starts a pass over the samples: the layer call counts (`layerCalls`) restart. */
  beginPass(): void;
  /**
   * An input batch (the caller keeps and disposes `input`) -> the state before stage 0.
   * `firstSample` is the pass's index of the batch's first sample: read noise is keyed by sample
   * index (and layer, call, tile), so a sample sees the same noise whatever batch it is in and
   * whichever companions left it at an exit.
   */
  begin(input: tf.Tensor, firstSample: number): Promise<State>;
  stage(index: number, state: State): Promise<State>;
  /** Semantic vectors of exit `exitIndex`, [batch][semanticDim] row-major. */
  exitSemantic(exitIndex: number, state: State): Promise<Float32Array>;
  /** Final logits, [batch][numClasses] row-major. */
  classify(state: State): Promise<Float32Array>;
  /** The state of the samples at `positions` (batch indices, ascending). */
  select(state: State, positions: Int32Array): State;
  release(state: State): void;
  /** Frees what the engine holds (sessions, tensors); the engine is unusable afterwards. */
  dispose(): Promise<void>;
}
