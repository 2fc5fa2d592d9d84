import { PointNetNetwork, WeightLayer } from '@engram/models';
import { CrossbarLayerProgram, GraphParams, segmentCrossbar } from './crossbar-graph';
import { Dim, GraphBuilder } from './graph-builder';
import { ResNetSegment, SegmentGraphOptions, segmentName } from './resnet-graphs';

/** The pieces dynamic inference runs one at a time (stages, exit heads, the classifier). */
export type PointNetSegment = ResNetSegment;

export type PointNetGraphOptions = SegmentGraphOptions;

/** A data input of a segment graph: name, element type and dims per sample. */
export interface PointNetGraphInput {
  name: string;
  type: 'float' | 'int32';
  /** Dims after the batch axis; for 'idx' the values per sample (flattened over the batch). */
  dims: number[];
}

export interface PointNetSegmentGraph {
  builder: GraphBuilder;
  params: GraphParams;
  /** Weight layers of the segment in execution order, with their noise input names (or null). */
  layers: { layer: WeightLayer; noise: string[] | null }[];
  inputs: PointNetGraphInput[];
  /** Dims per sample of the output 'y'. */
  outputDims: number[];
}

/**
 * Emits the graph of one segment of a PointNet++ on the programmed crossbars. Farthest point
 * sampling and ball query run on the host (they only index); the graphs take their results:
 *
 * - set-abstraction level l: `g` [N, npoint, nsample, 3 or 6] the grouped coordinates (offset to
 *   the centroid / radius, then the absolute xyz in the first level when the spec asks), and from
 *   the second level on `f` [N, points, C] the input points' features with `idx` [N * npoint *
 *   nsample] (int32) the neighbours' rows of `f` flattened over the batch; the shared MLP runs as
 *   1x1 convs over the NCHW map [N, C, npoint, nsample] (the layers' conv out map, so the read-noise
 *   windows follow the TensorFlow.js executor's layout), then the max over the neighbours;
 *   output `y` [N, npoint, C'] (channel-last like the network's state);
 * - the global level: `xyz` [N, points, 3] and `f` [N, points, C] -> 1x1 convs over [N, 3 + C, 1,
 *   points] -> max over the points: `y` [N, C'];
 * - exit e: `f` [N, points, C] -> max (and mean) over the points -> projection + batch norm;
 * - the classifier: `f` [N, C] -> dense + batch norm + ReLU layers -> output layer + bias.
 */
export function buildPointNetSegmentGraph(
  network: PointNetNetwork,
  segment: PointNetSegment,
  programs: Map<string, CrossbarLayerProgram>,
  options: PointNetGraphOptions,
): PointNetSegmentGraph {
  const { layout, spec } = network;
  const g = new GraphBuilder(`pointnet2-${segmentName(segment)}`);
  const params = new GraphParams(g, options.params);
  const layers: PointNetSegmentGraph['layers'] = [];
  const inputs: PointNetGraphInput[] = [];
  const input = (name: string, dims: number[], type: 'float' | 'int32' = 'float'): string => {
    inputs.push({ name, type, dims });
    const graphDims: Dim[] = name === 'idx' ? ['M'] : ['N', ...dims];
    return g.input(name, graphDims, type);
  };
  const crossbar = segmentCrossbar(g, params, programs, options, layers, true);
  const mlp = (mlpLayers: WeightLayer[], x: string): string =>
    mlpLayers.reduce((h, layer) => g.node('Relu', [crossbar(layer, h)]), x);

  let y: string;
  let outputDims: number[];
  const levels = layout.levels.length;
  if (segment.kind === 'stage' && segment.index < levels) {
    const level = layout.levels[segment.index];
    const { npoint, nsample } = level.spec;
    const coordinateWidth = segment.index === 0 && spec.firstLevelAbsoluteXyz ? 6 : 3;
    const grouped = input('g', [npoint, nsample, coordinateWidth]);
    let x = grouped;
    if (level.inputFeatures > 0) {
      const channels = level.inputFeatures;
      const features = input('f', [level.inputPoints, channels]);
      const indices = input('idx', [npoint * nsample], 'int32');
      const rows = g.node('Reshape', [features, g.ints([-1, channels])]);
      const gathered = g.node('Reshape', [
        g.node('Gather', [rows, indices], { axis: 0 }),
        g.ints([-1, npoint, nsample, channels]),
      ]);
      x = g.node('Concat', [grouped, gathered], { axis: 3 });
    }
    const map = g.node('Transpose', [x], { perm: [0, 3, 1, 2] });
    const pooled = g.node('ReduceMax', [mlp(level.layers, map)], { axes: [3], keepdims: 0 });
    y = g.node('Transpose', [pooled], { perm: [0, 2, 1] });
    outputDims = [npoint, level.outChannels];
  } else if (segment.kind === 'stage' && segment.index === levels) {
    const { global } = layout;
    const points = global.inputPoints;
    const xyz = input('xyz', [points, 3]);
    const features = input('f', [points, global.inChannels - 3]);
    const x = g.node('Unsqueeze', [
      g.node('Transpose', [g.node('Concat', [xyz, features], { axis: 2 })], { perm: [0, 2, 1] }),
      g.ints([2]),
    ]);
    y = g.node('ReduceMax', [mlp(global.layers, x)], { axes: [2, 3], keepdims: 0 });
    outputDims = [global.outChannels];
  } else if (segment.kind === 'exit') {
    const exit = layout.exits[segment.index];
    const features = input('f', [exit.points, exit.channels]);
    const max = g.node('ReduceMax', [features], { axes: [1], keepdims: 0 });
    const pooled =
      exit.pooling === 'max'
        ? max
        : g.node('Concat', [max, g.node('ReduceMean', [features], { axes: [1], keepdims: 0 })], {
            axis: 1,
          });
    y = crossbar(exit.projection, pooled);
    outputDims = [exit.projection.outChannels];
  } else if (segment.kind === 'head') {
    const hidden = layout.head.slice(0, -1);
    const out = layout.head[layout.head.length - 1];
    const features = input('f', [layout.global.outChannels]);
    y = crossbar(out, mlp(hidden, features));
    outputDims = [spec.numClasses];
  } else {
    throw new RangeError(`pointnet2: no segment ${segmentName(segment)}`);
  }
  g.output(y, 'y', ['N', ...outputDims]);
  return { builder: g, params, layers, inputs, outputDims };
}
