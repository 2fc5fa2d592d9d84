import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initTensorEngine } from '../engine';
import { WASM_ADDITIONS } from './register';

// Every kernel we register for wasm is checked against TensorFlow.js's own cpu implementation.

function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

async function onBackend(backend: string, fn: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-3): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  }
  expect(worst).toBeLessThan(tolerance);
}

interface ConvCase {
  name: string;
  input: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

const convCases: ConvCase[] = [
  { name: '3x3 stride 1 same', input: [3, 8, 8, 4], filter: [3, 3, 4, 5], stride: 1, pad: 'same' },
  {
    name: '3x3 stride 2 same, even size',
    input: [2, 8, 8, 3],
    filter: [3, 3, 3, 4],
    stride: 2,
    pad: 'same',
  },
  {
    name: '3x3 stride 2 same, odd size',
    input: [2, 7, 7, 3],
    filter: [3, 3, 3, 4],
    stride: 2,
    pad: 'same',
  },
  {
    name: '1x1 stride 2 valid',
    input: [2, 7, 9, 3],
    filter: [1, 1, 3, 6],
    stride: 2,
    pad: 'valid',
  },
  {
    name: '3x3 stride 2 valid',
    input: [2, 9, 8, 2],
    filter: [3, 3, 2, 3],
    stride: 2,
    pad: 'valid',
  },
  {
    name: '1x3 stride 1 valid',
    input: [2, 5, 6, 2],
    filter: [1, 3, 2, 3],
    stride: 1,
    pad: 'valid',
  },
];

describe('wasm kernels match the cpu backend', () => {
  beforeAll(async () => {
    const info = await initTensorEngine({ backend: 'wasm', log: () => undefined });
    expect(info.registeredKernels).toEqual([...WASM_ADDITIONS]);
  });

  it('registers the missing kernel on wasm', () => {
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it('keeps variables alive through the input gradient (wasm has no reference counts)', async () => {
    const run = (): tf.Tensor => {
      const x = tf.variable(randomTensor([2, 6, 6, 3], 11));
      const w = tf.variable(randomTensor([3, 3, 3, 4], 12));
      const { grads } = tf.variableGrads(
        () =>
          tf.sum(
            tf.relu(
              tf.conv2d(x as tf.Tensor as tf.Tensor4D, w as tf.Tensor as tf.Tensor4D, 2, 'same'),
            ),
          ),
        [x, w],
      );
      const out = tf.add(tf.sum(grads[x.name]), tf.sum(grads[w.name]));
      const afterwards = tf.sum(w); // reading w again must still work
      x.dispose();
      w.dispose();
      return tf.add(out, tf.mul(afterwards, 0));
    };
    expectClose(await onBackend('wasm', run), await onBackend('cpu', run));
  });

  describe.each(convCases)('conv2d gradients: $name', (c) => {
    const filterGrad = (): tf.Tensor => {
      const x = randomTensor(c.input, 1) as tf.Tensor4D;
      const w = randomTensor(c.filter, 2) as tf.Tensor4D;
      const dyShapeProbe = tf.conv2d(x, w, c.stride, c.pad);
      const dy = randomTensor(dyShapeProbe.shape, 3);
      return tf.grad((filter: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, c.stride, c.pad), dy)),
      )(w);
    };
    const inputGrad = (): tf.Tensor => {
      const x = randomTensor(c.input, 4) as tf.Tensor4D;
      const w = randomTensor(c.filter, 5) as tf.Tensor4D;
      const dy = randomTensor(tf.conv2d(x, w, c.stride, c.pad).shape, 6);
      return tf.grad((input: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, w, c.stride, c.pad), dy)),
      )(x);
    };

    it('Conv2DBackpropFilter', async () => {
      expectClose(await onBackend('wasm', filterGrad), await onBackend('cpu', filterGrad));
    });

    it('Conv2DBackpropInput', async () => {
      expectClose(await onBackend('wasm', inputGrad), await onBackend('cpu', inputGrad));
    });
  });

  it('UnsortedSegmentSum (through the gradient of gather)', async () => {
    const run = (): tf.Tensor => {
      const table = randomTensor([6, 3], 7);
      const indices = tf.tensor1d([0, 5, 5, 2, 0, 0, 3], 'int32');
      const weights = randomTensor([7, 3], 8);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, indices), weights)))(table);
    };
    expectClose(await onBackend('wasm', run), await onBackend('cpu', run), 1e-5);
  });

  it('UnsortedSegmentSum drops out-of-range ids', async () => {
    const run = (): tf.Tensor =>
      tf.unsortedSegmentSum(
        tf.tensor2d([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
        tf.tensor1d([1, -1, 1], 'int32'),
        2,
      );
    expect(Array.from(await onBackend('wasm', run))).toEqual([0, 0, 6, 8]);
  });
});
