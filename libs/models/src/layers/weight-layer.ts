/** A weight layer that runs on a CIM crossbar: conv (k x k x in -> out) or dense (in -> out). */
export interface WeightLayer {
  name: string;
  kind: 'conv' | 'dense';
  kernel: number;
  stride: number;
  inChannels: number;
  outChannels: number;
  /** Spatial size of the input feature map (1 for dense layers). */
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  /** Which part of the network the layer belongs to (stem, stage i, exit i, head). */
  segment: Segment;
  /** Name of the batch norm that follows the layer, if any. */
  batchNorm?: string;
}

export type Segment =
  | { kind: 'stem' }
  | { kind: 'stage'; index: number }
  | { kind: 'exit'; index: number }
  | { kind: 'head' };

/** Crossbar rows a layer occupies: the unrolled receptive field (k x k x in). */
export function layerRows(layer: WeightLayer): number {
  return layer.kernel * layer.kernel * layer.inChannels;
}

/** Multiply-accumulates of one sample through one layer. */
export function layerMacs(layer: WeightLayer): number {
  return layer.outHeight * layer.outWidth * layerRows(layer) * layer.outChannels;
}

/**
 * A conv layer ('same' padding, so the output map is ceil(input / stride)) followed by a batch
 * norm named `<name>.bn`. A shared MLP layer over grouped points is the kernel-1 case.
 */
export function convLayer(
  name: string,
  segment: Segment,
  inChannels: number,
  outChannels: number,
  kernel: number,
  stride: number,
  inHeight: number,
  inWidth = inHeight,
): WeightLayer {
  return {
    name,
    kind: 'conv',
    kernel,
    stride,
    inChannels,
    outChannels,
    inHeight,
    inWidth,
    outHeight: Math.ceil(inHeight / stride),
    outWidth: Math.ceil(inWidth / stride),
    segment,
    batchNorm: `${name}.bn`,
  };
}

/** A dense layer, followed by a batch norm named `<name>.bn` when `batchNorm` is set. */
export function denseLayer(
  name: string,
  segment: Segment,
  inChannels: number,
  outChannels: number,
  batchNorm: boolean,
): WeightLayer {
  return {
    name,
    kind: 'dense',
    kernel: 1,
    stride: 1,
    inChannels,
    outChannels,
    inHeight: 1,
    inWidth: 1,
    outHeight: 1,
    outWidth: 1,
    segment,
    batchNorm: batchNorm ? `${name}.bn` : undefined,
  };
}
