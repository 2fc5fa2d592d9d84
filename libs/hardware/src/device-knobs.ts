import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import type { ConductanceNoiseModel, DeviceProfile } from './profile';
import { DeviceProfileError } from './profile-error';
import { PROFILE_FIELDS, type FieldValue, type ProfileField } from './profile-fields';
import { withOverrides } from './profile-overrides';

/**
 * The flat device knobs a run (or a sweep axis) may set, each the profile field it overrides. A
 * knob on a noise model sets the uniform model: one relative std, as a fraction of the conductance
 * window, for every cell.
 */
export const DEVICE_KNOB_FIELDS = {
  programmingNoise: 'programmingNoise',
  readNoise: 'readNoise',
  adcBits: 'adc.bits',
  dacBits: 'dac.bits',
  stuckAtLrsRate: 'stuckAtFaults.lrsRate',
  stuckAtHrsRate: 'stuckAtFaults.hrsRate',
  tileRows: 'tile.rows',
  tileCols: 'tile.cols',
  tcamSenseNoise: 'tcam.senseNoiseRelativeStd',
  digitalBaseline: 'digitalBaseline.name',
} as const;

export type DeviceKnobName = keyof typeof DEVICE_KNOB_FIELDS;

/** The declared field at a dotted path (a type). */
type FieldAtPath<G, P extends string> = P extends `${infer Head}.${infer Rest}`
  ? Head extends keyof G
    ? G[Head] extends { readonly fields: infer F }
      ? FieldAtPath<F, Rest>
      : never
    : never
  : P extends keyof G
    ? G[P]
    : never;

type KnobValue<F> = F extends { readonly kind: 'noise-model' } ? number : FieldValue<F>;

/** Values of the knobs a run sets; each optional (unset: the profile's value). */
export type DeviceKnobs = {
  [K in DeviceKnobName]?: KnobValue<
    FieldAtPath<typeof PROFILE_FIELDS, (typeof DEVICE_KNOB_FIELDS)[K]>
  >;
};

/** The declared profile field at a dotted path (`adc.bits`); throws for a path not declared. */
export function profileFieldAt(path: string): ProfileField {
  let fields: Readonly<Record<string, ProfileField>> = PROFILE_FIELDS;
  let field: ProfileField | undefined;
  for (const key of path.split('.')) {
    field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!field) throw new Error(`${path} is not a declared device profile field`);
    fields = field.kind === 'group' ? field.fields : {};
  }
  if (!field) throw new Error('an empty path names no device profile field');
  return field;
}

/** The value a profile holds at a dotted path (a noise model, a number, a name). */
export function profileValueAt(profile: DeviceProfile, path: string): unknown {
  let value: unknown = profile;
  for (const key of path.split('.')) value = (value as Record<string, unknown>)[key];
  return value;
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
  // Each knob set becomes an override at its field's path; withOverrides merges the rest of the
  // field's group from the profile (stuckAtLrsRate alone keeps the profile's HRS rate).
  const overrides: Record<string, unknown> = {};
  for (const [knob, path] of Object.entries(DEVICE_KNOB_FIELDS)) {
    const value = knobs[knob as DeviceKnobName];
    if (value === undefined) continue;
    const keys = path.split('.');
    let group = overrides;
    for (const key of keys.slice(0, -1)) {
      group = (group[key] ??= {}) as Record<string, unknown>;
    }
    group[keys[keys.length - 1]] =
      profileFieldAt(path).kind === 'noise-model'
        ? { model: 'uniform', relativeStd: value }
        : value;
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
