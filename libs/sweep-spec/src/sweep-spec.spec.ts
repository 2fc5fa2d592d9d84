import {
  MODEL_REGISTRY,
  SweepSpec,
  SweepSpecError,
  SweepSpecValidator,
  collapsedRunIssues,
  expandSweep,
  parseSpecText,
  runConfigHash,
  specFormatOf,
} from './index';
import { canonicalJson } from './run-identity';
import { countRuns } from './sweep-spec';

const validator = new SweepSpecValidator({ maxRuns: 10_000 });

const baseSpec: SweepSpec = {
  name: 'noise sweep',
  model: 'resnet-mnist',
  grid: { readNoise: [0, 0.02], camThreshold: [0.1, 0.2, 0.3] },
  fixed: { memorySize: 4 },
  sampleCount: 100,
};

function issuesOf(input: unknown): { field: string; message: string }[] {
  try {
    validator.validate(input);
  } catch (error) {
    if (error instanceof SweepSpecError) return error.issues;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

describe('SweepSpecValidator', () => {
  it('accepts a valid spec', () => {
    expect(validator.validate(baseSpec)).toEqual(baseSpec);
  });

  it('names an unknown model', () => {
    const issues = issuesOf({ ...baseSpec, model: 'vgg-cifar' });
    expect(issues).toEqual([{ field: 'model', message: expect.stringContaining('unknown model') }]);
  });

  it('names an unknown axis', () => {
    const issues = issuesOf({ ...baseSpec, grid: { ...baseSpec.grid, shotNoise: [1] } });
    expect(issues).toEqual([
      { field: 'grid.shotNoise', message: expect.stringContaining('unknown axis') },
    ]);
  });

  it('names the value out of range, by index', () => {
    const issues = issuesOf({ ...baseSpec, grid: { readNoise: [0, 1.5], camThreshold: [0.1] } });
    expect(issues).toEqual([{ field: 'grid.readNoise[1]', message: 'must be <= 1' }]);
  });

  it('takes the engine as an axis and rejects one the model does not run on', () => {
    const both = { ...baseSpec, grid: { ...baseSpec.grid, engine: ['onnx', 'tfjs'] } };
    expect([...expandSweep(validator.validate(both))].map((r) => r.config.engine)).toEqual(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 'onnx' : 'tfjs')), // the last axis varies fastest
    );
    const pointNet = {
      ...baseSpec,
      model: 'pointnet2-modelnet10',
      fixed: { memorySize: 4, engine: 'onnx' },
    };
    expect([...expandSweep(validator.validate(pointNet))][0].config.engine).toBe('onnx');
    const defaulted = [
      ...expandSweep(validator.validate({ ...pointNet, fixed: { memorySize: 4 } })),
    ];
    expect(defaulted[0].config.engine).toBe('onnx');
    // Every registered model runs on both engines; a model with one engine rejects the other.
    const restore = jest.replaceProperty(MODEL_REGISTRY['pointnet2-modelnet10'], 'engines', [
      'tfjs',
    ]);
    try {
      expect(issuesOf(pointNet)).toEqual([
        { field: 'fixed.engine', message: 'pointnet2-modelnet10 runs on tfjs, not onnx' },
      ]);
    } finally {
      restore.restore();
    }
  });

  it('takes per-exit thresholds that override camThreshold at their exit', () => {
    const spec = validator.validate({
      ...baseSpec,
      grid: { camThresholdExit2: [0.05, 0.3] },
      fixed: { memorySize: 4, camThreshold: 0.1 },
    });
    expect([...expandSweep(spec)].map((r) => r.config.camThreshold)).toEqual([
      [0.1, 0.05],
      [0.1, 0.3],
    ]);
    const both = validator.validate({
      ...baseSpec,
      grid: { camThresholdExit1: [0.2] },
      fixed: { memorySize: 4, camThreshold: 0.1, camThresholdExit2: 0.4 },
    });
    expect([...expandSweep(both)][0].config.camThreshold).toEqual([0.2, 0.4]);
    expect(
      issuesOf({ ...baseSpec, grid: { camThreshold: [0.1], camThresholdExit1: [1.5] } }),
    ).toEqual([{ field: 'grid.camThresholdExit1[0]', message: 'must be <= 1' }]);
  });

  it('rejects a non-integer memory size in fixed', () => {
    const issues = issuesOf({ ...baseSpec, fixed: { memorySize: 2.5 } });
    expect(issues).toEqual([{ field: 'fixed.memorySize', message: 'must be integer' }]);
  });

  it('names an empty axis', () => {
    const issues = issuesOf({ ...baseSpec, grid: { ...baseSpec.grid, adcBits: [] } });
    expect(issues).toEqual([{ field: 'grid.adcBits', message: expect.stringContaining('empty') }]);
  });

  it('rejects a grid larger than the maximum', () => {
    const small = new SweepSpecValidator({ maxRuns: 5 });
    expect(() => small.validate(baseSpec)).toThrow(
      /grid: expands to 6 runs, more than the maximum of 5/,
    );
  });

  it('requires camThreshold and memorySize somewhere', () => {
    const issues = issuesOf({ name: 'x', model: 'resnet-mnist', grid: { readNoise: [0] } });
    expect(issues.map((i) => i.field)).toEqual(['grid.camThreshold', 'grid.memorySize']);
  });

  it('rejects a parameter set both in grid and fixed', () => {
    const issues = issuesOf({ ...baseSpec, fixed: { memorySize: 4, readNoise: 0.1 } });
    expect(issues).toEqual([
      { field: 'fixed.readNoise', message: expect.stringContaining('also a grid axis') },
    ]);
  });

  it('rejects repeats with a seed axis, and sample counts beyond the split', () => {
    const issues = issuesOf({
      ...baseSpec,
      grid: { ...baseSpec.grid, seed: [1, 2] },
      repeats: 3,
      sampleCount: 20_000,
    });
    expect(issues.map((i) => i.field).sort()).toEqual(['repeats', 'sampleCount']);
  });

  it('rejects unknown top-level fields and duplicate axis values', () => {
    const issues = issuesOf({
      ...baseSpec,
      grid: { ...baseSpec.grid, adcBits: [4, 4] },
      colour: 'red',
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: 'colour', message: 'unknown field' },
        { field: 'grid.adcBits', message: 'values must be distinct' },
      ]),
    );
  });
});

describe('SweepSpecValidator: values PostgreSQL cannot store, and texts that show nothing', () => {
  it('refuses NUL, lone surrogates and invisible names, naming the field', () => {
    const cases: [Partial<SweepSpec>, string, RegExp][] = [
      [{ name: 'a\u0000b' }, 'name', /NUL/],
      [{ name: 'broken \ud800' }, 'name', /lone UTF-16 surrogate/],
      [{ name: '   ' }, 'name', /visible character/],
      [{ name: '\u200b' }, 'name', /visible character/],
      [{ name: '\u00a0\t\u2060' }, 'name', /visible character/],
      [{ description: 'x\u0000' }, 'description', /NUL/],
      [{ description: '\udfff' }, 'description', /surrogate/],
    ];
    for (const [change, field, message] of cases)
      expect(issuesOf({ ...baseSpec, ...change })).toEqual([
        { field, message: expect.stringMatching(message) },
      ]);
    // Emoji (a surrogate pair) and blank descriptions are fine.
    expect(() =>
      validator.validate({ ...baseSpec, name: '\ud83d\ude00', description: ' ' }),
    ).not.toThrow();
  });

  it('bounds sampleCount by the column type and the split, and seed + repeats by the seed range', () => {
    for (const sampleCount of [3e9, 1e300])
      expect(issuesOf({ ...baseSpec, sampleCount }).map((i) => i.field)).toEqual(['sampleCount']);
    expect(
      issuesOf({ ...baseSpec, fixed: { memorySize: 4, seed: 2 ** 31 - 2 }, repeats: 3 }),
    ).toEqual([{ field: 'repeats', message: expect.stringMatching(/largest seed 2147483647/) }]);
    expect(() =>
      validator.validate({ ...baseSpec, fixed: { memorySize: 4, seed: 2 ** 31 - 3 }, repeats: 3 }),
    ).not.toThrow();
  });
});

describe('collapsedRunIssues', () => {
  it('names the axes whose values resolve to the same run', () => {
    // Both exits have thresholds of their own: the common camThreshold axis changes nothing.
    const spec = validator.validate({
      ...baseSpec,
      grid: { camThreshold: [0.1, 0.2], readNoise: [0, 0.02] },
      fixed: { memorySize: 4, camThresholdExit1: 0.3, camThresholdExit2: 0.3 },
    });
    const runs = [...expandSweep(spec)].map((run) => ({
      ...run,
      configHash: runConfigHash(spec.model, 'v1', run.config),
    }));
    expect(collapsedRunIssues(runs)).toEqual([
      { field: 'grid.camThreshold', message: expect.stringMatching(/same run configuration/) },
    ]);
    const distinct = validator.validate(baseSpec);
    expect(
      collapsedRunIssues(
        [...expandSweep(distinct)].map((run) => ({
          ...run,
          configHash: runConfigHash(distinct.model, 'v1', run.config),
        })),
      ),
    ).toEqual([]);
  });
});

describe('expandSweep', () => {
  it('yields the Cartesian product with platform defaults filled in', () => {
    const runs = [...expandSweep(baseSpec)];
    expect(runs).toHaveLength(countRuns(baseSpec));
    expect(runs).toHaveLength(6);
    // readNoise precedes camThreshold in the registry order; the last axis varies fastest.
    expect(runs.map((r) => [r.gridValues.readNoise, r.gridValues.camThreshold])).toEqual([
      [0, 0.1],
      [0, 0.2],
      [0, 0.3],
      [0.02, 0.1],
      [0.02, 0.2],
      [0.02, 0.3],
    ]);
    expect(runs[3].config).toEqual({
      model: 'resnet-mnist',
      deviceProfile: 'rram-40nm-ternary',
      device: { readNoise: 0.02 },
      camThreshold: 0.1,
      exitRule: 'margin',
      memorySize: 4,
      seed: 0,
      split: 'test',
      sampleCount: 100,
      engine: 'onnx',
    });
  });

  it('repeats each grid point with consecutive seeds from the fixed seed', () => {
    const spec: SweepSpec = {
      ...baseSpec,
      grid: { camThreshold: [0.1, 0.2] },
      fixed: { memorySize: 2, seed: 7 },
      repeats: 3,
    };
    const runs = [...expandSweep(spec)];
    expect(runs.map((r) => [r.config.camThreshold, r.config.seed, r.repeat])).toEqual([
      [0.1, 7, 0],
      [0.1, 8, 1],
      [0.1, 9, 2],
      [0.2, 7, 0],
      [0.2, 8, 1],
      [0.2, 9, 2],
    ]);
  });

  // How fast is measured by `npm run bench:platform`, not here (these machines are shared).
  it('expands a 10,000-run grid into 10,000 distinct runs', () => {
    const spec: SweepSpec = {
      name: 'big',
      model: 'resnet-mnist',
      grid: {
        seed: Array.from({ length: 100 }, (_, i) => i),
        camThreshold: Array.from({ length: 100 }, (_, i) => i / 100),
      },
      fixed: { memorySize: 1 },
    };
    const hashes = new Set(
      [...expandSweep(validator.validate(spec))].map((r) =>
        runConfigHash('resnet-mnist', 'v1', r.config),
      ),
    );
    expect(hashes.size).toBe(10_000);
  });
});

describe('run identity', () => {
  const config = [...expandSweep(baseSpec)][0].config;

  it('does not depend on key order', () => {
    const reordered = Object.fromEntries(Object.entries(config).reverse()) as typeof config;
    expect(runConfigHash('resnet-mnist', 'v1', reordered)).toBe(
      runConfigHash('resnet-mnist', 'v1', config),
    );
  });

  it('changes with the artifact version and with any parameter', () => {
    const hash = runConfigHash('resnet-mnist', 'v1', config);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(runConfigHash('resnet-mnist', 'v2', config)).not.toBe(hash);
    expect(runConfigHash('resnet-mnist', 'v1', { ...config, seed: 1 })).not.toBe(hash);
    expect(runConfigHash('resnet-mnist', 'v1', { ...config, device: { readNoise: 0.5 } })).not.toBe(
      hash,
    );
  });

  it('is the same for configurations that resolve to the same run', () => {
    const hash = runConfigHash('resnet-mnist', 'v1', config);
    const same = (other: typeof config) => runConfigHash('resnet-mnist', 'v1', other);
    // Knobs set to the default profile's own values (8-bit ADC, 128-row tiles).
    expect(same({ ...config, device: { ...config.device, adcBits: 8 } })).toBe(hash);
    expect(same({ ...config, deviceProfile: undefined, exitRule: undefined })).toBe(hash);
    expect(same({ ...config, split: undefined, engine: undefined })).toBe(hash);
    // One threshold for both exits, written out per exit; the whole test split as a count.
    const t = config.camThreshold as number;
    expect(same({ ...config, camThreshold: [t, t] })).toBe(hash);
    const whole = same({ ...config, sampleCount: undefined });
    expect(same({ ...config, sampleCount: 10_000 })).toBe(whole);
    expect(same({ ...config, sampleCount: 9_999 })).not.toBe(whole);
    expect(same({ ...config, camThreshold: [t, t + 0.01] })).not.toBe(hash);
    expect(same({ ...config, device: { ...config.device, adcBits: 6 } })).not.toBe(hash);
  });

  it('tells measured runs from derived ones; derived is the default and hashes as before', () => {
    const hash = runConfigHash('resnet-mnist', 'v1', config);
    expect(runConfigHash('resnet-mnist', 'v1', { ...config, timing: 'derived' })).toBe(hash);
    expect(runConfigHash('resnet-mnist', 'v1', { ...config, timing: 'measured' })).not.toBe(hash);
    const measured = [...expandSweep(validator.validate({ ...baseSpec, timing: 'measured' }))];
    expect(measured.every((r) => r.config.timing === 'measured')).toBe(true);
    const derived = [...expandSweep(validator.validate({ ...baseSpec, timing: 'derived' }))];
    expect(derived.map((r) => r.config)).toEqual([...expandSweep(baseSpec)].map((r) => r.config));
    expect(() => validator.validate({ ...baseSpec, timing: 'fast' })).toThrow(SweepSpecError);
  });

  it('identifies an invalid device too (its run fails with the reason)', () => {
    const bad = { ...config, device: { adcBits: 99 } };
    expect(runConfigHash('resnet-mnist', 'v1', bad)).toMatch(/^[0-9a-f]{64}$/);
    expect(runConfigHash('resnet-mnist', 'v1', bad)).not.toBe(
      runConfigHash('resnet-mnist', 'v1', { ...config, device: { adcBits: 98 } }),
    );
  });

  it('canonical JSON sorts nested keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2}]},"b":1}',
    );
  });
});

describe('spec text', () => {
  it('parses YAML and JSON to the same spec', () => {
    const yamlText = [
      'name: noise sweep',
      'model: resnet-mnist',
      'grid:',
      '  readNoise: [0, 0.02]',
      '  camThreshold: [0.1, 0.2, 0.3]',
      'fixed:',
      '  memorySize: 4',
      'sampleCount: 100',
    ].join('\n');
    expect(specFormatOf('sweep.yml')).toBe('yaml');
    expect(specFormatOf('sweep.json')).toBe('json');
    expect(parseSpecText(yamlText, 'yaml')).toEqual(baseSpec);
    expect(parseSpecText(JSON.stringify(baseSpec), 'json')).toEqual(baseSpec);
  });
});
