import {
  DEFAULT_DEVICE_PROFILE,
  DEVICE_KNOB_FIELDS,
  type ConductanceNoiseModel,
  type DeviceKnobName,
  type DeviceProfile,
  profileFieldAt,
  profileValueAt,
} from '@engram/hardware';
import { DEVICE_PROFILE_NAMES, ENGINE_NAMES, EXIT_RULE_NAMES, SPLIT_NAMES } from './names';

/**
 * Every simulation parameter a sweep may set, in the grid (swept) or in `fixed`, described once:
 * its type, unit, bounds, default and meaning. A device parameter overrides one field of the
 * device profile: its meaning and unit are that field's declaration (hardware profile-fields.ts)
 * and its default is the default profile's value, read here, never written down.
 */
export type ParameterName =
  | 'programmingNoise'
  | 'readNoise'
  | 'camThreshold'
  | 'camThresholdExit1'
  | 'camThresholdExit2'
  | 'memorySize'
  | 'adcBits'
  | 'dacBits'
  | 'seed'
  | 'stuckAtLrsRate'
  | 'stuckAtHrsRate'
  | 'tileRows'
  | 'tileCols'
  | 'exitRule'
  | 'deviceProfile'
  | 'engine'
  | 'digitalBaseline';

export type ParameterValue = number | string;

interface DescriptorBase {
  name: ParameterName;
  description: string;
  /** Unit of a numeric value ('' for a count or a name). */
  unit: string;
  /**
   * The value an unset parameter means, or null when no single value does: required, taken from
   * another parameter or the model, or a device noise the profile models per state.
   */
  default: ParameterValue | null;
  /** What an unset parameter means, in words (documented in the JSON Schema and the API). */
  defaultDescription: string;
  /** The device profile field the parameter overrides (device parameters only). */
  profileField?: string;
}

export interface NumericParameterDescriptor extends DescriptorBase {
  kind: 'number' | 'integer';
  minimum: number;
  maximum: number;
}

export interface EnumParameterDescriptor extends DescriptorBase {
  kind: 'enum';
  values: readonly string[];
}

export type ParameterDescriptor = NumericParameterDescriptor | EnumParameterDescriptor;

/** Default when neither grid nor fixed set the seed (repeats then count up from it). */
export const DEFAULT_SEED = 0;
export const MAX_SEED = 2 ** 31 - 1;

const PROFILE_DEFAULT = 'the device profile value';

/** The sweep parameter each device knob is (same name); tcamSenseNoise is not swept. */
type DeviceParameterName = Extract<ParameterName, DeviceKnobName>;

/** Sweep ranges of the device parameters: within the profile field's bounds, narrower in places. */
const DEVICE_PARAMETER_RANGES: Readonly<
  Record<DeviceParameterName, { minimum: number; maximum: number } | null>
> = {
  programmingNoise: { minimum: 0, maximum: 1 },
  readNoise: { minimum: 0, maximum: 1 },
  adcBits: { minimum: 2, maximum: 16 },
  dacBits: { minimum: 1, maximum: 16 },
  stuckAtLrsRate: { minimum: 0, maximum: 1 },
  stuckAtHrsRate: { minimum: 0, maximum: 1 },
  tileRows: { minimum: 8, maximum: 1024 },
  tileCols: { minimum: 8, maximum: 1024 },
  digitalBaseline: null,
};

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

/** The descriptor of a device parameter, read from its profile field and the given profile. */
function deviceParameter(name: DeviceParameterName, profile: DeviceProfile): ParameterDescriptor {
  const path = DEVICE_KNOB_FIELDS[name];
  const field = profileFieldAt(path);
  const value = profileValueAt(profile, path);
  const base = { name, profileField: path };
  if (field.kind === 'noise-model') {
    const noise = value as ConductanceNoiseModel;
    const range = DEVICE_PARAMETER_RANGES[name];
    if (!range) throw new Error(`${name}: a noise parameter needs a sweep range`);
    return {
      ...base,
      kind: 'number',
      ...range,
      unit: field.unit,
      description:
        `${field.doc} A sweep sets the uniform model: one relative std for every cell, as a ` +
        'fraction of the conductance window.',
      default: noise.model === 'uniform' ? noise.relativeStd : null,
      defaultDescription:
        noise.model === 'uniform'
          ? `${PROFILE_DEFAULT} (${noise.relativeStd})`
          : `${PROFILE_DEFAULT} (state-dependent fit: ${percent(noise.lrsRelativeStd)} LRS, ${percent(noise.hrsRelativeStd)} HRS)`,
    };
  }
  if (field.kind === 'choice') {
    return {
      ...base,
      kind: 'enum',
      values: field.choices,
      unit: field.unit,
      description: field.doc,
      default: value as string,
      defaultDescription: `${PROFILE_DEFAULT} (${String(value)})`,
    };
  }
  if (field.kind !== 'number') throw new Error(`${name}: ${path} is not a scalar field`);
  const range = DEVICE_PARAMETER_RANGES[name];
  if (!range) throw new Error(`${name}: a numeric parameter needs a sweep range`);
  return {
    ...base,
    kind: field.integer ? 'integer' : 'number',
    ...range,
    unit: field.unit,
    description: field.doc,
    default: value as number,
    defaultDescription: `${PROFILE_DEFAULT} (${String(value)})`,
  };
}

/**
 * Every parameter's descriptor, the device parameters' defaults and meanings read from
 * `defaultProfile` (the platform passes the hardware library's default profile; a spec passes an
 * edited one to show that no default is written down twice).
 */
export function parameterDescriptors(
  defaultProfile: DeviceProfile,
): Readonly<Record<ParameterName, ParameterDescriptor>> {
  const device = (name: DeviceParameterName) => deviceParameter(name, defaultProfile);
  const threshold = (name: ParameterName, description: string): ParameterDescriptor => ({
    name,
    kind: 'number',
    minimum: 0,
    maximum: 1,
    unit: '',
    description,
    default: null,
    defaultDescription: 'camThreshold',
  });
  return {
    programmingNoise: device('programmingNoise'),
    readNoise: device('readNoise'),
    camThreshold: {
      name: 'camThreshold',
      kind: 'number',
      minimum: 0,
      maximum: 1,
      unit: '',
      description:
        'TCAM exit threshold on the normalized mismatch, for every exit that has no threshold of its own.',
      default: null,
      defaultDescription: 'required',
    },
    camThresholdExit1: threshold(
      'camThresholdExit1',
      'TCAM threshold of the first exit only (overrides camThreshold there).',
    ),
    camThresholdExit2: threshold(
      'camThresholdExit2',
      'TCAM threshold of the second exit only (overrides camThreshold there).',
    ),
    memorySize: {
      name: 'memorySize',
      kind: 'integer',
      minimum: 1,
      maximum: 64,
      unit: 'prototypes per class',
      description: 'Prototypes per class in the semantic memory (K).',
      default: null,
      defaultDescription: 'required',
    },
    adcBits: device('adcBits'),
    dacBits: device('dacBits'),
    seed: {
      name: 'seed',
      kind: 'integer',
      minimum: 0,
      maximum: MAX_SEED,
      unit: '',
      description:
        'Seed of every random draw of the run (programming noise, faults, read and TCAM noise).',
      default: DEFAULT_SEED,
      defaultDescription: `${DEFAULT_SEED}; with repeats, seeds count up from it`,
    },
    stuckAtLrsRate: device('stuckAtLrsRate'),
    stuckAtHrsRate: device('stuckAtHrsRate'),
    tileRows: device('tileRows'),
    tileCols: device('tileCols'),
    exitRule: {
      name: 'exitRule',
      kind: 'enum',
      values: EXIT_RULE_NAMES,
      unit: '',
      description:
        'When a sample may leave at an exit: margin over the second-best class, or absolute mismatch.',
      default: EXIT_RULE_NAMES[0],
      defaultDescription: EXIT_RULE_NAMES[0],
    },
    deviceProfile: {
      name: 'deviceProfile',
      kind: 'enum',
      values: DEVICE_PROFILE_NAMES.includes(defaultProfile.name)
        ? DEVICE_PROFILE_NAMES
        : [defaultProfile.name, ...DEVICE_PROFILE_NAMES],
      unit: '',
      description: 'Device profile the per-run overrides apply to.',
      default: defaultProfile.name,
      defaultDescription: defaultProfile.name,
    },
    engine: {
      name: 'engine',
      kind: 'enum',
      values: ENGINE_NAMES,
      unit: '',
      description:
        'Inference engine of the run: onnxruntime (fast) or TensorFlow.js (the reference); both simulate the same hardware, so an axis over it compares them.',
      default: null,
      defaultDescription: "the model's default engine (onnx where the model has ONNX graphs)",
    },
    digitalBaseline: {
      ...device('digitalBaseline'),
      description: `${profileFieldAt(DEVICE_KNOB_FIELDS.digitalBaseline).doc.replace(/\.$/, '')}: int8 weight-stationary dataflow, int8 MACs only (perfect reuse), int8 with weights from DRAM, or ternary add/subtract (docs/energy-model.md).`,
    },
  };
}

/** The parameters as the platform describes them: defaults from the hardware's default profile. */
export const PARAMETER_DESCRIPTORS = parameterDescriptors(DEFAULT_DEVICE_PROFILE);

export const PARAMETER_NAMES = Object.keys(PARAMETER_DESCRIPTORS) as ParameterName[];

/** Parameters that have no default: a sweep must set them in the grid or in `fixed`. */
export const REQUIRED_PARAMETERS: readonly ParameterName[] = PARAMETER_NAMES.filter(
  (name) => PARAMETER_DESCRIPTORS[name].defaultDescription === 'required',
);

/**
 * Values the platform writes explicitly when a sweep leaves them unset, so that two sweeps that
 * mean the same run also hash to the same identity. Device overrides stay unset (they mean "the
 * profile's value", which the profile name already pins down).
 */
export const PLATFORM_DEFAULTS = {
  deviceProfile: DEFAULT_DEVICE_PROFILE.name,
  exitRule: EXIT_RULE_NAMES[0],
  split: SPLIT_NAMES[0],
  seed: DEFAULT_SEED,
} as const;
