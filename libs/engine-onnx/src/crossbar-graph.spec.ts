import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import {
  CounterRng,
  DEFAULT_DEVICE_PROFILE,
  DeviceProfile,
  ProgrammedArray,
  adcMaxCode,
  crossbarMatMul,
  crossbarSettingsFromProfile,
  realizeEffectiveWeights,
  withOverrides,
} from '@engram/hardware';
import { WeightLayer, layerRows } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';
import { ReadNoiseStream } from '@engram/evaluation';
import { HardwareExecutor } from '@engram/evaluation/testing';
import {
  GraphParams,
  TileStrategy,
  crossbarLayerProgram,
  emitCrossbarLayer,
  kernelRects,
  layerOutputDims,
  noiseInputNames,
  samePadding,
} from './crossbar-graph';
import { GraphBuilder } from './graph-builder';
import { createSession } from './sessions';

// The onnxruntime crossbar must compute what the hardware library's reference crossbar does, and
// what the TensorFlow.js HardwareExecutor computes with the same read-noise draws.

/** The sample indices of a pass's first batch. */
const firstSamples = (batch: number) => Int32Array.from({ length: batch }, (_, i) => i);

jest.setTimeout(60_000);

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
});

function conv(
  name: string,
  c: number,
  out: number,
  size: number,
  stride: number,
  kernel = 3,
): WeightLayer {
  const outSize = Math.ceil(size / stride);
  return {
    name,
    kind: 'conv',
    kernel,
    stride,
    inChannels: c,
    outChannels: out,
    inHeight: size,
    inWidth: size,
    outHeight: outSize,
    outWidth: outSize,
    segment: { kind: 'stem' },
  };
}

function dense(name: string, inputs: number, out: number): WeightLayer {
  return {
    name,
    kind: 'dense',
    kernel: 1,
    stride: 1,
    inChannels: inputs,
    outChannels: out,
    inHeight: 1,
    inWidth: 1,
    outHeight: 1,
    outWidth: 1,
    segment: { kind: 'head' },
  };
}

function normals(n: number, seed: number, std = 1): Float32Array {
  const out = new Float32Array(n);
  new CounterRng(seed, 'test').fillNormal(out, 0, std);
  return out;
}

/** Non-negative test inputs (post-ReLU activations), or signed ones. */
function inputs(n: number, seed: number, signed: boolean): Float32Array {
  return normals(n, seed).map((v) => (signed ? v : Math.abs(v)));
}

/** One row per output position, columns in (kh, kw, c) order: the crossbar's input vectors. */
function im2col(x: Float32Array, layer: WeightLayer, batch: number): Float32Array {
  const { kernel: k, inChannels: c, inHeight: h, inWidth: w, stride } = layer;
  const [top, left] = samePadding(layer);
  const rows = layerRows(layer);
  const out = new Float32Array(batch * layer.outHeight * layer.outWidth * rows);
  let r = 0;
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < layer.outHeight; oy++)
      for (let ox = 0; ox < layer.outWidth; ox++, r++)
        for (let ky = 0; ky < k; ky++)
          for (let kx = 0; kx < k; kx++) {
            const iy = oy * stride + ky - top;
            const ix = ox * stride + kx - left;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let ci = 0; ci < c; ci++) {
              out[r * rows + (ky * k + kx) * c + ci] = x[((b * h + iy) * w + ix) * c + ci];
            }
          }
  return out;
}

/** NHWC <-> NCHW of a batch of feature maps. */
function toNchw(x: Float32Array, batch: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let ci = 0; ci < c; ci++)
          out[((b * c + ci) * h + y) * w + xx] = x[((b * h + y) * w + xx) * c + ci];
  return out;
}

function toNhwc(x: Float32Array, batch: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let ci = 0; ci < c; ci++)
          out[((b * h + y) * w + xx) * c + ci] = x[((b * c + ci) * h + y) * w + xx];
  return out;
}

interface Case {
  layer: WeightLayer;
  profile: DeviceProfile;
  array: ProgrammedArray;
  ranges: { inputRange: number; inputSigned: boolean; adcRange: number };
  x: Float32Array; // NHWC or [batch][features]
  batch: number;
}

function makeCase(
  layer: WeightLayer,
  profile: DeviceProfile,
  batch: number,
  signed: boolean,
  adcRange: number,
): Case {
  const rows = layerRows(layer);
  const array = realizeEffectiveWeights(
    normals(rows * layer.outChannels, 11, 0.3),
    rows,
    layer.outChannels,
    profile,
    new CounterRng(1).derive(layer.name),
    { scaleMode: 'per-column' },
  );
  const size = layer.kind === 'conv' ? layer.inHeight * layer.inWidth * layer.inChannels : rows;
  return {
    layer,
    profile,
    array,
    ranges: { inputRange: 2, inputSigned: signed, adcRange },
    x: inputs(batch * size, 3, signed),
    batch,
  };
}

/** The reference: crossbarMatMul on im2col rows; output NHWC / [batch][out]. */
function reference(c: Case, rng: CounterRng | null): Float32Array {
  const settings = crossbarSettingsFromProfile(c.profile, {
    ...c.ranges,
    readNoise: rng !== null,
  });
  const { layer } = c;
  const rowsIn = layer.kind === 'conv' ? im2col(c.x, layer, c.batch) : c.x;
  const positions = c.batch * layer.outHeight * layer.outWidth;
  return crossbarMatMul(rowsIn, positions, c.array, settings, rng);
}

/** The onnxruntime layer; output in NHWC / [batch][out]. */
async function onnx(
  c: Case,
  strategy: TileStrategy,
  mode: 'initializers' | 'inputs',
  noise: ReadNoiseStream | null,
  pointwiseSlices = false,
): Promise<Float32Array> {
  const { layer, batch } = c;
  const ones = new Float32Array(layer.outChannels).fill(1);
  const program = crossbarLayerProgram(
    layer,
    c.array,
    c.ranges,
    c.profile,
    noise !== null,
    ones,
    new Float32Array(layer.outChannels),
  );
  const g = new GraphBuilder('layer');
  const params = new GraphParams(g, mode);
  const inDims =
    layer.kind === 'conv' ? [layer.inChannels, layer.inHeight, layer.inWidth] : [layer.inChannels];
  const x = g.input('x', ['N', ...inDims]);
  const names = noise
    ? noiseInputNames(layer, program.tiles.length).map((n) =>
        g.input(n, ['N', ...layerOutputDims(layer)]),
      )
    : null;
  const uniformAdc = c.profile.adc.rangePolicy === 'calibrated';
  g.output(
    emitCrossbarLayer(g, params, program, x, strategy, uniformAdc, names, pointwiseSlices),
    'y',
  );
  const session = await createSession(g.build(), 1);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, { values, dims }] of params.feeds) {
    feeds[name] = new ort.Tensor('float32', values, dims);
  }
  const xData =
    layer.kind === 'conv'
      ? toNchw(c.x, batch, layer.inHeight, layer.inWidth, layer.inChannels)
      : c.x;
  feeds.x = new ort.Tensor('float32', xData, [batch, ...inDims]);
  const perSample = layerOutputDims(layer).reduce((a, b) => a * b, 1);
  names?.forEach((name, t) => {
    const z = (noise as ReadNoiseStream).samples(layer.name, 0, t, perSample, firstSamples(batch));
    feeds[name] = new ort.Tensor('float32', z, [batch, ...layerOutputDims(layer)]);
  });
  const y = (await session.run(feeds)).y.data as Float32Array;
  await session.release();
  return layer.kind === 'conv'
    ? toNhwc(y, batch, layer.outHeight, layer.outWidth, layer.outChannels)
    : y;
}

/** The TensorFlow.js HardwareExecutor; output NHWC / [batch][out]. */
function tfjs(c: Case, readNoiseRng: CounterRng | null): Float32Array {
  const { layer, batch } = c;
  const executor = new HardwareExecutor(
    { weightLayers: [layer] },
    new Map([[layer.name, c.array]]),
    new Map([[layer.name, c.ranges]]),
    c.profile,
    readNoiseRng,
  );
  const shape =
    layer.kind === 'conv'
      ? [batch, layer.inHeight, layer.inWidth, layer.inChannels]
      : [batch, layer.inChannels];
  executor.noiseKeys = { samples: firstSamples(batch), nextCall: () => 0 };
  const x = tf.tensor(c.x, shape);
  const y = executor.run(layer, x);
  const values = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  executor.dispose();
  return values;
}

/** Largest |a - b| in ADC steps and the fraction of outputs that agree to 1e-4 of a step. */
function agreement(
  a: Float32Array,
  b: Float32Array,
  step: number,
): { worst: number; exact: number } {
  expect(a.length).toBe(b.length);
  let worst = 0;
  let exact = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / step;
    worst = Math.max(worst, d);
    if (d < 1e-3) exact++;
  }
  return { worst, exact: exact / a.length };
}

const base = withOverrides(DEFAULT_DEVICE_PROFILE, {
  programmingNoise: { model: 'uniform', relativeStd: 0.05 },
  readNoise: { model: 'uniform', relativeStd: 0 },
  adc: { bits: 6 },
});

function profileWith(tileRows: number, extra: Parameters<typeof withOverrides>[1] = {}) {
  return withOverrides(base, { tile: { rows: tileRows, cols: 32 }, ...extra });
}

describe('kernelRects', () => {
  it.each([
    [0, 144, 3, 16],
    [0, 128, 3, 16],
    [128, 144, 3, 16],
    [128, 256, 3, 32],
    [20, 36, 3, 4],
    [5, 31, 3, 4],
    [0, 9, 3, 1],
    [256, 384, 3, 64],
  ])('covers rows [%i, %i) of a %ix%i kernel exactly once', (start, end, k, c) => {
    const covered = new Array(k * k * c).fill(0);
    for (const r of kernelRects(start, end, k, c)) {
      for (let dy = 0; dy < r.height; dy++)
        for (let dx = 0; dx < r.width; dx++)
          for (let ch = r.c0; ch < r.c1; ch++) covered[((r.ky + dy) * k + r.kx + dx) * c + ch]++;
    }
    covered.forEach((n, row) => expect(n).toBe(row >= start && row < end ? 1 : 0));
  });
});

describe('onnx crossbar layer vs the reference crossbar, no read noise', () => {
  const cases: [string, () => Case][] = [
    ['dense over three tiles', () => makeCase(dense('d', 80, 16), profileWith(32), 12, false, 4)],
    [
      '3x3 conv whose tile boundary splits a kernel position',
      () => makeCase(conv('c1', 4, 6, 6, 1), profileWith(20), 2, false, 3),
    ],
    [
      'stride-2 3x3 conv on an odd map, signed inputs',
      () => makeCase(conv('c2', 8, 5, 7, 2), profileWith(32), 2, true, 3),
    ],
    [
      "3x3 conv with the 'full-scale' ADC policy (per-tile ranges)",
      () =>
        makeCase(
          conv('c3', 4, 6, 5, 1),
          profileWith(16, { adc: { bits: 6, rangePolicy: 'full-scale' } }),
          2,
          false,
          3,
        ),
    ],
  ];
  const strategies: TileStrategy[] = ['bbox', 'grown-rect', 'rect', 'masked'];

  it.each(cases)('%s', async (_, make) => {
    const c = make();
    const ref = reference(c, null);
    const adcMax = adcMaxCode(c.profile.adc.bits);
    const wMax = c.array.effectiveWeights.reduce((m, w) => Math.max(m, Math.abs(w)), 0);
    // The (largest) ADC step of a tile.
    const step =
      c.profile.adc.rangePolicy === 'calibrated'
        ? c.ranges.adcRange / adcMax
        : (c.profile.tile.rows * c.ranges.inputRange * wMax) / adcMax;
    for (const strategy of strategies) {
      for (const mode of ['initializers', 'inputs'] as const) {
        const y = await onnx(c, strategy, mode, null);
        // float32 vs the reference's float64: a rounding tie may land one level apart per tile.
        const { worst, exact } = agreement(y, ref, step);
        expect(worst).toBeLessThanOrEqual(3);
        expect(exact).toBeGreaterThan(0.98);
      }
    }
    // The TensorFlow.js executor computes the same.
    expect(agreement(tfjs(c, null), ref, step).exact).toBeGreaterThan(0.98);
  });

  it('1x1 conv over three tiles with channel slices (pointwiseSlices, PointNet++)', async () => {
    const c = makeCase(conv('p1', 40, 8, 4, 1, 1), profileWith(16), 3, true, 3);
    const ref = reference(c, null);
    const step = c.ranges.adcRange / adcMaxCode(c.profile.adc.bits);
    for (const strategy of strategies) {
      for (const mode of ['initializers', 'inputs'] as const) {
        const y = await onnx(c, strategy, mode, null, true);
        const { worst, exact } = agreement(y, ref, step);
        expect(worst).toBeLessThanOrEqual(3);
        expect(exact).toBeGreaterThan(0.98);
      }
    }
  });
});

describe('with read noise', () => {
  // Fine ADC steps so that the read noise, not the quantization, dominates the deviations.
  const noisy = profileWith(32, {
    readNoise: { model: 'uniform', relativeStd: 0.2 },
    adc: { bits: 12 },
  });
  const cellNoise = profileWith(32, {
    readNoise: { model: 'state-dependent', lrsRelativeStd: 0.25, hrsRelativeStd: 0.1 },
    adc: { bits: 12 },
  });

  function deviations(noisyOut: Float32Array, clean: Float32Array): number[] {
    return Array.from(noisyOut, (v, i) => v - clean[i]);
  }

  function meanAndVariance(values: number[]): { mean: number; variance: number } {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    return { mean, variance };
  }

  it.each([
    ['uniform (per-column) read noise', noisy],
    ['state-dependent (per-cell) read noise', cellNoise],
  ])('matches the reference in distribution (%s)', async (_, profile) => {
    const c = makeCase(dense('n', 80, 16), profile, 400, false, 6);
    const clean = reference({ ...c }, null);
    const ref = meanAndVariance(deviations(reference(c, new CounterRng(9, 'ref')), clean));
    const stream = new ReadNoiseStream(new CounterRng(9, 'read-noise'));
    const onnxNoisy = await onnx(c, 'grown-rect', 'initializers', stream);
    const got = meanAndVariance(deviations(onnxNoisy, clean));
    expect(got.variance / ref.variance).toBeGreaterThan(0.85);
    expect(got.variance / ref.variance).toBeLessThan(1.15);
    expect(Math.abs(got.mean)).toBeLessThan(0.1 * Math.sqrt(ref.variance));
    // The TensorFlow.js executor reads the same draws: the same noisy outputs.
    const step = c.ranges.adcRange / adcMaxCode(profile.adc.bits);
    const tfjsNoisy = tfjs(c, new CounterRng(9, 'read-noise'));
    expect(agreement(tfjsNoisy, onnxNoisy, step).exact).toBeGreaterThan(0.98);
  });

  it('gives the same noisy conv outputs as the TensorFlow.js executor', async () => {
    const c = makeCase(
      conv('nc', 8, 6, 6, 1),
      profileWith(20, {
        readNoise: { model: 'uniform', relativeStd: 0.1 },
      }),
      3,
      false,
      3,
    );
    const step = 3 / adcMaxCode(c.profile.adc.bits);
    for (const strategy of ['grown-rect', 'masked'] as TileStrategy[]) {
      const stream = new ReadNoiseStream(new CounterRng(4, 'read-noise'));
      const y = await onnx(c, strategy, 'inputs', stream);
      const { worst, exact } = agreement(y, tfjs(c, new CounterRng(4, 'read-noise')), step);
      expect(worst).toBeLessThanOrEqual(3);
      expect(exact).toBeGreaterThan(0.98);
    }
  });
});
