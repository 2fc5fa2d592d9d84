import { Segment, WeightLayer, convLayer, denseLayer } from '../layers/weight-layer';

// Shared with the PointNet++; public under this module's name since the ResNet came first.
export { layerMacs } from '../layers/weight-layer';
export type { WeightLayer } from '../layers/weight-layer';

/**
 * The ternary ResNet for 28x28 digits, described as data: the artifact stores this spec, and
 * every layer list, parameter shape and MAC count is derived from it.
 */
export interface ResNetStageSpec {
  channels: number;
  blocks: number;
  /** Stride of the first block's first conv (2 halves the feature map). */
  stride: number;
}

export interface ExitSpec {
  /** Index of the stage after which this exit reads the features. */
  afterStage: number;
  /** Features are average-pooled to a grid x grid map before the projection. */
  poolGrid: number;
  /** Length of the semantic vector (the TCAM word width). */
  semanticDim: number;
}

export interface ResNetSpec {
  kind: 'resnet';
  inputHeight: number;
  inputWidth: number;
  inputChannels: number;
  stemChannels: number;
  stages: ResNetStageSpec[];
  exits: ExitSpec[];
  numClasses: number;
}

export const RESNET_MNIST_SPEC: ResNetSpec = {
  kind: 'resnet',
  inputHeight: 28,
  inputWidth: 28,
  inputChannels: 1,
  stemChannels: 16,
  stages: [
    { channels: 16, blocks: 2, stride: 1 },
    { channels: 32, blocks: 2, stride: 2 },
    { channels: 64, blocks: 2, stride: 2 },
  ],
  exits: [
    { afterStage: 0, poolGrid: 4, semanticDim: 128 },
    { afterStage: 1, poolGrid: 4, semanticDim: 128 },
  ],
  numClasses: 10,
};

export interface PoolWindow {
  kernel: number;
  stride: number;
}

/** Average-pool window that maps a size x size map onto a grid x grid one (windows may overlap). */
export function gridPoolWindow(size: number, grid: number): PoolWindow {
  if (grid > size) throw new Error(`cannot pool a ${size}x${size} map to a ${grid}x${grid} grid`);
  const stride = Math.floor(size / grid);
  return { kernel: size - stride * (grid - 1), stride };
}

export interface BlockLayers {
  conv1: WeightLayer;
  conv2: WeightLayer;
  shortcut?: WeightLayer;
}

export interface ResNetLayout {
  spec: ResNetSpec;
  stem: WeightLayer;
  stages: BlockLayers[][];
  /** Spatial size and channels of each stage's output. */
  stageOutputs: { size: number; channels: number }[];
  exits: { projection: WeightLayer; auxClassifier: string; pool: PoolWindow; inputSize: number }[];
  head: WeightLayer;
  weightLayers: WeightLayer[];
}

export function resnetLayout(spec: ResNetSpec): ResNetLayout {
  if (spec.inputHeight !== spec.inputWidth) throw new Error('resnet: square inputs only');
  let size = spec.inputHeight;
  let channels = spec.stemChannels;
  const stem = convLayer('stem.conv', { kind: 'stem' }, spec.inputChannels, channels, 3, 1, size);
  const stages: BlockLayers[][] = [];
  const stageOutputs: { size: number; channels: number }[] = [];
  spec.stages.forEach((stage, s) => {
    const segment: Segment = { kind: 'stage', index: s };
    const blocks: BlockLayers[] = [];
    for (let b = 0; b < stage.blocks; b++) {
      const stride = b === 0 ? stage.stride : 1;
      const prefix = `s${s + 1}.b${b}`;
      const conv1 = convLayer(`${prefix}.conv1`, segment, channels, stage.channels, 3, stride, size);
      const conv2 = convLayer(
        `${prefix}.conv2`,
        segment,
        stage.channels,
        stage.channels,
        3,
        1,
        conv1.outHeight,
      );
      const needsProjection = stride !== 1 || channels !== stage.channels;
      const shortcut = needsProjection
        ? convLayer(`${prefix}.shortcut`, segment, channels, stage.channels, 1, stride, size)
        : undefined;
      blocks.push({ conv1, conv2, shortcut });
      size = conv1.outHeight;
      channels = stage.channels;
    }
    stages.push(blocks);
    stageOutputs.push({ size, channels });
  });
  const exits = spec.exits.map((exit, e) => {
    const source = stageOutputs[exit.afterStage];
    if (!source)
      throw new Error(`resnet: exit ${e + 1} reads stage ${exit.afterStage}, which does not exist`);
    const pool = gridPoolWindow(source.size, exit.poolGrid);
    const features = exit.poolGrid * exit.poolGrid * source.channels;
    return {
      projection: denseLayer(
        `exit${e + 1}.proj`,
        { kind: 'exit', index: e },
        features,
        exit.semanticDim,
        true,
      ),
      auxClassifier: `exit${e + 1}.aux`,
      pool,
      inputSize: source.size,
    };
  });
  const head = denseLayer('head.fc', { kind: 'head' }, channels, spec.numClasses, false);
  const weightLayers = [
    stem,
    ...stages.flat().flatMap((b) => [b.conv1, b.conv2, ...(b.shortcut ? [b.shortcut] : [])]),
    ...exits.map((e) => e.projection),
    head,
  ];
  return { spec, stem, stages, stageOutputs, exits, head, weightLayers };
}
