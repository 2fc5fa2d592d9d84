import type { DeviceProfile } from './profile';

/**
 * ADC range R for one layer. 'full-scale': R_t = rowsInTile_t * inputRange * max|W| per row tile
 * (the largest partial sum the tile can produce, so nothing clips). 'calibrated': one R for the
 * layer, from calibrateAdcRange.
 */
export type AdcRangeSetting =
  { readonly policy: 'full-scale' } | { readonly policy: 'calibrated'; readonly range: number };

/** Everything the crossbar product needs besides the operand and the inputs. */
export interface CrossbarSettings {
  readonly tileRows: number;
  readonly tileCols: number;
  readonly dacBits: number;
  /** DAC input range r > 0: inputs are clipped to [-r, r] (signed) or [0, r] (unsigned). */
  readonly inputRange: number;
  readonly inputSigned: boolean;
  readonly adcBits: number;
  readonly adcRange: AdcRangeSetting;
  /** Draw per-read noise from the operand's readNoiseVariance (needs an rng). */
  readonly readNoise: boolean;
}

export interface LayerCalibration {
  /** From calibrateInputRange. */
  readonly inputRange: number;
  readonly inputSigned: boolean;
  /** From calibrateAdcRange; required when the profile's policy is 'calibrated'. */
  readonly adcRange?: number;
  /** Default true. */
  readonly readNoise?: boolean;
}

/** Crossbar settings of one layer: tile, DAC and ADC from the profile, ranges from calibration. */
export function crossbarSettingsFromProfile(
  profile: DeviceProfile,
  calibration: LayerCalibration,
): CrossbarSettings {
  let adcRange: AdcRangeSetting;
  if (profile.adc.rangePolicy === 'full-scale') {
    adcRange = { policy: 'full-scale' };
  } else {
    if (calibration.adcRange === undefined) {
      throw new RangeError(
        "crossbarSettingsFromProfile: the profile's 'calibrated' ADC range policy needs " +
          'calibration.adcRange (see calibrateAdcRange)',
      );
    }
    adcRange = { policy: 'calibrated', range: calibration.adcRange };
  }
  const settings: CrossbarSettings = {
    tileRows: profile.tile.rows,
    tileCols: profile.tile.cols,
    dacBits: profile.dac.bits,
    inputRange: calibration.inputRange,
    inputSigned: calibration.inputSigned,
    adcBits: profile.adc.bits,
    adcRange,
    readNoise: calibration.readNoise ?? true,
  };
  validateCrossbarSettings(settings);
  return settings;
}

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `crossbar settings: ${name} must be an integer in [${min}, ${max}], got ${value}`,
    );
  }
}

function requirePositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`crossbar settings: ${name} must be a finite number > 0, got ${value}`);
  }
}

export function validateCrossbarSettings(settings: CrossbarSettings): void {
  requireInteger('tileRows', settings.tileRows, 1, 4096);
  requireInteger('tileCols', settings.tileCols, 1, 4096);
  requireInteger('dacBits', settings.dacBits, settings.inputSigned ? 2 : 1, 16);
  requireInteger('adcBits', settings.adcBits, 2, 16);
  requirePositive('inputRange', settings.inputRange);
  if (settings.adcRange.policy === 'calibrated') {
    requirePositive('adcRange.range', settings.adcRange.range);
  }
}
