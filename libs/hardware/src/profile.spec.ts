import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import type { DeviceProfile } from './profile';
import { loadDeviceProfile } from './profile-load';
import { withOverrides } from './profile-overrides';
import { deviceProfileWithKnobs } from './device-knobs';
import { DeviceProfileError, parseDeviceProfile } from './profile-parse';

type Json = Record<string, unknown>;

/** The default profile as mutable JSON with `edit` applied. */
function editedDefault(edit: (json: Json) => void): Json {
  const json = JSON.parse(JSON.stringify(DEFAULT_DEVICE_PROFILE)) as Json;
  edit(json);
  return json;
}

function section(json: Json, key: string): Json {
  return json[key] as Json;
}

function parseError(json: unknown): DeviceProfileError {
  try {
    parseDeviceProfile(json);
  } catch (error) {
    if (error instanceof DeviceProfileError) return error;
    throw error;
  }
  throw new Error('expected parseDeviceProfile to throw');
}

/** A cited source or an explicit assumption label, as the default profile's comments must carry. */
const SOURCE_OR_ASSUMPTION =
  /assumption|NeuRRAM|Wan et al|aihwkit|NeuroSim|ISAAC|Kull|Horowitz|Li et al|CAMASim|Eva-CAM/i;

/**
 * Reads default-profile.ts and returns, for every default value, whether it carries its own
 * source: a comment on the line, a comment block right above it, or (for a value that shares the
 * block of the field before it, as hrsUs/lrsUs do) a block that states this very value.
 */
function defaultValueSources(): { checked: string[]; uncited: string[] } {
  const source = readFileSync(join(__dirname, 'default-profile.ts'), 'utf8');
  const lines = source.slice(source.indexOf('deepFreeze({') + 'deepFreeze({'.length).split('\n');
  const path: string[] = [];
  const checked: string[] = [];
  const uncited: string[] = [];
  let block = '';
  let afterComment = false;
  for (const line of lines) {
    const text = line.trim();
    if (text.startsWith('//')) {
      block = afterComment ? `${block} ${text}` : text;
      afterComment = true;
      continue;
    }
    const field = /^(\w+): (.*?),?$/.exec(text);
    if (field) {
      const [, key, value] = field;
      if (value === '{') {
        path.push(key);
        block = '';
      } else if (!(path.length === 0 && (key === 'version' || key === 'name'))) {
        const fieldPath = [...path, key].join('.');
        checked.push(fieldPath);
        const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const cited = value.includes('//')
          ? SOURCE_OR_ASSUMPTION.test(value)
          : afterComment
            ? SOURCE_OR_ASSUMPTION.test(block)
            : block !== '' && new RegExp(`(?<!\\w)${escaped}(?!\\w)`).test(block);
        if (!cited) uncited.push(`${fieldPath}: ${value}`);
      }
    } else if (text.startsWith('}')) {
      path.pop();
      block = '';
    }
    afterComment = false;
  }
  return { checked, uncited };
}

/** Leaf paths of a plain object (null counts as a leaf). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([key, child]) =>
    leafPaths(child, prefix ? `${prefix}.${key}` : key),
  );
}

describe('default device profile', () => {
  it('is named, versioned and valid', () => {
    expect(DEFAULT_DEVICE_PROFILE.name).toBe('rram-40nm-ternary');
    expect(DEFAULT_DEVICE_PROFILE.version).toBe(1);
    expect(parseDeviceProfile(JSON.parse(JSON.stringify(DEFAULT_DEVICE_PROFILE)))).toEqual(
      DEFAULT_DEVICE_PROFILE,
    );
  });

  it('cannot be mutated by a consumer', () => {
    expect(Object.isFrozen(DEFAULT_DEVICE_PROFILE.adc)).toBe(true);
    expect(Object.isFrozen(DEFAULT_DEVICE_PROFILE.programmingNoise)).toBe(true);
  });

  it('gives every default value a source comment or an assumption label', () => {
    const { checked, uncited } = defaultValueSources();
    // Every field of the profile was looked at (one-line objects such as tile count as one value).
    const uncovered = leafPaths(DEFAULT_DEVICE_PROFILE).filter(
      (leaf) =>
        leaf !== 'version' &&
        leaf !== 'name' &&
        !checked.some((path) => leaf === path || leaf.startsWith(`${path}.`)),
    );
    expect(uncovered).toEqual([]);
    expect(uncited).toEqual([]);
  });

  it('uses the published figures it cites', () => {
    const profile = DEFAULT_DEVICE_PROFILE;
    expect([profile.conductance.hrsUs, profile.conductance.lrsUs]).toEqual([1, 40]);
    // aihwkit ReRamWan2022 polynomial at 40 µS and 1 µS, over the 39 µS window.
    const sigmaUs = (g: number): number => {
      const x = g / 40;
      return 0.348 + 16.03 * x - 43.853 * x ** 2 + 45.393 * x ** 3 - 16.815 * x ** 4;
    };
    expect(profile.programmingNoise).toEqual({
      model: 'state-dependent',
      lrsRelativeStd: expect.closeTo(sigmaUs(40) / 39, 4),
      hrsRelativeStd: expect.closeTo(sigmaUs(1) / 39, 4),
    });
    expect(profile.tile).toEqual({ rows: 128, cols: 128 });
    expect(profile.adc.bits).toBe(8);
    expect(profile.energy.dacPjPerBit).toBe(0.417);
    expect(profile.energy.camBitSearchPj).toBeCloseTo(1.28 / 64, 10);
  });
});

describe('parseDeviceProfile', () => {
  it('names the field and the allowed range of an out-of-range value', () => {
    const error = parseError(editedDefault((json) => (section(json, 'adc')['bits'] = 40)));
    expect(error.message).toBe('device profile: adc.bits must be an integer in [2, 16], got 40');
    expect(error.fieldPath).toBe('adc.bits');
  });

  it('rejects a value of the wrong type', () => {
    const error = parseError(editedDefault((json) => (section(json, 'tile')['rows'] = '128')));
    expect(error.message).toBe(
      'device profile: tile.rows must be an integer in [1, 4096], got "128" (string)',
    );
  });

  it('rejects a fractional integer and a negative rate', () => {
    expect(parseError(editedDefault((json) => (section(json, 'dac')['bits'] = 7.5))).message).toBe(
      'device profile: dac.bits must be an integer in [1, 16], got 7.5',
    );
    const negative = editedDefault((json) => (section(json, 'stuckAtFaults')['lrsRate'] = -0.1));
    expect(parseError(negative).message).toBe(
      'device profile: stuckAtFaults.lrsRate must be a number in [0, 1], got -0.1',
    );
  });

  it('rejects unknown fields, at the top level and nested', () => {
    expect(parseError(editedDefault((json) => (json['gain'] = 2))).message).toMatch(
      /^device profile: gain is not a known field; allowed fields: version, name, conductance/,
    );
    const nested = parseError(editedDefault((json) => (section(json, 'adc')['offset'] = 0)));
    expect(nested.message).toBe(
      'device profile: adc.offset is not a known field; allowed fields: bits, rangePolicy, calibrationPercentile, calibrationData',
    );
    const noiseField = editedDefault(
      (json) => (section(json, 'programmingNoise')['relativeStd'] = 0.05),
    );
    expect(parseError(noiseField).message).toMatch(
      /^device profile: programmingNoise\.relativeStd is not a known field/,
    );
  });

  it('refuses a profile pricing the crossbar both at macro and at component level', () => {
    const both = editedDefault((json) => (section(json, 'energy')['macroMacPj'] = 0.045));
    const error = parseError(both);
    expect(error.message).toMatch(
      /^device profile: energy\.macroMacPj and energy\.cellReadPjPerPulse are both set: /,
    );
    expect(error.fieldPath).toBe('energy.macroMacPj');
    const neither = editedDefault((json) => (section(json, 'energy')['cellReadPjPerPulse'] = null));
    expect(parseError(neither).message).toMatch(
      /energy\.macroMacPj and energy\.cellReadPjPerPulse are both null/,
    );
    const macroOnly = editedDefault((json) => {
      section(json, 'energy')['macroMacPj'] = 0.045;
      section(json, 'energy')['cellReadPjPerPulse'] = null;
    });
    expect(parseDeviceProfile(macroOnly).energy.macroMacPj).toBe(0.045);
  });

  it('accepts the named digital baselines only', () => {
    const ternary = editedDefault(
      (json) => (section(json, 'digitalBaseline')['name'] = 'ternary-digital'),
    );
    expect(parseDeviceProfile(ternary).digitalBaseline.name).toBe('ternary-digital');
    const unknown = editedDefault((json) => (section(json, 'digitalBaseline')['name'] = 'gpu'));
    expect(parseError(unknown).message).toBe(
      "device profile: digitalBaseline.name must be one of 'int8-dataflow', 'int8-mac-only', 'int8-dram-weights', 'ternary-digital', got \"gpu\" (string)",
    );
  });

  it('requires HRS conductance below LRS conductance', () => {
    const error = parseError(editedDefault((json) => (section(json, 'conductance')['hrsUs'] = 40)));
    expect(error.message).toBe(
      'device profile: conductance.lrsUs must be greater than conductance.hrsUs (40), got 40',
    );
  });

  it('reports missing fields, bad choices, versions and non-objects', () => {
    expect(
      parseError(editedDefault((json) => delete section(json, 'energy')['macroMacPj'])).message,
    ).toBe('device profile: energy.macroMacPj is required');
    const policy = editedDefault((json) => (section(json, 'adc')['rangePolicy'] = 'auto'));
    expect(parseError(policy).message).toBe(
      "device profile: adc.rangePolicy must be one of 'full-scale', 'calibrated', got \"auto\" (string)",
    );
    const model = editedDefault((json) => (section(json, 'readNoise')['model'] = 'pink'));
    expect(parseError(model).message).toMatch(/^device profile: readNoise\.model must be one of/);
    expect(parseError(editedDefault((json) => (json['version'] = 2))).message).toBe(
      'device profile: version must be 1, got 2',
    );
    expect(parseError([]).message).toBe('device profile: (root) must be an object, got an array');
    expect(parseError(editedDefault((json) => (json['tile'] = null))).message).toBe(
      'device profile: tile must be an object, got null',
    );
  });

  it('checks cross-field constraints', () => {
    const faults = editedDefault(
      (json) => (json['stuckAtFaults'] = { lrsRate: 0.6, hrsRate: 0.5 }),
    );
    expect(parseError(faults).fieldPath).toBe('stuckAtFaults.hrsRate');
    const drift = editedDefault(
      (json) => (json['drift'] = { nu: 0.05, referenceTimeSeconds: 10, readTimeSeconds: 1 }),
    );
    expect(parseError(drift).message).toBe(
      'device profile: drift.readTimeSeconds must be at least drift.referenceTimeSeconds (10), got 1',
    );
    const ceiling = editedDefault((json) => (section(json, 'conductance')['maxUs'] = 30));
    expect(parseError(ceiling).fieldPath).toBe('conductance.maxUs');
  });
});

describe('withOverrides', () => {
  it('deep-merges sweep parameters and validates the result', () => {
    const swept = withOverrides(DEFAULT_DEVICE_PROFILE, {
      readNoise: { relativeStd: 0.03 },
      adc: { bits: 6 },
    });
    expect(swept.readNoise).toEqual({ model: 'uniform', relativeStd: 0.03 });
    expect(swept.adc).toEqual({ ...DEFAULT_DEVICE_PROFILE.adc, bits: 6 });
    expect(swept.dac).toEqual(DEFAULT_DEVICE_PROFILE.dac);
    expect(DEFAULT_DEVICE_PROFILE.adc.bits).toBe(8);
  });

  it('replaces a noise model whose kind changes', () => {
    const swept = withOverrides(DEFAULT_DEVICE_PROFILE, {
      programmingNoise: { model: 'uniform', relativeStd: 0.06 },
    });
    expect(swept.programmingNoise).toEqual({ model: 'uniform', relativeStd: 0.06 });
  });

  it('switches drift on and off', () => {
    const drifting = withOverrides(DEFAULT_DEVICE_PROFILE, {
      drift: { nu: 0.05, referenceTimeSeconds: 1, readTimeSeconds: 3600 },
    });
    expect(drifting.drift).toEqual({ nu: 0.05, referenceTimeSeconds: 1, readTimeSeconds: 3600 });
    expect(withOverrides(drifting, { drift: null }).drift).toBeNull();
  });

  it('rejects invalid overrides with the field path', () => {
    expect(() => withOverrides(DEFAULT_DEVICE_PROFILE, { adc: { bits: 40 } })).toThrow(
      'device profile: adc.bits must be an integer in [2, 16], got 40',
    );
    const unknown = { adc: { gain: 1 } } as unknown as Partial<DeviceProfile>;
    expect(() => withOverrides(DEFAULT_DEVICE_PROFILE, unknown)).toThrow(DeviceProfileError);
  });
});

describe('loadDeviceProfile', () => {
  let directory: string;
  beforeAll(() => (directory = mkdtempSync(join(tmpdir(), 'engram-profile-'))));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('loads and validates a JSON file', () => {
    const path = join(directory, 'profile.json');
    writeFileSync(path, JSON.stringify(DEFAULT_DEVICE_PROFILE));
    expect(loadDeviceProfile(path)).toEqual(DEFAULT_DEVICE_PROFILE);
  });

  it('reports malformed JSON and invalid content as DeviceProfileError', () => {
    const broken = join(directory, 'broken.json');
    writeFileSync(broken, '{ "version": 1,');
    expect(() => loadDeviceProfile(broken)).toThrow(
      /device profile: \(root\) in .* is not valid JSON/,
    );
    const invalid = join(directory, 'invalid.json');
    writeFileSync(invalid, JSON.stringify(editedDefault((json) => (json['name'] = ''))));
    expect(() => loadDeviceProfile(invalid)).toThrow(
      'device profile: name must be a non-empty string',
    );
  });
});

describe('deviceProfileWithKnobs', () => {
  it('maps the flat knobs onto the named profile and names a bad one', () => {
    const profile = deviceProfileWithKnobs(undefined, { adcBits: 6, programmingNoise: 0.1 });
    expect(profile.adc.bits).toBe(6);
    expect(profile.programmingNoise).toEqual({ model: 'uniform', relativeStd: 0.1 });
    expect(profile.tile).toEqual(DEFAULT_DEVICE_PROFILE.tile);
    expect(deviceProfileWithKnobs(DEFAULT_DEVICE_PROFILE.name, {})).toEqual(DEFAULT_DEVICE_PROFILE);
    expect(() => deviceProfileWithKnobs('nope')).toThrow(/name nope is not a known profile/);
    expect(() => deviceProfileWithKnobs(undefined, { adcBits: 40 })).toThrow(/adc.bits/);
  });
});
