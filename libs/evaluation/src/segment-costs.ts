import {
  DeviceProfile,
  OperationCounts,
  addOperationCounts,
  crossbarOperationCounts,
  emptyOperationCounts,
} from '@engram/hardware';
import { DataflowLayer, DigitalWork } from '@engram/energy';
import { ResNetLayout, WeightLayer, layerRows } from '@engram/models';

/**
 * Operations one sample costs in each piece of the dynamic network, counted analytically from
 * the architecture: the crossbar work of every weight layer (MACs, ADC and DAC conversions, tile
 * accumulation adds) and the digital work around it (batch-norm affine = 2 ops per value, ReLU
 * and residual add = 1 each, pooling adds, TCAM query binarization and the class decision).
 */
export interface SegmentCosts {
  /** Stem plus stage s. */
  stages: OperationCounts[];
  /** Exit e: pooling, projection on the CIM, binarization, TCAM search, class decision. */
  exits: OperationCounts[];
  /** Global average pooling and the classifier. */
  head: OperationCounts;
  /** All of the above for one sample through the static network (no exit heads). */
  staticNetwork: OperationCounts;
  /**
   * The same pieces for a digital accelerator: their weight layers, the same non-MAC operations
   * and, at an exit, a digital search of the same semantic memory.
   */
  digital: { stages: DigitalWork[]; exits: DigitalWork[]; head: DigitalWork };
  /** Weights of every layer, exit projections included. */
  networkWeights: number;
}

/** A weight layer as the digital dataflow sees it. */
export function dataflowLayer(layer: WeightLayer): DataflowLayer {
  return {
    positions: layer.outHeight * layer.outWidth,
    rows: layerRows(layer),
    cols: layer.outChannels,
  };
}

/** The digital counterpart of one piece: its layers, non-MAC work and memory search. */
export function digitalWork(counts: OperationCounts, layers: readonly WeightLayer[]): DigitalWork {
  return {
    layers: layers.map(dataflowLayer),
    digitalOps: counts.digitalOps,
    pointSamplingOps: counts.pointSamplingOps,
    memoryBitSearches: counts.camBitSearches,
  };
}

/** Weights of all `layers`. */
export function weightCount(layers: readonly WeightLayer[]): number {
  return layers.reduce((sum, layer) => sum + layerRows(layer) * layer.outChannels, 0);
}

/** The crossbar work of one weight layer for one sample. */
export function crossbarCost(layer: WeightLayer, profile: DeviceProfile): OperationCounts {
  return crossbarOperationCounts(
    layer.outHeight * layer.outWidth,
    layerRows(layer),
    layer.outChannels,
    profile.tile.rows,
    profile.tile.cols,
  );
}

/** Output values of a layer for one sample (what batch norm and ReLU touch). */
export function outputValues(layer: WeightLayer): number {
  return layer.outHeight * layer.outWidth * layer.outChannels;
}

function withDigital(counts: OperationCounts, digitalOps: number): OperationCounts {
  counts.digitalOps += digitalOps;
  return counts;
}

export function segmentCosts(
  layout: ResNetLayout,
  profile: DeviceProfile,
  tcamRowsPerExit: number[],
): SegmentCosts {
  const stages = layout.stages.map((blocks, s) => {
    const total = emptyOperationCounts();
    if (s === 0) {
      addOperationCounts(
        total,
        withDigital(crossbarCost(layout.stem, profile), 3 * outputValues(layout.stem)),
      );
    }
    for (const block of blocks) {
      addOperationCounts(
        total,
        withDigital(crossbarCost(block.conv1, profile), 3 * outputValues(block.conv1)),
      );
      addOperationCounts(
        total,
        withDigital(crossbarCost(block.conv2, profile), 2 * outputValues(block.conv2)),
      );
      if (block.shortcut) {
        addOperationCounts(
          total,
          withDigital(crossbarCost(block.shortcut, profile), 2 * outputValues(block.shortcut)),
        );
      }
      // Residual add and ReLU.
      total.digitalOps += 2 * outputValues(block.conv2);
    }
    return total;
  });
  const exits = layout.exits.map((exit, e) => {
    const projection = exit.projection;
    const channels = layout.stageOutputs[layout.spec.exits[e].afterStage].channels;
    const grid = layout.spec.exits[e].poolGrid;
    const poolOps = grid * grid * channels * exit.pool.kernel * exit.pool.kernel;
    const dim = projection.outChannels;
    const rows = tcamRowsPerExit[e];
    const counts = crossbarCost(projection, profile);
    // Pooling, batch norm (2 per value), centring + sign (2 per value), min per class and compare.
    counts.digitalOps += poolOps + 2 * dim + 2 * dim + rows + layout.spec.numClasses;
    counts.camBitSearches += rows * dim;
    counts.camRowReadouts += rows;
    return counts;
  });
  const headLayer = layout.head;
  const last = layout.stageOutputs[layout.stageOutputs.length - 1];
  const head = crossbarCost(headLayer, profile);
  head.digitalOps += last.size * last.size * last.channels + 2 * headLayer.outChannels;
  const staticNetwork = emptyOperationCounts();
  for (const s of stages) addOperationCounts(staticNetwork, s);
  addOperationCounts(staticNetwork, head);
  const stageLayers = layout.stages.map((blocks, s) => [
    ...(s === 0 ? [layout.stem] : []),
    ...blocks.flatMap((block) => [
      block.conv1,
      block.conv2,
      ...(block.shortcut ? [block.shortcut] : []),
    ]),
  ]);
  const exitLayers = layout.exits.map((exit) => [exit.projection]);
  return {
    stages,
    exits,
    head,
    staticNetwork,
    digital: {
      stages: stages.map((counts, s) => digitalWork(counts, stageLayers[s])),
      exits: exits.map((counts, e) => digitalWork(counts, exitLayers[e])),
      head: digitalWork(head, [headLayer]),
    },
    networkWeights: weightCount([...stageLayers.flat(), ...exitLayers.flat(), headLayer]),
  };
}
