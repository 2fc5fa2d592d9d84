import * as tf from '@tensorflow/tfjs';
import { DynamicNetwork, ForwardContext, InferenceEngine, stateTensors } from '@engram/models';
import { HardwareExecutor } from './hardware-executor';
import { NetworkEngine } from './network-engine';
import { registerEngine } from './registry';

/**
 * The reference engine: the network's own TensorFlow.js code with every crossbar layer on a
 * HardwareExecutor (one programmed chip). Works for every DynamicNetwork.
 */
export class TfjsEngine<State extends tf.TensorContainer>
  extends NetworkEngine<DynamicNetwork<State>>
  implements InferenceEngine<State>
{
  readonly name = 'tfjs';
  private readonly ctx: ForwardContext;

  constructor(
    network: DynamicNetwork<State>,
    private readonly executor: HardwareExecutor,
  ) {
    super(network);
    this.ctx = { executor, batchNorm: 'running' };
  }

  get layerCalls(): ReadonlyMap<string, number> {
    return this.executor.layerCalls;
  }

  beginPass(): void {
    this.executor.beginPass();
  }

  private kept(state: State): State {
    stateTensors(state).forEach((t) => tf.keep(t));
    return state;
  }

  /** Points the executor's read-noise keys at the samples of `state`. */
  private on(state: State): void {
    this.executor.noiseKeys = {
      samples: this.samplesOf(state),
      nextCall: (layer) => this.nextBatchCall(layer),
    };
  }

  async begin(input: tf.Tensor, firstSample: number): Promise<State> {
    const samples = this.beginBatch(firstSample, input.shape[0]);
    this.executor.noiseKeys = { samples, nextCall: (layer) => this.nextBatchCall(layer) };
    return this.withSamples(this.kept(tf.tidy(() => this.network.begin(input, this.ctx))), samples);
  }

  async stage(index: number, state: State): Promise<State> {
    this.on(state);
    return this.withSamples(
      this.kept(tf.tidy(() => this.network.stage(index, state, this.ctx))),
      this.samplesOf(state),
    );
  }

  async exitSemantic(exitIndex: number, state: State): Promise<Float32Array> {
    this.on(state);
    const semantic = tf.tidy(() => this.network.exitSemantic(exitIndex, state, this.ctx));
    const values = semantic.dataSync() as Float32Array;
    semantic.dispose();
    return values;
  }

  async classify(state: State): Promise<Float32Array> {
    this.on(state);
    const logits = tf.tidy(() => this.network.classify(state, this.ctx));
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    return values;
  }

  select(state: State, positions: Int32Array): State {
    const samples = this.samplesOf(state);
    return this.withSamples(
      this.kept(tf.tidy(() => this.network.select(state, tf.tensor1d(positions, 'int32')))),
      Int32Array.from(positions, (p) => samples[p]),
    );
  }

  release(state: State): void {
    tf.dispose(stateTensors(state));
  }

  async dispose(): Promise<void> {
    this.executor.dispose();
  }
}

registerEngine({
  name: 'tfjs',
  create: ({ network, arrays, calibration, profile, readNoiseRng }) =>
    new TfjsEngine(
      network,
      new HardwareExecutor(network, arrays, calibration, profile, readNoiseRng),
    ) as InferenceEngine<unknown>,
});
