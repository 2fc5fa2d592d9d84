/**
 * The ternary PointNet++ (single-scale grouping) for ModelNet point clouds, described as data:
 * the artifact stores this spec, and every layer list, parameter shape and MAC count is derived
 * from it. Every shared MLP layer runs on a CIM crossbar as a 1x1 convolution over the grouped
 * points [batch, npoint, nsample, channels] (kind 'conv', kernel 1, out map npoint x nsample),
 * so the hardware executor runs it unchanged and `layerMacs` counts it.
 */
import { Segment, WeightLayer, convLayer, denseLayer, layerMacs } from '../layers/weight-layer';

/** One set-abstraction level: sample `npoint` centroids, group `nsample` neighbours, shared MLP, max. */
export interface SetAbstractionSpec {
  npoint: number;
  /** Ball-query radius (the clouds are normalized to the unit sphere). */
  radius: number;
  nsample: number;
  /** Output channels of the shared MLP's layers (1x1 conv + batch norm + ReLU each). */
  mlp: number[];
}

export type ExitPooling = 'max' | 'max+mean';

export interface PointNetExitSpec {
  /** Index of the stage (set-abstraction level) after which this exit reads the features. */
  afterStage: number;
  /** Length of the semantic vector (the TCAM word width). */
  semanticDim: number;
  /** Pooling of the level's point features before the projection (max+mean: both, concatenated). */
  pooling: ExitPooling;
}

export interface PointNetSpec {
  kind: 'pointnet2';
  /** Points per input cloud. */
  numPoints: number;
  /**
   * The first level's per-neighbour input: the offset to its centroid divided by the radius, and
   * when true also the neighbour's absolute coordinates, so that the first level's features say
   * what local shape lies where (a PointNet-like global descriptor for exit 1 after pooling).
   */
  firstLevelAbsoluteXyz: boolean;
  levels: SetAbstractionSpec[];
  /** The global level: shared MLP over (xyz, features) of the last level's points, then max. */
  globalMlp: number[];
  /** Hidden widths of the classifier (dense + batch norm + ReLU each); a dense layer to the classes follows. */
  head: number[];
  exits: PointNetExitSpec[];
  numClasses: number;
}

/**
 * ModelNet10 default: the calibration experiment's small SSG network (SA1 256 x 32, MLP 32-32-64;
 * SA2 64 x 32, MLP 64-64-128) with the global level widened to 1024 (more of the compute after
 * exit 2) and absolute coordinates in the first level's input (a discriminative exit 1).
 */
export const POINTNET2_MODELNET10_SPEC: PointNetSpec = {
  kind: 'pointnet2',
  numPoints: 1024,
  firstLevelAbsoluteXyz: true,
  levels: [
    { npoint: 256, radius: 0.2, nsample: 32, mlp: [32, 32, 64] },
    { npoint: 64, radius: 0.4, nsample: 32, mlp: [64, 64, 128] },
  ],
  globalMlp: [128, 256, 1024],
  head: [256],
  exits: [
    { afterStage: 0, semanticDim: 128, pooling: 'max+mean' },
    { afterStage: 1, semanticDim: 128, pooling: 'max+mean' },
  ],
  numClasses: 10,
};

export interface SetAbstractionLayout {
  spec: SetAbstractionSpec;
  /** Points the level samples its centroids from. */
  inputPoints: number;
  /** Feature channels of the input points (0 for the raw cloud). */
  inputFeatures: number;
  /** Channels of one grouped neighbour fed to the first MLP layer. */
  groupedChannels: number;
  layers: WeightLayer[];
  outChannels: number;
}

export interface GlobalLevelLayout {
  inputPoints: number;
  /** xyz + the last level's features. */
  inChannels: number;
  layers: WeightLayer[];
  outChannels: number;
}

export interface PointNetExitLayout {
  projection: WeightLayer;
  auxClassifier: string;
  /** Points pooled and channels per point of the level the exit reads. */
  points: number;
  channels: number;
  pooling: ExitPooling;
}

export interface PointNetLayout {
  spec: PointNetSpec;
  levels: SetAbstractionLayout[];
  global: GlobalLevelLayout;
  exits: PointNetExitLayout[];
  /** Hidden dense layers then the output layer (the last one, no batch norm, digital bias). */
  head: WeightLayer[];
  /** Weight layers of each stage (levels, then the global level). */
  stageLayers: WeightLayer[][];
  weightLayers: WeightLayer[];
}

function checkPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`pointnet2: ${what} must be a positive integer, got ${value}`);
}

export function pointNetLayout(spec: PointNetSpec): PointNetLayout {
  checkPositiveInteger(spec.numPoints, 'numPoints');
  if (spec.levels.length === 0) throw new Error('pointnet2: at least one set-abstraction level');
  let points = spec.numPoints;
  let features = 0;
  const levels = spec.levels.map((level, l): SetAbstractionLayout => {
    checkPositiveInteger(level.npoint, `level ${l + 1} npoint`);
    checkPositiveInteger(level.nsample, `level ${l + 1} nsample`);
    if (level.npoint > points) {
      throw new Error(
        `pointnet2: level ${l + 1} samples ${level.npoint} centroids from ${points} points`,
      );
    }
    if (!(level.radius > 0)) throw new Error(`pointnet2: level ${l + 1} radius must be > 0`);
    if (level.mlp.length === 0) throw new Error(`pointnet2: level ${l + 1} has an empty MLP`);
    const segment: Segment = { kind: 'stage', index: l };
    const groupedChannels = 3 + features + (l === 0 && spec.firstLevelAbsoluteXyz ? 3 : 0);
    let inChannels = groupedChannels;
    const layers = level.mlp.map((out, i) => {
      checkPositiveInteger(out, `level ${l + 1} MLP width`);
      // A 1x1 conv over the [npoint, nsample] map of grouped points.
      const name = `sa${l + 1}.mlp${i}`;
      const layer = convLayer(name, segment, inChannels, out, 1, 1, level.npoint, level.nsample);
      inChannels = out;
      return layer;
    });
    const layout: SetAbstractionLayout = {
      spec: level,
      inputPoints: points,
      inputFeatures: features,
      groupedChannels,
      layers,
      outChannels: inChannels,
    };
    points = level.npoint;
    features = inChannels;
    return layout;
  });
  const globalSegment: Segment = { kind: 'stage', index: spec.levels.length };
  let channels = 3 + features;
  const globalIn = channels;
  const globalLayers = spec.globalMlp.map((out, i) => {
    checkPositiveInteger(out, 'global MLP width');
    const layer = convLayer(`global.mlp${i}`, globalSegment, channels, out, 1, 1, 1, points);
    channels = out;
    return layer;
  });
  if (globalLayers.length === 0) throw new Error('pointnet2: the global level has an empty MLP');
  const global: GlobalLevelLayout = {
    inputPoints: points,
    inChannels: globalIn,
    layers: globalLayers,
    outChannels: channels,
  };
  const exits = spec.exits.map((exit, e): PointNetExitLayout => {
    const level = levels[exit.afterStage];
    if (!level) {
      throw new Error(
        `pointnet2: exit ${e + 1} reads level ${exit.afterStage}, which is not a set-abstraction level`,
      );
    }
    if (e > 0 && exit.afterStage <= spec.exits[e - 1].afterStage)
      throw new Error('pointnet2: exits must follow increasing stages');
    const pooled = level.outChannels * (exit.pooling === 'max+mean' ? 2 : 1);
    return {
      projection: denseLayer(
        `exit${e + 1}.proj`,
        { kind: 'exit', index: e },
        pooled,
        exit.semanticDim,
        true,
      ),
      auxClassifier: `exit${e + 1}.aux`,
      points: level.spec.npoint,
      channels: level.outChannels,
      pooling: exit.pooling,
    };
  });
  const head: WeightLayer[] = [];
  spec.head.forEach((width, i) => {
    checkPositiveInteger(width, 'head width');
    head.push(denseLayer(`head.fc${i + 1}`, { kind: 'head' }, channels, width, true));
    channels = width;
  });
  head.push(denseLayer('head.out', { kind: 'head' }, channels, spec.numClasses, false));
  const stageLayers = [...levels.map((l) => l.layers), global.layers];
  const weightLayers = [...stageLayers.flat(), ...exits.map((e) => e.projection), ...head];
  return { spec, levels, global, exits, head, stageLayers, weightLayers };
}

export interface PointNetMacs {
  /** Crossbar MACs of one cloud through each stage (levels, then the global level). */
  stages: number[];
  /** Each exit's projection. */
  exits: number[];
  head: number;
  /** The static network (stages + head, no exit heads). */
  total: number;
  /** Fraction of the static network's MACs that lie before each exit. */
  beforeExit: number[];
}

/** Analytic MAC counts of one cloud, from the layout. */
export function pointNetMacs(layout: PointNetLayout): PointNetMacs {
  const sum = (layers: WeightLayer[]) => layers.reduce((s, l) => s + layerMacs(l), 0);
  const stages = layout.stageLayers.map(sum);
  const head = sum(layout.head);
  const total = stages.reduce((a, b) => a + b, 0) + head;
  const cumulative = (stage: number) => stages.slice(0, stage + 1).reduce((a, b) => a + b, 0);
  return {
    stages,
    exits: layout.exits.map((e) => layerMacs(e.projection)),
    head,
    total,
    beforeExit: layout.spec.exits.map((e) => cumulative(e.afterStage) / total),
  };
}
