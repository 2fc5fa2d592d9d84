import {
  DEFAULT_DEVICE_PROFILE,
  DEVICE_KNOB_FIELDS,
  DeviceProfile,
  profileFieldAt,
  profileValueAt,
  withOverrides,
} from '@engram/hardware';
import { DEVICE_PROFILE_NAMES, ENGINE_NAMES, EXIT_RULE_NAMES } from './names';
import {
  DEFAULT_SEED,
  PARAMETER_DESCRIPTORS,
  PARAMETER_NAMES,
  PLATFORM_DEFAULTS,
  REQUIRED_PARAMETERS,
  parameterDescriptors,
  type ParameterDescriptor,
  type ParameterName,
} from './parameters';

/** A profile whose every swept device value differs from the default profile's. */
const EDITED: DeviceProfile = withOverrides(DEFAULT_DEVICE_PROFILE, {
  name: 'edited-profile',
  programmingNoise: { model: 'uniform', relativeStd: 0.047 },
  readNoise: { model: 'state-dependent', lrsRelativeStd: 0.021, hrsRelativeStd: 0.013 },
  adc: { bits: 5 },
  dac: { bits: 3 },
  stuckAtFaults: { lrsRate: 0.011, hrsRate: 0.007 },
  tile: { rows: 96, cols: 48 },
  digitalBaseline: { name: 'ternary-digital' },
});

const deviceParameters = PARAMETER_NAMES.filter(
  (name) => PARAMETER_DESCRIPTORS[name].profileField !== undefined,
);

/** What the descriptor of a device parameter must say its default is, read from `profile`. */
function expectedDefault(name: ParameterName, profile: DeviceProfile) {
  const value = profileValueAt(
    profile,
    DEVICE_KNOB_FIELDS[name as keyof typeof DEVICE_KNOB_FIELDS],
  );
  if (typeof value !== 'object' || value === null) return { value, text: `(${String(value)})` };
  const noise = value as {
    model: string;
    relativeStd?: number;
    lrsRelativeStd?: number;
    hrsRelativeStd?: number;
  };
  if (noise.model === 'uniform')
    return { value: noise.relativeStd, text: `(${noise.relativeStd})` };
  return {
    value: null,
    text: `${+((noise.lrsRelativeStd ?? NaN) * 100).toFixed(4)}% LRS, ${+((noise.hrsRelativeStd ?? NaN) * 100).toFixed(4)}% HRS`,
  };
}

describe('sweep parameter descriptors', () => {
  it('cover every device knob a sweep may set, each naming the profile field it overrides', () => {
    expect(deviceParameters).toEqual([
      'programmingNoise',
      'readNoise',
      'adcBits',
      'dacBits',
      'stuckAtLrsRate',
      'stuckAtHrsRate',
      'tileRows',
      'tileCols',
      'digitalBaseline',
    ]);
    for (const name of deviceParameters) {
      expect(PARAMETER_DESCRIPTORS[name].profileField).toBe(
        DEVICE_KNOB_FIELDS[name as keyof typeof DEVICE_KNOB_FIELDS],
      );
    }
  });

  it.each([
    ['the default profile', DEFAULT_DEVICE_PROFILE],
    ['an edited profile', EDITED],
  ])('take each device default from %s, never from a written-down number', (_, profile) => {
    const descriptors = parameterDescriptors(profile);
    for (const name of deviceParameters) {
      const { value, text } = expectedDefault(name, profile);
      expect({ name, default: descriptors[name].default }).toEqual({ name, default: value });
      expect(descriptors[name].defaultDescription).toContain(text);
    }
  });

  it('differ between the default and the edited profile in every device default', () => {
    const edited = parameterDescriptors(EDITED);
    for (const name of deviceParameters) {
      expect({ name, text: edited[name].defaultDescription }).not.toEqual({
        name,
        text: PARAMETER_DESCRIPTORS[name].defaultDescription,
      });
    }
  });

  it("read each device parameter's meaning and unit from the profile field's declaration", () => {
    for (const name of deviceParameters) {
      const descriptor = PARAMETER_DESCRIPTORS[name];
      const field = profileFieldAt(descriptor.profileField ?? '');
      if (field.kind === 'group' || field.kind === 'version' || field.kind === 'name') {
        throw new Error(`${name} points at a ${field.kind} field`);
      }
      expect(descriptor.description.startsWith(field.doc.replace(/\.$/, ''))).toBe(true);
      expect(descriptor.unit).toBe(field.unit);
    }
  });

  it('keep sweep ranges within what the profile accepts', () => {
    for (const name of deviceParameters) {
      const descriptor: ParameterDescriptor = PARAMETER_DESCRIPTORS[name];
      const field = profileFieldAt(descriptor.profileField ?? '');
      if (descriptor.kind === 'enum') {
        expect(field.kind === 'choice' && field.choices).toEqual(descriptor.values);
        continue;
      }
      const bounds = field.kind === 'noise-model' ? field.bounds : field;
      if (bounds.kind !== 'number') throw new Error(`${name}: not a numeric field`);
      expect(descriptor.minimum).toBeGreaterThanOrEqual(bounds.min);
      expect(descriptor.maximum).toBeLessThanOrEqual(bounds.max);
      if (bounds.minExclusive) expect(descriptor.minimum).toBeGreaterThan(bounds.min);
      expect(descriptor.kind === 'integer').toBe(bounds.integer === true);
      if (typeof descriptor.default === 'number') {
        expect(descriptor.default).toBeGreaterThanOrEqual(descriptor.minimum);
        expect(descriptor.default).toBeLessThanOrEqual(descriptor.maximum);
      }
    }
  });

  it('name the default profile, engines and exit rules the names list', () => {
    expect(PARAMETER_DESCRIPTORS.deviceProfile.default).toBe(DEFAULT_DEVICE_PROFILE.name);
    expect(PARAMETER_DESCRIPTORS.deviceProfile).toMatchObject({ values: DEVICE_PROFILE_NAMES });
    expect(parameterDescriptors(EDITED).deviceProfile.default).toBe('edited-profile');
    expect(PARAMETER_DESCRIPTORS.engine).toMatchObject({ values: ENGINE_NAMES });
    expect(PARAMETER_DESCRIPTORS.exitRule).toMatchObject({ values: EXIT_RULE_NAMES });
    expect(PLATFORM_DEFAULTS.deviceProfile).toBe(DEFAULT_DEVICE_PROFILE.name);
    expect(PARAMETER_DESCRIPTORS.exitRule.default).toBe(PLATFORM_DEFAULTS.exitRule);
    expect(PARAMETER_DESCRIPTORS.seed.default).toBe(DEFAULT_SEED);
  });

  it('require exactly the parameters without a default', () => {
    expect(REQUIRED_PARAMETERS).toEqual(['camThreshold', 'memorySize']);
    for (const name of REQUIRED_PARAMETERS) expect(PARAMETER_DESCRIPTORS[name].default).toBeNull();
  });
});
