import * as tf from '@tensorflow/tfjs';
import {
  CounterRng,
  DeviceProfile,
  ProgrammedArray,
  realizeEffectiveWeights,
} from '@engram/hardware';
import { CimExecutor, DynamicNetwork, WeightLayer, layerRows } from '@engram/models';
import { NetworkCalibration, LayerRanges } from './calibration';
import { TiledLayer, buildTiledLayer, disposeTiledLayer, perTile } from './crossbar-tiles';
import { adcQuantizePerTile, dacQuantize } from './quantize';
import { ReadNoiseStream } from './read-noise';

/** A layer as programmed on the simulated chip for one run. */
interface ProgrammedLayer {
  tiled: TiledLayer;
  /** Per-column read-noise variance [out] when it does not depend on the cell states. */
  columnVariance: tf.Tensor | null;
  ranges: LayerRanges;
  /** ADC range per row tile, shaped [T, 1] to broadcast over [..., T, out]. */
  adcRange: tf.Tensor;
}

/** Programs every weight layer of a network from the run's device profile and seed. */
export function programNetwork(
  network: Pick<DynamicNetwork, 'weightLayers' | 'weight'>,
  profile: DeviceProfile,
  runRng: CounterRng,
): Map<string, ProgrammedArray> {
  const arrays = new Map<string, ProgrammedArray>();
  for (const layer of network.weightLayers) {
    const weights = network.weight(layer).dataSync() as Float32Array;
    arrays.set(
      layer.name,
      realizeEffectiveWeights(
        weights,
        layerRows(layer),
        layer.outChannels,
        profile,
        runRng.derive(layer.name),
        {
          scaleMode: 'per-column',
        },
      ),
    );
  }
  return arrays;
}

export function hasReadNoise(profile: DeviceProfile): boolean {
  const noise = profile.readNoise;
  return noise.model === 'uniform'
    ? noise.relativeStd > 0
    : noise.lrsRelativeStd > 0 || noise.hrsRelativeStd > 0;
}

function maxAbs(values: Float32Array): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/**
 * A call's read-noise draws (tile-major, conv outputs channel-first: see read-noise.ts) as a
 * tensor of the stacked partial sums' shape [..., T, out].
 */
function noiseTensor(normals: Float32Array, shape: number[]): tf.Tensor {
  const rank = shape.length;
  const tiles = shape[rank - 2];
  const out = shape[rank - 1];
  const lead = shape.slice(0, rank - 2);
  if (rank === 5) {
    // Conv: [T, batch, out, y, x] -> [batch, y, x, T, out].
    const [batch, height, width] = lead;
    return tf.transpose(tf.tensor(normals, [tiles, batch, out, height, width]), [1, 3, 4, 0, 2]);
  }
  // Dense: [T, ...lead, out] -> [...lead, T, out].
  const perm = [...lead.map((_, i) => i + 1), 0, rank - 1];
  return tf.transpose(tf.tensor(normals, [tiles, ...lead, out]), perm);
}

/**
 * Runs weight layers on the simulated crossbars of one programmed chip, with the semantics of the
 * hardware library's crossbarMatMul written as tensor ops: DAC on the inputs; every row tile's
 * partial sums of the noisy effective weights; read noise N(0, sum_i x_i^2 v_ij) per partial sum;
 * per-tile ADC (clip, round half to even); digital sum over tiles.
 */
export class HardwareExecutor implements CimExecutor {
  private readonly layers = new Map<string, ProgrammedLayer>();
  private readonly readNoise: ReadNoiseStream | null;
  /** Batches each layer has run in this pass (what dynamic inference skipped shows here). */
  readonly layerCalls = new Map<string, number>();
  /**
   * What keys the read noise of the next layer calls: the samples of the rows being computed and
   * each layer's call index within their batch. Set by the engine before it runs a segment.
   */
  noiseKeys: { samples: Int32Array; nextCall: (layer: string) => number } | null = null;

  /** Restarts the pass's layer call counts. */
  beginPass(): void {
    this.layerCalls.clear();
  }

  constructor(
    network: Pick<DynamicNetwork, 'weightLayers'>,
    arrays: Map<string, ProgrammedArray>,
    calibration: NetworkCalibration,
    private readonly profile: DeviceProfile,
    readNoiseRng: CounterRng | null,
  ) {
    const readNoise = readNoiseRng !== null && hasReadNoise(profile);
    this.readNoise = readNoise ? new ReadNoiseStream(readNoiseRng) : null;
    for (const layer of network.weightLayers) {
      const array = arrays.get(layer.name);
      const ranges = calibration.get(layer.name);
      if (!array || !ranges)
        throw new Error(`layer ${layer.name} is not programmed or not calibrated`);
      const columnVariance =
        readNoise && array.readNoiseColumnVariance
          ? tf.tensor1d(array.readNoiseColumnVariance)
          : null;
      const tiled = buildTiledLayer(
        layer,
        array.effectiveWeights,
        readNoise && !columnVariance ? array.readNoiseVariance : null,
        profile.tile.rows,
      );
      const wMax = maxAbs(array.effectiveWeights);
      const perTileRange = tiled.rowRanges.map(([start, end]) =>
        profile.adc.rangePolicy === 'calibrated'
          ? ranges.adcRange
          : (end - start) * ranges.inputRange * wMax,
      );
      this.layers.set(layer.name, {
        tiled,
        columnVariance,
        ranges,
        adcRange: tf.tensor2d(perTileRange, [perTileRange.length, 1]),
      });
    }
  }

  run(layer: WeightLayer, x: tf.Tensor): tf.Tensor {
    const programmed = this.layers.get(layer.name);
    if (!programmed) throw new Error(`layer ${layer.name} is not programmed`);
    const { ranges, tiled, columnVariance, adcRange } = programmed;
    this.layerCalls.set(layer.name, (this.layerCalls.get(layer.name) ?? 0) + 1);
    const keys = this.readNoise ? this.noiseKeys : null;
    if (this.readNoise && !keys)
      throw new Error(`layer ${layer.name}: no samples to key read noise`);
    const call = keys ? keys.nextCall(layer.name) : 0;
    return tf.tidy(() => {
      const xq = dacQuantize(x, ranges.inputRange, this.profile.dac.bits, ranges.inputSigned);
      let partial = perTile(tiled, xq, tiled.weights);
      if (this.readNoise && (columnVariance || tiled.variance)) {
        const xq2 = tf.square(xq);
        const variance = columnVariance
          ? tf.mul(perTile(tiled, xq2, tiled.rowOnes), columnVariance)
          : perTile(tiled, xq2, tiled.variance as tf.Tensor);
        const [batch] = partial.shape;
        const tiles = tiled.tileCount;
        const samples = (keys as NonNullable<typeof keys>).samples;
        if (samples.length !== batch) {
          throw new Error(`layer ${layer.name}: ${batch} rows but ${samples.length} sample keys`);
        }
        const normals = this.readNoise.call(
          layer.name,
          call,
          tiles,
          partial.size / (batch * tiles),
          samples,
        );
        partial = tf.add(partial, tf.mul(tf.sqrt(variance), noiseTensor(normals, partial.shape)));
      }
      return tf.sum(adcQuantizePerTile(partial, adcRange, this.profile.adc.bits), -2);
    });
  }

  dispose(): void {
    for (const programmed of this.layers.values()) {
      disposeTiledLayer(programmed.tiled);
      programmed.columnVariance?.dispose();
      programmed.adcRange.dispose();
    }
    this.layers.clear();
  }
}
