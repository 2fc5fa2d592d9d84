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

  async begin(input: tf.Tensor): Promise<State> {
    return this.kept(tf.tidy(() => this.network.begin(input, this.ctx)));
  }

  async stage(index: number, state: State): Promise<State> {
    return this.kept(tf.tidy(() => this.network.stage(index, state, this.ctx)));
  }

  async exitSemantic(exitIndex: number, state: State): Promise<Float32Array> {
    const semantic = tf.tidy(() => this.network.exitSemantic(exitIndex, state, this.ctx));
    const values = semantic.dataSync() as Float32Array;
    semantic.dispose();
    return values;
  }

  async classify(state: State): Promise<Float32Array> {
    const logits = tf.tidy(() => this.network.classify(state, this.ctx));
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    return values;
  }

  select(state: State, positions: Int32Array): State {
    return this.kept(tf.tidy(() => this.network.select(state, tf.tensor1d(positions, 'int32'))));
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
