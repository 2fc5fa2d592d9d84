import * as tf from '@tensorflow/tfjs';
import { calibrateInputRange, DeviceProfile, ProgrammedArray } from '@engram/hardware';
import {
  CimExecutor,
  DynamicNetwork,
  WeightLayer,
  applyWeightLayer,
  forwardWithExits,
  ternarize,
} from '@engram/models';
import { buildTiledLayer, disposeTiledLayer, perTile } from './crossbar-tiles';
import { dacQuantize } from './quantize';

/** DAC and ADC ranges of one layer, as the hardware library defines them (calibration.ts there). */
export interface LayerRanges {
  inputRange: number;
  inputSigned: boolean;
  /** Calibrated ADC range R of the layer (one for all its row tiles). */
  adcRange: number;
}

export type NetworkCalibration = Map<string, LayerRanges>;

/**
 * Runs calibration inputs through the noise-free ternary network and records, per weight layer,
 * the DAC input range (a percentile of |x|) and the ADC range (a percentile of |tile partial sum|
 * of DAC-quantized inputs on the ideal ternary weights). Chips calibrate once per layer; this
 * depends only on the artifact, the calibration data and the profile's tile/DAC/percentiles.
 */
class CalibratingExecutor implements CimExecutor {
  readonly ranges: NetworkCalibration = new Map();

  constructor(
    private readonly network: Pick<DynamicNetwork, 'weight'>,
    private readonly profile: DeviceProfile,
    /** A programmed chip's arrays: calibrate on their effective weights (else the ideal ones). */
    private readonly arrays: Map<string, ProgrammedArray> | null = null,
  ) {}

  run(layer: WeightLayer, x: tf.Tensor): tf.Tensor {
    const ternary = ternarize(this.network.weight(layer));
    const array = this.arrays?.get(layer.name);
    if (this.arrays && !array) throw new Error(`layer ${layer.name} is not programmed`);
    const weights = array ? tf.tensor(array.effectiveWeights, ternary.shape) : ternary;
    if (weights !== ternary) ternary.dispose();
    if (!this.ranges.has(layer.name))
      this.ranges.set(layer.name, this.calibrate(layer, x, weights));
    const out = applyWeightLayer(layer, x, weights);
    weights.dispose();
    return out;
  }

  private calibrate(layer: WeightLayer, x: tf.Tensor, ternary: tf.Tensor): LayerRanges {
    const inputs = x.dataSync() as Float32Array;
    let inputSigned = false;
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i] < 0) {
        inputSigned = true;
        break;
      }
    }
    const inputRange = calibrateInputRange(inputs, this.profile.dac.calibrationPercentile);
    const tiled = buildTiledLayer(
      layer,
      ternary.dataSync() as Float32Array,
      null,
      this.profile.tile.rows,
    );
    const partialSums = tf.tidy(() =>
      perTile(tiled, dacQuantize(x, inputRange, this.profile.dac.bits, inputSigned), tiled.weights),
    );
    const adcRange = calibrateInputRange(
      partialSums.dataSync() as Float32Array,
      this.profile.adc.calibrationPercentile,
    );
    partialSums.dispose();
    disposeTiledLayer(tiled);
    return { inputRange, inputSigned, adcRange };
  }
}

/**
 * The ranges of every weight layer from `inputs`: on the noise-free ternary network, or with
 * `arrays` on a programmed chip's effective weights (the profile's `adc.calibrationData: 'chip'`:
 * the chip calibrates after programming, its device variation included).
 */
export function calibrateNetwork<State extends tf.TensorContainer>(
  network: DynamicNetwork<State>,
  profile: DeviceProfile,
  inputs: tf.Tensor,
  arrays: Map<string, ProgrammedArray> | null = null,
): NetworkCalibration {
  const executor = new CalibratingExecutor(network, profile, arrays);
  tf.tidy(() => {
    forwardWithExits(network, inputs, { executor, batchNorm: 'running' });
  });
  return executor.ranges;
}
