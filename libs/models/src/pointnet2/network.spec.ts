import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '@engram/datasets';
import { initTensorEngine } from '@engram/tensor';
import { FloatExecutor } from '../layers/executor';
import { forwardWithExits, stateTensors } from '../dynamic-network';
import { ForwardContext, weightName } from '../resnet/network';
import { PointNetSpec } from './architecture';
import { PointNetNetwork } from './network';
import { PointwiseQuantizedExecutor } from './executors';
import {
  batchNormTraining,
  columnMeans,
  matMulTransposedGrad,
  maxOverNeighbours,
  meanOverNeighbours,
} from './ops';

const SPEC: PointNetSpec = {
  kind: 'pointnet2',
  numPoints: 48,
  firstLevelAbsoluteXyz: true,
  levels: [
    { npoint: 12, radius: 0.5, nsample: 6, mlp: [8, 12] },
    { npoint: 6, radius: 0.9, nsample: 4, mlp: [12, 16] },
  ],
  globalMlp: [24],
  head: [16],
  exits: [
    { afterStage: 0, semanticDim: 8, pooling: 'max+mean' },
    { afterStage: 1, semanticDim: 8, pooling: 'max' },
  ],
  numClasses: 5,
};

function clouds(batch: number, n: number, seed: number): tf.Tensor3D {
  const random = new SeededRandom(seed);
  const values = Float32Array.from({ length: batch * n * 3 }, () => 2 * random.nextFloat() - 1);
  return tf.tensor3d(values, [batch, n, 3]);
}

function expectClose(a: tf.Tensor, b: tf.Tensor, tolerance = 1e-4): void {
  expect(a.shape).toEqual(b.shape);
  const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  const scale = Math.max(1, tf.max(tf.abs(b)).dataSync()[0]);
  expect(diff / scale).toBeLessThanOrEqual(tolerance);
}

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
});

describe('wasm-friendly ops', () => {
  const x = tf.randomNormal([97, 6], 0.5, 2, 'float32', 1) as tf.Tensor2D; // 97 rows: prime
  const gamma = tf.tensor1d([1, 2, 0.5, -1, 1.5, 0.7]);
  const beta = tf.tensor1d([0, 0.1, -0.2, 0.3, 0, 1]);
  const upstream = tf.randomNormal([97, 6], 0, 1, 'float32', 2);

  function referenceBn(input: tf.Tensor, g: tf.Tensor, b: tf.Tensor, relu: boolean): tf.Tensor {
    const mean = tf.mean(input, 0);
    const centred = tf.sub(input, mean);
    const variance = tf.mean(tf.square(centred), 0);
    const y = tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), g), b);
    return relu ? tf.relu(y) : y;
  }

  it('column means equal tf.mean over the rows', () => {
    expectClose(columnMeans(x), tf.mean(x, 0, true), 1e-6);
  });

  it.each([false, true])('batch norm (relu %s): values, statistics and gradients', (relu) => {
    const out = batchNormTraining(x, gamma, beta, 1e-5, relu);
    expectClose(out.y, referenceBn(x, gamma, beta, relu));
    expectClose(out.mean, tf.mean(x, 0));
    expectClose(out.variance, tf.moments(x, 0).variance);
    const loss = (f: (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
      tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), upstream)));
    const ours = loss((a, g, b) => batchNormTraining(a, g, b, 1e-5, relu).y)([x, gamma, beta]);
    const reference = loss((a, g, b) => referenceBn(a, g, b, relu))([x, gamma, beta]);
    ours.forEach((grad, i) => expectClose(grad, reference[i], 1e-4));
  });

  it('max and mean over neighbours, with the gradient of tf.max', () => {
    const grouped = tf.randomNormal([3, 5, 7, 4], 0, 1, 'float32', 3);
    expectClose(maxOverNeighbours(grouped), tf.max(grouped, 2), 0);
    expectClose(meanOverNeighbours(grouped), tf.mean(grouped, 2), 1e-6);
    const w = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 4);
    const ours = tf.grad((g: tf.Tensor) => tf.sum(tf.mul(maxOverNeighbours(g), w)))(grouped);
    const reference = tf.grad((g: tf.Tensor) => tf.sum(tf.mul(tf.max(g, 2), w)))(grouped);
    expectClose(ours, reference, 0);
  });

  it('matMul with explicitly transposed gradients', () => {
    const a = tf.randomNormal([9, 4], 0, 1, 'float32', 5) as tf.Tensor2D;
    const b = tf.randomNormal([4, 3], 0, 1, 'float32', 6) as tf.Tensor2D;
    const dy = tf.randomNormal([9, 3], 0, 1, 'float32', 7);
    const f = (mm: (p: tf.Tensor2D, q: tf.Tensor2D) => tf.Tensor) =>
      tf.grads((p: tf.Tensor, q: tf.Tensor) =>
        tf.sum(tf.mul(mm(p as tf.Tensor2D, q as tf.Tensor2D), dy)),
      )([a, b]);
    const ours = f(matMulTransposedGrad);
    const reference = f((p, q) => tf.matMul(p, q));
    ours.forEach((g, i) => expectClose(g, reference[i], 1e-5));
  });
});

describe('PointNetNetwork', () => {
  let network: PointNetNetwork;
  beforeAll(() => {
    network = PointNetNetwork.create(SPEC, 7);
  });

  function runningContext(): ForwardContext {
    return {
      executor: new PointwiseQuantizedExecutor((l) => network.weight(l), 'float'),
      batchNorm: 'running',
    };
  }

  it('is seeded: the same seed gives the same parameters', () => {
    const again = PointNetNetwork.create(SPEC, 7);
    const layer = network.layout.levels[1].layers[0];
    expect(Array.from(again.weight(layer).dataSync())).toEqual(
      Array.from(network.weight(layer).dataSync()),
    );
    expect(again.params.get(weightName(layer)).shape).toEqual([1, 1, 3 + 12, 12]);
    again.dispose();
  });

  it('computes the shared MLPs as matrix products with the values of tf.conv2d', () => {
    const x = clouds(4, 48, 1);
    const viaMatMul = network.forwardAll(x, runningContext());
    const viaConv = network.forwardAll(x, {
      executor: new FloatExecutor((l) => network.weight(l)),
      batchNorm: 'running',
    });
    expectClose(viaMatMul.logits, viaConv.logits, 1e-5);
    viaMatMul.semantics.forEach((s, e) => expectClose(s, viaConv.semantics[e], 1e-5));
  });

  it('runs stage by stage what forwardAll runs, and select commutes with the stages', () => {
    const x = clouds(5, 48, 2);
    const ctx = runningContext();
    const all = network.forwardAll(x, ctx);
    const staged = forwardWithExits(network, x, ctx);
    expectClose(staged.logits, all.logits, 0);
    staged.semantics.forEach((s, e) => expectClose(s, all.semantics[e], 0));
    expect(all.semantics.map((s) => s.shape)).toEqual([
      [5, 8],
      [5, 8],
    ]);

    // Samples 3 and 1 leave the batch after stage 0: the rest of their computation is theirs alone.
    const after0 = network.stage(0, network.begin(x, ctx), ctx);
    const kept = network.select(after0, tf.tensor1d([3, 1], 'int32'));
    expect(stateTensors(kept).map((t) => t.shape)).toEqual([
      [2, 12, 3],
      [2, 12, 12],
    ]);
    const rest = network.classify(network.stage(2, network.stage(1, kept, ctx), ctx), ctx);
    expectClose(rest, tf.gather(all.logits, [3, 1]), 1e-6);
  });

  it('rejects clouds of the wrong shape', () => {
    expect(() => network.begin(clouds(2, 40, 3), runningContext())).toThrow(
      /expected clouds \[batch, 48, 3\], got \[2, 40, 3\]/,
    );
  });
});
