import {
  DeviceProfile,
  OperationCounts,
  addOperationCounts,
  emptyOperationCounts,
} from '@engram/hardware';
import { PointNetLayout, WeightLayer } from '@engram/models';
import {
  SegmentCosts,
  crossbarCost,
  digitalWork,
  outputValues,
  weightCount,
} from '../../segment-costs';

/**
 * Digital operations of one squared distance |p - c|^2 between 3-D points: three
 * multiply-accumulates' worth (the subtractions folded in), as the issue counts it.
 */
export const DISTANCE_OPS = 3;

/**
 * Farthest point sampling of `npoint` centroids among `n` points: for every centroid, the distance
 * of every point to it, a compare to update the point's nearest-centroid distance, and a compare
 * of the running maximum.
 */
export function farthestPointSamplingOps(n: number, npoint: number): number {
  return npoint * n * (DISTANCE_OPS + 2);
}

/**
 * Ball query of `npoint` centroids among `n` points: a distance and a compare with radius^2 per
 * point (the scan may stop once nsample points are found: this counts the full scan, an upper
 * bound).
 */
export function ballQueryOps(n: number, npoint: number): number {
  return npoint * n * (DISTANCE_OPS + 1);
}

/** A shared-MLP or hidden layer: its crossbar work, batch norm (2 per value) and ReLU (1). */
function layerWithBnRelu(layer: WeightLayer, profile: DeviceProfile): OperationCounts {
  const counts = crossbarCost(layer, profile);
  counts.digitalOps += 3 * outputValues(layer);
  return counts;
}

/**
 * Operations one cloud costs in each piece of the dynamic PointNet++, counted analytically from
 * the architecture (same shape as the ResNet's `segmentCosts`):
 * - a set-abstraction level: farthest point sampling and ball query (digital index computations),
 *   the grouped coordinates (3 subtractions and 3 scalings by 1/radius per neighbour), the shared
 *   MLP on the crossbars with batch norm and ReLU, and max pooling over the neighbours
 *   ((nsample - 1) compares per centroid and channel);
 * - the global level: its MLP and the max over its points;
 * - an exit: pooling over the level's points (max: compares; mean: adds and one divide per
 *   channel), the CIM projection, batch norm (2 per value), centring and sign (2 per value), the
 *   TCAM search and the class decision (a min per row and a compare per class);
 * - the head: hidden layers with batch norm and ReLU, the output layer with its digital bias add
 *   and the arg-max compare.
 */
export function pointNetSegmentCosts(
  layout: PointNetLayout,
  profile: DeviceProfile,
  tcamRowsPerExit: number[],
): SegmentCosts {
  const levels = layout.levels.map((level) => {
    const { npoint, nsample } = level.spec;
    const total = emptyOperationCounts();
    total.pointSamplingOps +=
      farthestPointSamplingOps(level.inputPoints, npoint) + ballQueryOps(level.inputPoints, npoint);
    total.digitalOps += npoint * nsample * 6;
    for (const layer of level.layers) addOperationCounts(total, layerWithBnRelu(layer, profile));
    total.digitalOps += npoint * (nsample - 1) * level.outChannels;
    return total;
  });
  const global = emptyOperationCounts();
  for (const layer of layout.global.layers)
    addOperationCounts(global, layerWithBnRelu(layer, profile));
  global.digitalOps += (layout.global.inputPoints - 1) * layout.global.outChannels;
  const exits = layout.exits.map((exit, e) => {
    const poolOps =
      (exit.points - 1) * exit.channels +
      (exit.pooling === 'max+mean' ? (exit.points - 1) * exit.channels + exit.channels : 0);
    const dim = exit.projection.outChannels;
    const rows = tcamRowsPerExit[e];
    const counts = crossbarCost(exit.projection, profile);
    counts.digitalOps += poolOps + 2 * dim + 2 * dim + rows + layout.spec.numClasses;
    counts.camBitSearches += rows * dim;
    counts.camRowReadouts += rows;
    return counts;
  });
  const head = emptyOperationCounts();
  const hidden = layout.head.slice(0, -1);
  const out = layout.head[layout.head.length - 1];
  for (const layer of hidden) addOperationCounts(head, layerWithBnRelu(layer, profile));
  const output = crossbarCost(out, profile);
  output.digitalOps += 2 * out.outChannels;
  addOperationCounts(head, output);
  const stages = [...levels, global];
  const staticNetwork = emptyOperationCounts();
  for (const s of stages) addOperationCounts(staticNetwork, s);
  addOperationCounts(staticNetwork, head);
  const stageLayers = [...layout.levels.map((level) => level.layers), layout.global.layers];
  const exitLayers = layout.exits.map((exit) => [exit.projection]);
  return {
    stages,
    exits,
    head,
    staticNetwork,
    digital: {
      stages: stages.map((counts, s) => digitalWork(counts, stageLayers[s])),
      exits: exits.map((counts, e) => digitalWork(counts, exitLayers[e])),
      head: digitalWork(head, layout.head),
    },
    networkWeights: weightCount([...stageLayers.flat(), ...exitLayers.flat(), ...layout.head]),
  };
}
