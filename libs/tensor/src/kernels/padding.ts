export type ConvPad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

export interface SpatialPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** The padding TensorFlow applies for a 2-D convolution (NHWC), as explicit amounts per side. */
export function resolveConvPadding(
  pad: ConvPad,
  inHeight: number,
  inWidth: number,
  filterHeight: number,
  filterWidth: number,
  strideH: number,
  strideW: number,
): SpatialPadding {
  if (pad === 'valid') return { top: 0, bottom: 0, left: 0, right: 0 };
  if (typeof pad === 'number') return { top: pad, bottom: pad, left: pad, right: pad };
  if (Array.isArray(pad)) {
    return { top: pad[1][0], bottom: pad[1][1], left: pad[2][0], right: pad[2][1] };
  }
  const outH = Math.ceil(inHeight / strideH);
  const outW = Math.ceil(inWidth / strideW);
  const padH = Math.max((outH - 1) * strideH + filterHeight - inHeight, 0);
  const padW = Math.max((outW - 1) * strideW + filterWidth - inWidth, 0);
  const top = Math.floor(padH / 2);
  const left = Math.floor(padW / 2);
  return { top, bottom: padH - top, left, right: padW - left };
}

export function strideOf(strides: number | [number, number]): [number, number] {
  return typeof strides === 'number' ? [strides, strides] : strides;
}
