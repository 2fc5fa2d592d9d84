import type * as tf from '@tensorflow/tfjs';
import { InferenceEngine, ResNetNetwork, WeightLayer } from '@engram/models';
import { OnnxEngineBase, OnnxState, sampleSlice } from './onnx-engine-base';
import { ResNetSegment, SegmentGraph, buildSegmentGraph } from './resnet-graphs';

/**
 * The onnxruntime engine of a ResNet programmed on one simulated chip: one graph per stage, exit
 * head and classifier (see resnet-graphs.ts and crossbar-graph.ts for what they compute), run on
 * onnxruntime-node's CPU provider. Read noise comes from the run's ReadNoiseStream, the draws the
 * TensorFlow.js HardwareExecutor reads for the same layer calls.
 */
export class OnnxResNetEngine
  extends OnnxEngineBase<ResNetNetwork, SegmentGraph>
  implements InferenceEngine<OnnxState>
{
  protected readonly sessionPrefix = '';
  protected readonly buildGraph = buildSegmentGraph;

  protected outputLayer(): { layer: WeightLayer; bias: Float32Array } {
    const bias = this.network.params.get('head.fc.b').dataSync() as Float32Array;
    return { layer: this.network.layout.head, bias };
  }

  private runOn(segment: ResNetSegment, state: OnnxState): Promise<OnnxState> {
    return this.run(segment, state, state.dims[0], (start, n) => ({
      x: sampleSlice(state.data, state.dims.slice(1), start, n),
    }));
  }

  async begin(input: tf.Tensor, firstSample: number): Promise<OnnxState> {
    return this.withSamples(
      { data: (input.dataSync() as Float32Array).slice(), dims: [...input.shape] },
      this.beginBatch(firstSample, input.shape[0]),
    );
  }

  async stage(index: number, state: OnnxState): Promise<OnnxState> {
    return this.withSamples(
      await this.runOn({ kind: 'stage', index }, state),
      this.samplesOf(state),
    );
  }

  async exitSemantic(exitIndex: number, state: OnnxState): Promise<Float32Array> {
    return (await this.runOn({ kind: 'exit', index: exitIndex }, state)).data;
  }

  async classify(state: OnnxState): Promise<Float32Array> {
    return (await this.runOn({ kind: 'head' }, state)).data;
  }

  select(state: OnnxState, positions: Int32Array): OnnxState {
    const size = state.data.length / state.dims[0];
    const data = new Float32Array(positions.length * size);
    positions.forEach((p, i) => data.set(state.data.subarray(p * size, (p + 1) * size), i * size));
    const samples = this.samplesOf(state);
    return this.withSamples(
      { data, dims: [positions.length, ...state.dims.slice(1)] },
      Int32Array.from(positions, (p) => samples[p]),
    );
  }
}
