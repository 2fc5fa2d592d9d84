import { BATCH_NORM_EPSILON, ResNetNetwork, WeightLayer } from '@engram/models';
import {
  CrossbarLayerOptions,
  CrossbarLayerProgram,
  GraphParams,
  segmentCrossbar,
} from './crossbar-graph';
import { GraphBuilder } from './graph-builder';

/** The pieces dynamic inference runs one at a time: one ONNX graph each. */
export type ResNetSegment =
  { kind: 'stage'; index: number } | { kind: 'exit'; index: number } | { kind: 'head' };

export function segmentName(segment: ResNetSegment): string {
  return segment.kind === 'head' ? 'head' : `${segment.kind}${segment.index}`;
}

export interface SegmentGraphOptions extends CrossbarLayerOptions {
  params: 'initializers' | 'inputs';
}

export interface SegmentGraph {
  builder: GraphBuilder;
  params: GraphParams;
  /** Weight layers of the segment in execution order, with their noise input names (or null). */
  layers: { layer: WeightLayer; noise: string[] | null }[];
  /** Dims per sample of the segment's input and output. */
  inputDims: number[];
  outputDims: number[];
}

/** Batch-norm inference affine of a layer (scale, shift), as the network computes it. */
export function batchNormAffine(
  network: Pick<ResNetNetwork, 'params'>,
  name: string,
): { scale: Float32Array; shift: Float32Array } {
  const get = (suffix: string) =>
    network.params.get(`${name}.${suffix}`).dataSync() as Float32Array;
  const gamma = get('gamma');
  const beta = get('beta');
  const mean = get('mean');
  const variance = get('var');
  const scale = new Float32Array(gamma.length);
  const shift = new Float32Array(gamma.length);
  for (let i = 0; i < gamma.length; i++) {
    scale[i] = Math.fround(gamma[i] * Math.fround(1 / Math.sqrt(variance[i] + BATCH_NORM_EPSILON)));
    shift[i] = beta[i] - mean[i] * scale[i];
  }
  return { scale, shift };
}

/**
 * Emits the graph of one segment of the ResNet on the programmed crossbars. Layout: the images
 * come in NHWC (as the datasets give them) and stage 0 transposes them; every feature map is
 * NCHW; an exit flattens its pooled grid in (y, x, channel) order like the network does.
 */
export function buildSegmentGraph(
  network: ResNetNetwork,
  segment: ResNetSegment,
  programs: Map<string, CrossbarLayerProgram>,
  options: SegmentGraphOptions,
): SegmentGraph {
  const { layout } = network;
  const spec = layout.spec;
  const builder = new GraphBuilder(segmentName(segment));
  const g = builder;
  const params = new GraphParams(g, options.params);
  const layers: SegmentGraph['layers'] = [];
  const crossbar = segmentCrossbar(g, params, programs, options, layers);

  let inputDims: number[];
  let outputDims: number[];
  let y: string;
  if (segment.kind === 'stage') {
    const s = segment.index;
    let x: string;
    if (s === 0) {
      inputDims = [spec.inputHeight, spec.inputWidth, spec.inputChannels];
      const images = g.input('x', ['N', ...inputDims]);
      x = g.node('Relu', [
        crossbar(layout.stem, g.node('Transpose', [images], { perm: [0, 3, 1, 2] })),
      ]);
    } else {
      const previous = layout.stageOutputs[s - 1];
      inputDims = [previous.channels, previous.size, previous.size];
      x = g.input('x', ['N', ...inputDims]);
    }
    for (const block of layout.stages[s]) {
      const residual = block.shortcut ? crossbar(block.shortcut, x) : x;
      const hidden = g.node('Relu', [crossbar(block.conv1, x)]);
      x = g.node('Relu', [g.node('Add', [crossbar(block.conv2, hidden), residual])]);
    }
    const out = layout.stageOutputs[s];
    outputDims = [out.channels, out.size, out.size];
    y = x;
  } else if (segment.kind === 'exit') {
    const e = segment.index;
    const exit = layout.exits[e];
    const source = layout.stageOutputs[spec.exits[e].afterStage];
    inputDims = [source.channels, source.size, source.size];
    const x = g.input('x', ['N', ...inputDims]);
    const pooled = g.node('AveragePool', [x], {
      kernel_shape: [exit.pool.kernel, exit.pool.kernel],
      strides: [exit.pool.stride, exit.pool.stride],
    });
    const flat = g.node('Reshape', [
      g.node('Transpose', [pooled], { perm: [0, 2, 3, 1] }),
      g.ints([0, -1]),
    ]);
    y = crossbar(exit.projection, flat);
    outputDims = [exit.projection.outChannels];
  } else {
    const last = layout.stageOutputs[layout.stageOutputs.length - 1];
    inputDims = [last.channels, last.size, last.size];
    const x = g.input('x', ['N', ...inputDims]);
    const pooled = g.node('ReduceMean', [x], { axes: [2, 3], keepdims: 0 });
    y = crossbar(layout.head, pooled);
    outputDims = [spec.numClasses];
  }
  g.output(y, 'y', ['N', ...outputDims]);
  return { builder, params, layers, inputDims, outputDims };
}
