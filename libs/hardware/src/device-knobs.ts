import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import type { DigitalBaselineName } from './digital-baseline';
import type { ConductanceNoiseModel, DeepPartial, DeviceProfile } from './profile';
import { DeviceProfileError } from './profile-parse';
import { withOverrides } from './profile-overrides';

/**
 * The flat device knobs a run (or a sweep axis) may set, each mapped onto the profile below. Noise
 * levels are relative standard deviations as a fraction of the conductance window.
 */
export interface DeviceKnobs {
  /** Programming noise (uniform model). */
  programmingNoise?: number;
  /** Read noise per read (uniform model). */
  readNoise?: number;
  adcBits?: number;
  dacBits?: number;
  /** Stuck-at fault rates (fraction of cells). */
  stuckAtLrsRate?: number;
  stuckAtHrsRate?: number;
  tileRows?: number;
  tileCols?: number;
  /** TCAM sense-amplifier noise, as a fraction of one mismatch step. */
  tcamSenseNoise?: number;
  /** The digital accelerator energy reductions are measured against. */
  digitalBaseline?: DigitalBaselineName;
}

/** Profiles a run may name. */
export const DEVICE_PROFILES: Readonly<Record<string, DeviceProfile>> = {
  [DEFAULT_DEVICE_PROFILE.name]: DEFAULT_DEVICE_PROFILE,
};

/**
 * The named profile with the knobs applied, validated. Throws DeviceProfileError naming the
 * field for an unknown profile or an invalid value.
 */
export function deviceProfileWithKnobs(
  profileName: string = DEFAULT_DEVICE_PROFILE.name,
  knobs: DeviceKnobs = {},
): DeviceProfile {
  const base = DEVICE_PROFILES[profileName];
  if (!base) {
    throw new DeviceProfileError(
      'name',
      `${profileName} is not a known profile (known: ${Object.keys(DEVICE_PROFILES).join(', ')})`,
    );
  }
  const k = knobs;
  const overrides: {
    -readonly [K in keyof DeepPartial<DeviceProfile>]: DeepPartial<DeviceProfile>[K];
  } = {};
  if (k.programmingNoise !== undefined) {
    overrides.programmingNoise = { model: 'uniform', relativeStd: k.programmingNoise };
  }
  if (k.readNoise !== undefined)
    overrides.readNoise = { model: 'uniform', relativeStd: k.readNoise };
  if (k.adcBits !== undefined) overrides.adc = { bits: k.adcBits };
  if (k.dacBits !== undefined) overrides.dac = { bits: k.dacBits };
  if (k.stuckAtLrsRate !== undefined || k.stuckAtHrsRate !== undefined) {
    overrides.stuckAtFaults = {
      lrsRate: k.stuckAtLrsRate ?? base.stuckAtFaults.lrsRate,
      hrsRate: k.stuckAtHrsRate ?? base.stuckAtFaults.hrsRate,
    };
  }
  if (k.tcamSenseNoise !== undefined) overrides.tcam = { senseNoiseRelativeStd: k.tcamSenseNoise };
  if (k.digitalBaseline !== undefined) overrides.digitalBaseline = { name: k.digitalBaseline };
  if (k.tileRows !== undefined || k.tileCols !== undefined) {
    overrides.tile = { rows: k.tileRows ?? base.tile.rows, cols: k.tileCols ?? base.tile.cols };
  }
  return withOverrides(base, overrides);
}

/**
 * Every device knob as the run uses it: the named profile with the knobs applied, read back flat.
 * A noise the profile models per state (LRS/HRS) has no single relative std: both are given,
 * equal under the uniform model. Stored with each run, so "the profile default" is a number
 * anyone can query, not a NULL.
 */
export interface ResolvedDeviceParameters {
  deviceProfile: string;
  programmingNoiseModel: ConductanceNoiseModel['model'];
  programmingNoiseLrs: number;
  programmingNoiseHrs: number;
  readNoiseModel: ConductanceNoiseModel['model'];
  readNoiseLrs: number;
  readNoiseHrs: number;
  adcBits: number;
  dacBits: number;
  stuckAtLrsRate: number;
  stuckAtHrsRate: number;
  tileRows: number;
  tileCols: number;
  tcamSenseNoise: number;
}

function noiseByState(noise: ConductanceNoiseModel): [number, number] {
  return noise.model === 'uniform'
    ? [noise.relativeStd, noise.relativeStd]
    : [noise.lrsRelativeStd, noise.hrsRelativeStd];
}

/**
 * The resolved device parameters of a run, or null when the profile or knobs are invalid (such a
 * run fails with the DeviceProfileError of deviceProfileWithKnobs, naming the field).
 */
export function resolveDeviceParameters(
  profileName: string = DEFAULT_DEVICE_PROFILE.name,
  knobs: DeviceKnobs = {},
): ResolvedDeviceParameters | null {
  let profile: DeviceProfile;
  try {
    profile = deviceProfileWithKnobs(profileName, knobs);
  } catch (error) {
    if (error instanceof DeviceProfileError) return null;
    throw error;
  }
  const [programmingNoiseLrs, programmingNoiseHrs] = noiseByState(profile.programmingNoise);
  const [readNoiseLrs, readNoiseHrs] = noiseByState(profile.readNoise);
  return {
    deviceProfile: profileName,
    programmingNoiseModel: profile.programmingNoise.model,
    programmingNoiseLrs,
    programmingNoiseHrs,
    readNoiseModel: profile.readNoise.model,
    readNoiseLrs,
    readNoiseHrs,
    adcBits: profile.adc.bits,
    dacBits: profile.dac.bits,
    stuckAtLrsRate: profile.stuckAtFaults.lrsRate,
    stuckAtHrsRate: profile.stuckAtFaults.hrsRate,
    tileRows: profile.tile.rows,
    tileCols: profile.tile.cols,
    tcamSenseNoise: profile.tcam.senseNoiseRelativeStd,
  };
}
