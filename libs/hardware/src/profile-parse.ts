import { deepFreeze } from './deep-freeze';
import { DIGITAL_BASELINE_NAMES } from './digital-baseline';
import type { AdcRangePolicy, ConductanceNoiseModel, DeviceProfile, DriftModel } from './profile';

/** A profile field that is missing, unknown, of the wrong type or out of range. */
export class DeviceProfileError extends Error {
  /** Retrying cannot help: a platform fails the run at once (see apps/worker). */
  readonly permanent = true;

  constructor(
    readonly fieldPath: string,
    detail: string,
  ) {
    super(`device profile: ${fieldPath} ${detail}`);
    this.name = 'DeviceProfileError';
  }
}

interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
}

type JsonObject = Readonly<Record<string, unknown>>;

const MAX_CONDUCTANCE_US = 10_000;
const MAX_ENERGY_PJ = 1e6;
const MAX_RELATIVE_STD = 10;
const MAX_TIME_SECONDS = 1e12;

const ANY_CONDUCTANCE: NumberRule = { min: 0, max: MAX_CONDUCTANCE_US };
const RELATIVE_STD: NumberRule = { min: 0, max: MAX_RELATIVE_STD };
const PROBABILITY: NumberRule = { min: 0, max: 1 };
const PERCENTILE: NumberRule = { min: 0, max: 100, minExclusive: true };
const ENERGY_PJ: NumberRule = { min: 0, max: MAX_ENERGY_PJ };

function describeRule(rule: NumberRule): string {
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

function readObject(value: unknown, path: string, keys: readonly string[]): JsonObject {
  const object = asObject(value, path);
  checkFields(object, path, keys);
  return object;
}

function readNumber(object: JsonObject, path: string, key: string, rule: NumberRule): number {
  const value = object[key];
  const fieldPath = join(path, key);
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.minExclusive ? value > rule.min : value >= rule.min) &&
    value <= rule.max;
  if (!valid) {
    throw new DeviceProfileError(
      fieldPath,
      `must be ${describeRule(rule)}, got ${describeValue(value)}`,
    );
  }
  return value;
}

function readChoice<T extends string>(
  object: JsonObject,
  path: string,
  key: string,
  choices: readonly T[],
): T {
  const value = object[key];
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    const allowed = choices.map((choice) => `'${choice}'`).join(', ');
    throw new DeviceProfileError(
      join(path, key),
      `must be one of ${allowed}, got ${describeValue(value)}`,
    );
  }
  return value as T;
}

function requireAbove(
  value: number,
  fieldPath: string,
  boundPath: string,
  bound: number,
  allowEqual: boolean,
): void {
  if (allowEqual ? value < bound : value <= bound) {
    const relation = allowEqual ? 'at least' : 'greater than';
    throw new DeviceProfileError(
      fieldPath,
      `must be ${relation} ${boundPath} (${bound}), got ${value}`,
    );
  }
}

function readNoiseModel(value: unknown, path: string): ConductanceNoiseModel {
  const object = asObject(value, path);
  if (!('model' in object)) {
    throw new DeviceProfileError(
      join(path, 'model'),
      "is required ('uniform' or 'state-dependent')",
    );
  }
  const model = readChoice(object, path, 'model', ['uniform', 'state-dependent'] as const);
  if (model === 'uniform') {
    checkFields(object, path, ['model', 'relativeStd']);
    return { model, relativeStd: readNumber(object, path, 'relativeStd', RELATIVE_STD) };
  }
  checkFields(object, path, ['model', 'lrsRelativeStd', 'hrsRelativeStd']);
  return {
    model,
    lrsRelativeStd: readNumber(object, path, 'lrsRelativeStd', RELATIVE_STD),
    hrsRelativeStd: readNumber(object, path, 'hrsRelativeStd', RELATIVE_STD),
  };
}

function readDrift(value: unknown, path: string): DriftModel | null {
  if (value === null) return null;
  const object = readObject(value, path, ['nu', 'referenceTimeSeconds', 'readTimeSeconds']);
  const nu = readNumber(object, path, 'nu', { min: 0, max: 1 });
  const referenceTimeSeconds = readNumber(object, path, 'referenceTimeSeconds', {
    min: 0,
    max: MAX_TIME_SECONDS,
    minExclusive: true,
  });
  const readTimeSeconds = readNumber(object, path, 'readTimeSeconds', {
    min: 0,
    max: MAX_TIME_SECONDS,
    minExclusive: true,
  });
  requireAbove(
    readTimeSeconds,
    join(path, 'readTimeSeconds'),
    join(path, 'referenceTimeSeconds'),
    referenceTimeSeconds,
    true,
  );
  return { nu, referenceTimeSeconds, readTimeSeconds };
}

function readConductance(value: unknown): DeviceProfile['conductance'] {
  const path = 'conductance';
  const object = readObject(value, path, ['hrsUs', 'lrsUs', 'maxUs']);
  const hrsUs = readNumber(object, path, 'hrsUs', ANY_CONDUCTANCE);
  const lrsUs = readNumber(object, path, 'lrsUs', ANY_CONDUCTANCE);
  const maxUs = readNumber(object, path, 'maxUs', ANY_CONDUCTANCE);
  requireAbove(lrsUs, 'conductance.lrsUs', 'conductance.hrsUs', hrsUs, false);
  requireAbove(maxUs, 'conductance.maxUs', 'conductance.lrsUs', lrsUs, true);
  return { hrsUs, lrsUs, maxUs };
}

function readStuckAtFaults(value: unknown): DeviceProfile['stuckAtFaults'] {
  const path = 'stuckAtFaults';
  const object = readObject(value, path, ['lrsRate', 'hrsRate']);
  const lrsRate = readNumber(object, path, 'lrsRate', PROBABILITY);
  const hrsRate = readNumber(object, path, 'hrsRate', PROBABILITY);
  if (lrsRate + hrsRate > 1) {
    throw new DeviceProfileError(
      'stuckAtFaults.hrsRate',
      `must not exceed 1 - stuckAtFaults.lrsRate (${1 - lrsRate}), got ${hrsRate}`,
    );
  }
  return { lrsRate, hrsRate };
}

function readTile(value: unknown): DeviceProfile['tile'] {
  const object = readObject(value, 'tile', ['rows', 'cols']);
  const size: NumberRule = { min: 1, max: 4096, integer: true };
  return {
    rows: readNumber(object, 'tile', 'rows', size),
    cols: readNumber(object, 'tile', 'cols', size),
  };
}

function readDac(value: unknown): DeviceProfile['dac'] {
  const object = readObject(value, 'dac', ['bits', 'calibrationPercentile']);
  return {
    bits: readNumber(object, 'dac', 'bits', { min: 1, max: 16, integer: true }),
    calibrationPercentile: readNumber(object, 'dac', 'calibrationPercentile', PERCENTILE),
  };
}

function readAdc(value: unknown): DeviceProfile['adc'] {
  const object = readObject(value, 'adc', ['bits', 'rangePolicy', 'calibrationPercentile']);
  const policies: readonly AdcRangePolicy[] = ['full-scale', 'calibrated'];
  return {
    // Two bits is the smallest symmetric ADC with a zero level (levels -1, 0, +1 steps).
    bits: readNumber(object, 'adc', 'bits', { min: 2, max: 16, integer: true }),
    rangePolicy: readChoice(object, 'adc', 'rangePolicy', policies),
    calibrationPercentile: readNumber(object, 'adc', 'calibrationPercentile', PERCENTILE),
  };
}

function readTcam(value: unknown): DeviceProfile['tcam'] {
  const object = readObject(value, 'tcam', ['programmingNoise', 'senseNoiseRelativeStd']);
  return {
    programmingNoise: readNoiseModel(object['programmingNoise'], 'tcam.programmingNoise'),
    senseNoiseRelativeStd: readNumber(object, 'tcam', 'senseNoiseRelativeStd', RELATIVE_STD),
  };
}

function readOptionalEnergy(object: JsonObject, path: string, key: string): number | null {
  return object[key] === null ? null : readNumber(object, path, key, ENERGY_PJ);
}

const BUFFER_KB: NumberRule = { min: 0, max: 1 << 20, minExclusive: true };

function readEnergy(value: unknown): DeviceProfile['energy'] {
  const path = 'energy';
  const object = readObject(value, path, [
    'macroMacPj',
    'cellReadPjPerPulse',
    'adcPjPerBit',
    'adcPjPerLevel',
    'dacPjPerBit',
    'accumulatePj',
    'activationBufferKb',
    'camBitSearchPj',
    'camReadoutBits',
    'digitalOpPj',
  ]);
  const macroMacPj = readOptionalEnergy(object, path, 'macroMacPj');
  const cellReadPjPerPulse = readOptionalEnergy(object, path, 'cellReadPjPerPulse');
  // A macro-level figure already includes the array read, ADCs, DACs and shift-add: adding the
  // component energies on top would count the periphery twice.
  if (macroMacPj !== null && cellReadPjPerPulse !== null) {
    throw new DeviceProfileError(
      'energy.macroMacPj',
      'and energy.cellReadPjPerPulse are both set: a macro-level energy per MAC already includes ' +
        'the cell reads and the ADC/DAC periphery; set one and make the other null',
    );
  }
  if (macroMacPj === null && cellReadPjPerPulse === null) {
    throw new DeviceProfileError(
      'energy.macroMacPj',
      'and energy.cellReadPjPerPulse are both null: set one (macro level or component level)',
    );
  }
  return {
    macroMacPj,
    cellReadPjPerPulse,
    adcPjPerBit: readNumber(object, path, 'adcPjPerBit', ENERGY_PJ),
    adcPjPerLevel: readNumber(object, path, 'adcPjPerLevel', ENERGY_PJ),
    dacPjPerBit: readNumber(object, path, 'dacPjPerBit', ENERGY_PJ),
    accumulatePj: readNumber(object, path, 'accumulatePj', ENERGY_PJ),
    activationBufferKb: readNumber(object, path, 'activationBufferKb', BUFFER_KB),
    camBitSearchPj: readNumber(object, path, 'camBitSearchPj', ENERGY_PJ),
    camReadoutBits: readNumber(object, path, 'camReadoutBits', { min: 1, max: 16, integer: true }),
    digitalOpPj: readNumber(object, path, 'digitalOpPj', ENERGY_PJ),
  };
}

function readDigitalBaseline(value: unknown): DeviceProfile['digitalBaseline'] {
  const path = 'digitalBaseline';
  const object = readObject(value, path, ['name', 'weightBufferKb']);
  return {
    name: readChoice(object, path, 'name', DIGITAL_BASELINE_NAMES),
    weightBufferKb: readNumber(object, path, 'weightBufferKb', BUFFER_KB),
  };
}

const TOP_LEVEL_FIELDS = [
  'version',
  'name',
  'conductance',
  'programmingNoise',
  'readNoise',
  'stuckAtFaults',
  'drift',
  'tile',
  'dac',
  'adc',
  'tcam',
  'energy',
  'digitalBaseline',
] as const;

/**
 * Validates untrusted JSON as a version-1 device profile and returns a frozen copy. Throws a
 * DeviceProfileError naming the first offending field path and what it allows.
 */
export function parseDeviceProfile(json: unknown): DeviceProfile {
  const root = readObject(json, '', TOP_LEVEL_FIELDS);
  if (root['version'] !== 1) {
    throw new DeviceProfileError('version', `must be 1, got ${describeValue(root['version'])}`);
  }
  const name = root['name'];
  if (typeof name !== 'string' || name.trim() === '') {
    throw new DeviceProfileError('name', `must be a non-empty string, got ${describeValue(name)}`);
  }
  return deepFreeze({
    version: 1,
    name,
    conductance: readConductance(root['conductance']),
    programmingNoise: readNoiseModel(root['programmingNoise'], 'programmingNoise'),
    readNoise: readNoiseModel(root['readNoise'], 'readNoise'),
    stuckAtFaults: readStuckAtFaults(root['stuckAtFaults']),
    drift: readDrift(root['drift'], 'drift'),
    tile: readTile(root['tile']),
    dac: readDac(root['dac']),
    adc: readAdc(root['adc']),
    tcam: readTcam(root['tcam']),
    energy: readEnergy(root['energy']),
    digitalBaseline: readDigitalBaseline(root['digitalBaseline']),
  });
}
