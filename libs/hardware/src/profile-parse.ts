import { deepFreeze } from './deep-freeze';
import type { DeviceProfile } from './profile';
import { DeviceProfileError } from './profile-error';
import {
  NOISE_MODELS,
  PROFILE_FIELDS,
  type ChoiceField,
  type ConductanceNoiseModel,
  type GroupField,
  type NumberField,
  type ProfileField,
} from './profile-fields';

export { DeviceProfileError };

type JsonObject = Readonly<Record<string, unknown>>;

/** What a number field allows, as error messages and the README's field table state it. */
export function describeNumberRule(rule: NumberField): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  return `${kind} in ${rule.minExclusive ? '(' : '['}${rule.min}, ${rule.max}]`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value}" (string)`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function asObject(value: unknown, path: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DeviceProfileError(
      path || '(root)',
      `must be an object, got ${describeValue(value)}`,
    );
  }
  return value as JsonObject;
}

/** Rejects fields outside `keys` and reports the first missing one. */
function checkFields(object: JsonObject, path: string, keys: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!keys.includes(key)) {
      throw new DeviceProfileError(
        join(path, key),
        `is not a known field; allowed fields: ${keys.join(', ')}`,
      );
    }
  }
  for (const key of keys) {
    if (!(key in object)) {
      throw new DeviceProfileError(join(path, key), 'is required');
    }
  }
}

function readNumber(object: JsonObject, path: string, key: string, rule: NumberField): number {
  const value = object[key];
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.minExclusive ? value > rule.min : value >= rule.min) &&
    value <= rule.max;
  if (!valid) {
    throw new DeviceProfileError(
      join(path, key),
      `must be ${describeNumberRule(rule)}, got ${describeValue(value)}`,
    );
  }
  return value;
}

function readChoice(
  object: JsonObject,
  path: string,
  key: string,
  choices: ChoiceField['choices'],
): string {
  const value = object[key];
  if (typeof value !== 'string' || !choices.includes(value)) {
    const allowed = choices.map((choice) => `'${choice}'`).join(', ');
    throw new DeviceProfileError(
      join(path, key),
      `must be one of ${allowed}, got ${describeValue(value)}`,
    );
  }
  return value;
}

function readNoiseModel(value: unknown, path: string, bounds: NumberField): ConductanceNoiseModel {
  const object = asObject(value, path);
  if (!('model' in object)) {
    throw new DeviceProfileError(
      join(path, 'model'),
      `is required (${NOISE_MODELS.map((model) => `'${model}'`).join(' or ')})`,
    );
  }
  const model = readChoice(object, path, 'model', NOISE_MODELS);
  if (model === 'uniform') {
    checkFields(object, path, ['model', 'relativeStd']);
    return { model, relativeStd: readNumber(object, path, 'relativeStd', bounds) };
  }
  checkFields(object, path, ['model', 'lrsRelativeStd', 'hrsRelativeStd']);
  return {
    model: 'state-dependent',
    lrsRelativeStd: readNumber(object, path, 'lrsRelativeStd', bounds),
    hrsRelativeStd: readNumber(object, path, 'hrsRelativeStd', bounds),
  };
}

/** Reads `object[key]` as the declared `field` (path: the object's own path). */
function readField(object: JsonObject, path: string, key: string, field: ProfileField): unknown {
  const value = object[key];
  const fieldPath = join(path, key);
  switch (field.kind) {
    case 'version':
      if (value !== field.value) {
        throw new DeviceProfileError(
          fieldPath,
          `must be ${field.value}, got ${describeValue(value)}`,
        );
      }
      return value;
    case 'name':
      if (typeof value !== 'string' || value.trim() === '') {
        throw new DeviceProfileError(
          fieldPath,
          `must be a non-empty string, got ${describeValue(value)}`,
        );
      }
      return value;
    case 'number':
      return field.nullable && value === null ? null : readNumber(object, path, key, field);
    case 'choice':
      return readChoice(object, path, key, field.choices);
    case 'noise-model':
      return readNoiseModel(value, fieldPath, field.bounds);
    case 'group':
      return field.nullable && value === null
        ? null
        : readGroup(value, fieldPath, field.fields, field.checks);
  }
}

/** Reads an object of declared fields in declaration order, each cross-field check after its field. */
function readGroup(
  value: unknown,
  path: string,
  fields: GroupField['fields'],
  checks: GroupField['checks'] = [],
): Record<string, unknown> {
  const object = asObject(value, path);
  const keys = Object.keys(fields);
  checkFields(object, path, keys);
  const read: Record<string, unknown> = {};
  for (const key of keys) {
    read[key] = readField(object, path, key, fields[key]);
    for (const rule of checks) if (rule.after === key) rule.check(read);
  }
  return read;
}

/**
 * Validates untrusted JSON as a version-1 device profile and returns a frozen copy. Throws a
 * DeviceProfileError naming the first offending field path and what it allows.
 */
export function parseDeviceProfile(json: unknown): DeviceProfile {
  return deepFreeze(readGroup(json, '', PROFILE_FIELDS) as DeviceProfile);
}
