import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilter } from './conv2d-backprop-filter';
import { conv2dBackpropInput } from './conv2d-backprop-input';
import { segmentSumInto } from './unsorted-segment-sum';
import type { ConvPad } from './padding';

/**
 * What we add to the wasm backend of TensorFlow.js 4.22:
 * - the gradient of Conv2D: wasm has no Conv2DBackpropFilter kernel and a slow
 *   Conv2DBackpropInput, so on wasm both gradients are computed as forward convolutions
 *   (other backends keep TensorFlow.js's own gradient);
 * - an UnsortedSegmentSum kernel, which the gradient of gather needs.
 * Gradients are composed of ops; the kernel works on backend memory directly, because a kernel
 * that wraps its inputs in tensors would release them (wasm keeps no reference counts for them).
 */
export const WASM_ADDITIONS = ['Conv2D gradient', 'UnsortedSegmentSum kernel'] as const;

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
}

let registered = false;

function registerConv2DGradient(): void {
  const original = tf.getGradient('Conv2D');
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== 'wasm') return original.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as Conv2DAttrs;
      const dilation = typeof a.dilations === 'number' ? [a.dilations, a.dilations] : a.dilations;
      if (dilation[0] !== 1 || dilation[1] !== 1) {
        throw new Error('Conv2D gradient: dilations > 1 are not supported in gradients');
      }
      const dy4 = dy as tf.Tensor4D;
      return {
        x: () =>
          conv2dBackpropInput(dy4, filter, {
            strides: a.strides,
            pad: a.pad,
            dataFormat: a.dataFormat,
            inputShape: x.shape,
          }),
        filter: () =>
          conv2dBackpropFilter(x, dy4, {
            strides: a.strides,
            pad: a.pad,
            dataFormat: a.dataFormat,
            filterShape: filter.shape,
          }),
      };
    },
  });
}

interface WasmBackendMemory {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

function registerUnsortedSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) tf.unregisterKernel('UnsortedSegmentSum', 'wasm');
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const wasm = backend as unknown as WasmBackendMemory;
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
      const out = wasm.makeOutput(
        [numSegments, ...x.shape.slice(segmentIds.shape.length)],
        x.dtype,
      );
      segmentSumInto(
        wasm.readSync(x.dataId),
        wasm.readSync(segmentIds.dataId),
        wasm.typedArrayFromHeap(out),
      );
      return out;
    },
  });
}

/** Registers the additions once per process (idempotent). */
export function registerWasmKernels(): string[] {
  if (!registered) {
    registerConv2DGradient();
    registerUnsortedSegmentSum();
    registered = true;
  }
  return [...WASM_ADDITIONS];
}
