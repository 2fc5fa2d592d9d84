import type { DeepPartial, DeviceProfile } from './profile';
import { parseDeviceProfile } from './profile-parse';

type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeDeep(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(override) || !isPlainObject(base)) return override;
  // A noise model that switches `model` is replaced whole: each model has its own fields.
  if ('model' in override && override['model'] !== base['model']) return override;
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = mergeDeep(base[key], value);
  }
  return merged;
}

/**
 * The profile with `overrides` deep-merged in and the result validated, e.g.
 * `withOverrides(profile, { programmingNoise: { model: 'uniform', relativeStd: 0.1 }, adc: { bits: 6 } })`.
 * Objects merge field by field; a noise model whose `model` changes, `drift: null` and every
 * scalar replace the base value. Throws DeviceProfileError when the result is invalid.
 */
export function withOverrides(
  profile: DeviceProfile,
  overrides: DeepPartial<DeviceProfile>,
): DeviceProfile {
  return parseDeviceProfile(mergeDeep(profile, overrides));
}
