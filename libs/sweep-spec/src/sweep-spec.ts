import Ajv, { ErrorObject } from 'ajv';
import {
  MAX_SEED,
  MODEL_NAMES,
  PARAMETER_NAMES,
  PLATFORM_DEFAULTS,
  REQUIRED_PARAMETERS,
  SPLIT_NAMES,
  type EvaluationSplit,
  type ModelName,
  type ParameterName,
  type ParameterValue,
  type RunTiming,
} from '@engram/contracts';
import { MODEL_REGISTRY, parameterRange } from './model-registry';
import { PARAMETERS, ParameterDefinition } from './parameters';
import { textIssue } from './text';

/** Largest value of a PostgreSQL integer column (runs.sample_count, runs.seed). */
const INT4_MAX = 2 ** 31 - 1;

/** A sweep as users write it (JSON over HTTP, JSON or YAML through the CLI). */
export interface SweepSpec {
  name: string;
  description?: string;
  model: ModelName;
  /** Swept parameters: each axis lists its values; runs are the Cartesian product. */
  grid: Partial<Record<ParameterName, ParameterValue[]>>;
  /** Parameters held constant over the sweep. */
  fixed?: Partial<Record<ParameterName, ParameterValue>>;
  split?: EvaluationSplit;
  /** Samples of the split each run evaluates (default: the whole split). */
  sampleCount?: number;
  /**
   * How the runs are made: 'derived' (the default) from one shared hardware pass per chip, or
   * 'measured': real dynamic inference per run, for its simulator wall times.
   */
  timing?: RunTiming;
  /** Runs per grid point, with seeds counting up from the fixed seed (default 1). */
  repeats?: number;
}

export interface SweepLimits {
  /** Largest number of runs one sweep may expand to. */
  maxRuns: number;
}

/** One problem with a spec; `field` is a path such as `grid.readNoise[2]`. */
export interface SpecIssue {
  field: string;
  message: string;
}

export class SweepSpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(
      `invalid sweep specification: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    );
    this.name = 'SweepSpecError';
  }
}

type JsonSchema = Record<string, unknown>;

function valueSchema(definition: ParameterDefinition): JsonSchema {
  const description = `${definition.description} Default: ${definition.defaultDescription}.`;
  if (definition.kind === 'enum') return { enum: [...definition.values], description };
  return {
    type: definition.kind,
    minimum: definition.minimum,
    maximum: definition.maximum,
    description,
  };
}

/**
 * JSON Schema (draft-07) of a sweep specification, published by the API. Model-specific rules
 * (parameters a model allows, narrower ranges, sample counts) and the run limit are checked by
 * `validateSweepSpec` on top of it.
 */
export function sweepSpecJsonSchema(limits: SweepLimits): JsonSchema {
  const gridAxes: Record<string, JsonSchema> = {};
  const fixedValues: Record<string, JsonSchema> = {};
  for (const name of PARAMETER_NAMES) {
    const value = valueSchema(PARAMETERS[name]);
    gridAxes[name] = {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: value,
      description: value['description'],
    };
    fixedValues[name] = value;
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Engram sweep specification',
    description:
      `A sweep runs one simulation per point of the Cartesian product of its grid axes (times repeats). ` +
      `At most ${limits.maxRuns} runs per sweep. Parameters without a default (${REQUIRED_PARAMETERS.join(', ')}) ` +
      `must be set in the grid or in fixed.`,
    type: 'object',
    required: ['name', 'model', 'grid'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      description: { type: 'string', maxLength: 4000 },
      model: { enum: [...MODEL_NAMES], description: 'Registered model to evaluate.' },
      grid: {
        type: 'object',
        additionalProperties: false,
        properties: gridAxes,
        description: 'Axes to sweep: parameter name -> list of distinct values.',
      },
      fixed: {
        type: 'object',
        additionalProperties: false,
        properties: fixedValues,
        description: 'Parameters held constant over the sweep.',
      },
      split: { enum: [...SPLIT_NAMES], default: PLATFORM_DEFAULTS.split },
      sampleCount: {
        type: 'integer',
        minimum: 1,
        maximum: INT4_MAX,
        description: 'Samples of the split each run evaluates. Default: the whole split.',
      },
      timing: {
        enum: ['derived', 'measured'],
        default: 'derived',
        description:
          'derived: runs sharing a chip (model, device, seed, engine, split, samples) are computed from one hardware pass of that chip, so threshold, memory-size and exit-rule axes cost almost nothing; measured: each run does real dynamic inference of its own (its simulator wall times are measured).',
      },
      repeats: {
        type: 'integer',
        minimum: 1,
        maximum: limits.maxRuns,
        default: 1,
        description:
          'Runs per grid point with consecutive seeds from the fixed seed; not with a seed axis.',
      },
    },
  };
}

/** `/grid/readNoise/2` -> `grid.readNoise[2]`. */
function fieldOf(instancePath: string, child?: string): string {
  const segments = instancePath.split('/').slice(1);
  if (child !== undefined) segments.push(child);
  let field = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) field += `[${segment}]`;
    else field += field ? `.${segment}` : segment;
  }
  return field || '(root)';
}

function issueFromAjv(error: ErrorObject): SpecIssue {
  const parent = error.instancePath;
  switch (error.keyword) {
    case 'additionalProperty':
    case 'additionalProperties': {
      const property = (error.params as { additionalProperty: string }).additionalProperty;
      const field = fieldOf(parent, property);
      if (parent === '/grid')
        return { field, message: `unknown axis; known axes: ${PARAMETER_NAMES.join(', ')}` };
      if (parent === '/fixed')
        return { field, message: `unknown parameter; known: ${PARAMETER_NAMES.join(', ')}` };
      return { field, message: 'unknown field' };
    }
    case 'required': {
      const property = (error.params as { missingProperty: string }).missingProperty;
      return { field: fieldOf(parent, property), message: 'is required' };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.join(', ');
      if (parent === '/model')
        return { field: 'model', message: `unknown model; registered models: ${allowed}` };
      return { field: fieldOf(parent), message: `must be one of: ${allowed}` };
    }
    case 'minItems':
      return { field: fieldOf(parent), message: 'axis is empty: list at least one value' };
    case 'uniqueItems':
      return { field: fieldOf(parent), message: 'values must be distinct' };
    default:
      return { field: fieldOf(parent), message: error.message ?? error.keyword };
  }
}

export function countRuns(spec: Pick<SweepSpec, 'grid' | 'repeats'>): number {
  let runs = spec.repeats ?? 1;
  for (const values of Object.values(spec.grid)) runs *= values?.length ?? 1;
  return runs;
}

function checkModelRules(spec: SweepSpec, limits: SweepLimits): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const registration = MODEL_REGISTRY[spec.model];
  const allowed = new Set<ParameterName>(registration.parameters);
  const fixed = spec.fixed ?? {};
  const check = (name: ParameterName, value: ParameterValue, field: string) => {
    if (
      name === 'engine' &&
      !(registration.engines as readonly string[]).includes(value as string)
    ) {
      issues.push({
        field,
        message: `${spec.model} runs on ${registration.engines.join(', ')}, not ${value}`,
      });
    }
    const range = parameterRange(spec.model, name);
    if (range && typeof value === 'number' && (value < range.minimum || value > range.maximum)) {
      issues.push({
        field,
        message: `out of range for ${spec.model}: must be in [${range.minimum}, ${range.maximum}]`,
      });
    }
  };
  for (const [name, values] of Object.entries(spec.grid) as [ParameterName, ParameterValue[]][]) {
    if (!allowed.has(name)) {
      issues.push({
        field: `grid.${name}`,
        message: `model ${spec.model} has no parameter ${name}`,
      });
      continue;
    }
    if (name in fixed)
      issues.push({ field: `fixed.${name}`, message: 'is also a grid axis: set it in one place' });
    values.forEach((value, i) => check(name, value, `grid.${name}[${i}]`));
  }
  for (const [name, value] of Object.entries(fixed) as [ParameterName, ParameterValue][]) {
    if (!allowed.has(name))
      issues.push({
        field: `fixed.${name}`,
        message: `model ${spec.model} has no parameter ${name}`,
      });
    else check(name, value, `fixed.${name}`);
  }
  for (const name of REQUIRED_PARAMETERS) {
    if (!(name in spec.grid) && !(name in fixed)) {
      issues.push({
        field: `grid.${name}`,
        message: 'is required: set it as a grid axis or in fixed',
      });
    }
  }
  const repeats = spec.repeats ?? 1;
  if (repeats > 1 && 'seed' in spec.grid) {
    issues.push({
      field: 'repeats',
      message: 'cannot be combined with a seed axis: use one or the other',
    });
  } else if (repeats > 1) {
    // Repeats count seeds up from the fixed seed: the last one must still be a valid seed.
    const seed = (fixed.seed as number | undefined) ?? PLATFORM_DEFAULTS.seed;
    if (seed + repeats - 1 > MAX_SEED) {
      issues.push({
        field: 'repeats',
        message: `seeds ${seed}..${seed + repeats - 1} pass the largest seed ${MAX_SEED}: lower fixed.seed or repeats`,
      });
    }
  }
  const split = spec.split ?? PLATFORM_DEFAULTS.split;
  const splitSamples = registration.splitSamples[split];
  if (
    spec.sampleCount !== undefined &&
    splitSamples !== undefined &&
    spec.sampleCount > splitSamples
  ) {
    issues.push({
      field: 'sampleCount',
      message: `${spec.model} has ${splitSamples} ${split} samples`,
    });
  }
  const runs = countRuns(spec);
  if (runs > limits.maxRuns) {
    issues.push({
      field: 'grid',
      message: `expands to ${runs} runs, more than the maximum of ${limits.maxRuns}`,
    });
  }
  return issues;
}

/** Text is stored in PostgreSQL (no NUL) and shown to people (a name must show something). */
function checkText(spec: SweepSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const name = textIssue(spec.name, { visible: true });
  if (name) issues.push({ field: 'name', message: name });
  const description = spec.description === undefined ? null : textIssue(spec.description);
  if (description) issues.push({ field: 'description', message: description });
  return issues;
}

/** A reusable validator: compiles the schema once per limits. */
export class SweepSpecValidator {
  private readonly validateSchema;

  constructor(readonly limits: SweepLimits) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    this.validateSchema = ajv.compile<SweepSpec>(sweepSpecJsonSchema(limits));
  }

  /** The spec typed, or a SweepSpecError listing every problem with the field it concerns. */
  validate(input: unknown): SweepSpec {
    if (!this.validateSchema(input)) {
      throw new SweepSpecError((this.validateSchema.errors ?? []).map(issueFromAjv));
    }
    const issues = [...checkText(input), ...checkModelRules(input, this.limits)];
    if (issues.length > 0) throw new SweepSpecError(issues);
    return input;
  }
}
