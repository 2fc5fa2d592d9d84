import { createHash } from 'node:crypto';
import {
  PLATFORM_DEFAULTS,
  resolvedDeviceProfile,
  type EvaluationConfig,
  type ModelName,
} from '@engram/contracts';
import { MODEL_REGISTRY } from './model-registry';

/**
 * Bumped if what goes into the identity changes, so old and new hashes never collide.
 * 2: the resolved configuration (device profile with its knobs applied, defaults filled in).
 */
export const RUN_IDENTITY_FORMAT = 2;

/**
 * Canonical text of deep-frozen objects (resolved device profiles are, and one is shared by every
 * run of a sweep with the same device): such an object cannot change, so its text is computed once.
 */
const frozenCanonicalText = new WeakMap<object, string>();

/** JSON with object keys sorted and undefined fields dropped: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error(`cannot hash non-finite number ${value}`);
    return JSON.stringify(value);
  }
  const cached = frozenCanonicalText.get(value);
  if (cached !== undefined) return cached;
  const children: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const texts = children.map(([, v]) => canonicalJson(v));
  const text = Array.isArray(value)
    ? `[${texts.join(',')}]`
    : `{${children.map(([k], i) => `${JSON.stringify(k)}:${texts[i]}`).join(',')}}`;
  // Deep-frozen: frozen itself, and every object inside was cached (deep-frozen) above.
  const deepFrozen =
    Object.isFrozen(value) &&
    children.every(([, v]) => v === null || typeof v !== 'object' || frozenCanonicalText.has(v));
  if (deepFrozen) frozenCanonicalText.set(value, text);
  return text;
}

/**
 * What a run computes, with every default filled in, so that configurations that mean the same
 * run (a knob set to the profile's own value, one threshold or the same one per exit, a sample
 * count equal to the whole split) are equal: the device profile the knobs resolve to, one CAM
 * threshold per exit, the default exit rule, split and engine, no sample count for a whole split.
 */
export function resolvedRunIdentity(config: EvaluationConfig): Record<string, unknown> {
  const { device, deviceProfile, camThreshold, sampleCount, timing, ...rest } = config;
  const registration = MODEL_REGISTRY[config.model];
  const split = config.split ?? PLATFORM_DEFAULTS.split;
  const profile = resolvedDevice(deviceProfile ?? PLATFORM_DEFAULTS.deviceProfile, device);
  return {
    ...rest,
    device: profile,
    camThreshold: Array.isArray(camThreshold)
      ? camThreshold
      : Array.from({ length: registration.exits }, () => camThreshold),
    exitRule: config.exitRule ?? PLATFORM_DEFAULTS.exitRule,
    split,
    engine: config.engine ?? registration.engines[0],
    sampleCount: sampleCount === registration.splitSamples[split] ? undefined : sampleCount,
    // Derived timing is the default: absent from the identity, as before the field existed.
    timing: timing === 'measured' ? timing : undefined,
  };
}

// A sweep shares a handful of device settings over thousands of runs: validate each once.
const resolvedDevices = new Map<string, unknown>();
const RESOLVED_DEVICES_MAX = 1024;

function resolvedDevice(profileName: string, knobs: EvaluationConfig['device']): unknown {
  const key = canonicalJson({ profileName, knobs });
  let profile = resolvedDevices.get(key);
  if (profile === undefined) {
    // An invalid device still needs an identity: its run fails at once with the reason stored.
    profile = resolvedDeviceProfile(profileName, knobs) ?? { invalid: { profileName, knobs } };
    if (resolvedDevices.size >= RESOLVED_DEVICES_MAX) resolvedDevices.clear();
    resolvedDevices.set(key, profile);
  }
  return profile;
}

/**
 * A run's deterministic identity: SHA-256 (hex) of its model, artifact version and complete
 * resolved configuration (resolvedRunIdentity). Hex only, so it is also a valid BullMQ job id (which may not contain ':').
 */
export function runConfigHash(
  model: ModelName,
  artifactVersion: string,
  config: EvaluationConfig,
): string {
  const identity = canonicalJson({
    format: RUN_IDENTITY_FORMAT,
    model,
    artifactVersion,
    config: resolvedRunIdentity(config),
  });
  return createHash('sha256').update(identity).digest('hex');
}
