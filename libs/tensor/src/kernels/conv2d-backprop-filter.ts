import * as tf from '@tensorflow/tfjs';
import { ConvPad, resolveConvPadding, strideOf } from './padding';

export interface Conv2DBackpropFilterAttrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
}

/**
 * dW[kh, kw, ci, co] = sum_{n, oh, ow} xPadded[n, oh*s + kh, ow*s + kw, ci] * dy[n, oh, ow, co].
 * Swapping batch and channel axes turns that sum into one forward conv2d: the input is x with
 * (ci) as batch and (n) as channels, the "filter" is dy with (n) as input channels, and the
 * original stride becomes a dilation. The wasm backend has a fast forward conv and no kernel
 * for this gradient at all.
 */
export function conv2dBackpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: Conv2DBackpropFilterAttrs,
): tf.Tensor4D {
  if (attrs.dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter: only NHWC is supported');
  const [filterH, filterW] = attrs.filterShape;
  const [strideH, strideW] = strideOf(attrs.strides);
  const [, inH, inW] = x.shape;
  const [, outH, outW] = dy.shape;
  const pad = resolveConvPadding(attrs.pad, inH, inW, filterH, filterW, strideH, strideW);
  return tf.tidy(() => {
    // Rows of x the forward conv actually read: (outH - 1) * stride + filterH after padding.
    const neededH = (outH - 1) * strideH + filterH;
    const neededW = (outW - 1) * strideW + filterW;
    let padded: tf.Tensor4D = tf.pad(x, [
      [0, 0],
      [pad.top, Math.max(0, neededH - inH - pad.top)],
      [pad.left, Math.max(0, neededW - inW - pad.left)],
      [0, 0],
    ]);
    if (padded.shape[1] > neededH || padded.shape[2] > neededW) {
      padded = tf.slice(padded, [0, 0, 0, 0], [-1, neededH, neededW, -1]);
    }
    const input = tf.transpose(padded, [3, 1, 2, 0]); // [ci, H, W, n]
    const filter = tf.transpose(dy, [1, 2, 0, 3]); // [outH, outW, n, co]
    const dilated = tf.conv2d(input, filter, 1, 'valid', 'NHWC', [strideH, strideW]); // [ci, kh, kw, co]
    return tf.transpose(dilated, [1, 2, 0, 3]);
  });
}
