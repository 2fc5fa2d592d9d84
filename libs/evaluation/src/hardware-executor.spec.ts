import * as tf from '@tensorflow/tfjs';
import {
  CounterRng,
  DEFAULT_DEVICE_PROFILE,
  crossbarMatMul,
  crossbarSettingsFromProfile,
  realizeEffectiveWeights,
  withOverrides,
} from '@engram/hardware';
import { ResNetNetwork, WeightLayer, layerRows } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';
import { HardwareExecutor } from './hardware-executor';
import { TINY_RESNET_SPEC } from './models/resnet-mnist/testing';

// The tensor-engine crossbar must compute what the hardware library's reference crossbar does.

const profile = withOverrides(DEFAULT_DEVICE_PROFILE, {
  programmingNoise: { model: 'uniform', relativeStd: 0.05 },
  readNoise: { model: 'uniform', relativeStd: 0 },
  tile: { rows: 32, cols: 32 },
  adc: { bits: 6 },
});

function im2col(
  x: Float32Array,
  h: number,
  w: number,
  c: number,
  k: number,
  pad: number,
): Float32Array {
  // One row per output position (stride 1, 'same'), columns in (kh, kw, c) order.
  const out = new Float32Array(h * w * k * k * c);
  for (let oy = 0; oy < h; oy++)
    for (let ox = 0; ox < w; ox++)
      for (let ky = 0; ky < k; ky++)
        for (let kx = 0; kx < k; kx++) {
          const iy = oy + ky - pad;
          const ix = ox + kx - pad;
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
          for (let ci = 0; ci < c; ci++) {
            out[(oy * w + ox) * k * k * c + (ky * k + kx) * c + ci] = x[(iy * w + ix) * c + ci];
          }
        }
  return out;
}

describe('HardwareExecutor agrees with the reference crossbar', () => {
  let network: ResNetNetwork;
  beforeAll(async () => {
    await initTensorEngine({ log: () => undefined });
    network = ResNetNetwork.create(TINY_RESNET_SPEC, 5);
  });

  function program(layer: WeightLayer, inputRange: number, adcRange: number) {
    const rows = layerRows(layer);
    const weights = network.weight(layer).dataSync() as Float32Array;
    const array = realizeEffectiveWeights(
      weights,
      rows,
      layer.outChannels,
      profile,
      new CounterRng(1).derive(layer.name),
      {
        scaleMode: 'per-column',
      },
    );
    const calibration = new Map([[layer.name, { inputRange, inputSigned: false, adcRange }]]);
    const arrays = new Map([[layer.name, array]]);
    // A network of this one layer: the executor programs exactly what it is given.
    const executor = new HardwareExecutor(
      { weightLayers: [layer] },
      arrays,
      calibration,
      profile,
      null,
    );
    const settings = crossbarSettingsFromProfile(profile, {
      inputRange,
      inputSigned: false,
      adcRange,
      readNoise: false,
    });
    return { executor, array, settings };
  }

  it('on a dense layer spanning several row tiles', () => {
    const layer = network.layout.exits[1].projection;
    // A wider copy of an exit projection: 80 inputs span three 32-row tiles.
    const wide: WeightLayer = { ...layer, inChannels: 80, name: 'wide' };
    network.params.add('wide.w', tf.randomNormal([80, 16], 0, 0.3, 'float32', 9), true);
    const batch = 12;
    const inputs = Float32Array.from({ length: batch * 80 }, (_, i) => ((i * 7919) % 97) / 97);
    const { executor, array, settings } = program(wide, 1, 4);
    const reference = crossbarMatMul(inputs, batch, array, settings, null);
    const engine = executor.run(wide, tf.tensor2d(inputs, [batch, 80])).dataSync();
    const step = 4 / (2 ** (profile.adc.bits - 1) - 1);
    let exact = 0;
    for (let i = 0; i < reference.length; i++) {
      // float32 engine vs float64 reference: a rounding tie may land one ADC level apart per tile.
      expect(Math.abs(engine[i] - reference[i])).toBeLessThanOrEqual(3 * step + 1e-4);
      if (Math.abs(engine[i] - reference[i]) < 1e-4) exact++;
    }
    expect(exact / reference.length).toBeGreaterThan(0.99);
    executor.dispose();
  });

  it('on a 3x3 conv layer (channels x taps over two tiles)', () => {
    const layer = network.layout.stages[0][0].conv1; // 3x3x4 -> 4: 36 rows, tiles of 32
    const batch = 2;
    const h = 6;
    const x = Float32Array.from({ length: batch * h * h * 4 }, (_, i) => ((i * 104729) % 89) / 89);
    const { executor, array, settings } = program(layer, 1, 3);
    const engine = executor
      .run({ ...layer, inHeight: h, inWidth: h }, tf.tensor4d(x, [batch, h, h, 4]))
      .dataSync();
    const step = 3 / (2 ** (profile.adc.bits - 1) - 1);
    let exact = 0;
    for (let b = 0; b < batch; b++) {
      const cols = im2col(x.subarray(b * h * h * 4, (b + 1) * h * h * 4), h, h, 4, 3, 1);
      const reference = crossbarMatMul(cols, h * h, array, settings, null);
      for (let i = 0; i < reference.length; i++) {
        const e = engine[b * reference.length + i];
        expect(Math.abs(e - reference[i])).toBeLessThanOrEqual(2 * step + 1e-4);
        if (Math.abs(e - reference[i]) < 1e-4) exact++;
      }
    }
    expect(exact / (batch * h * h * 4)).toBeGreaterThan(0.99);
    executor.dispose();
  });
});
