import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { METRIC_NAMES } from '@engram/persistence';
import { PARAMETER_DESCRIPTORS, PARAMETER_NAMES, type ParameterName } from '@engram/contracts';
import { sweepSpecJsonSchema } from '@engram/sweep-spec';

/**
 * Schemas written from the registries (parameters, metrics, the sweep specification) rather than
 * from DTO classes, so that a parameter or metric added to the code is in the document the next
 * time it is generated (and the committed document's check fails until it is).
 */

/** The sweep spec's JSON Schema as an OpenAPI 3.0 schema (which takes no $schema keyword). */
function specSchemaForOpenApi(maxRuns: number): SchemaObject {
  const schema: Record<string, unknown> = { ...sweepSpecJsonSchema({ maxRuns }) };
  delete schema['$schema'];
  return schema as SchemaObject;
}

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * `$ref` to a registry schema, for @ApiProperty and @ApiBody. OpenAPI 3.0 ignores a $ref's
 * siblings, so the reference goes in an allOf beside the description.
 */
export function registrySchemaRef(
  name: keyof ReturnType<typeof registrySchemas>,
  description: string,
) {
  return { allOf: [schemaRef(name)], description };
}

function parameterSchema(name: ParameterName): SchemaObject {
  const definition = PARAMETER_DESCRIPTORS[name];
  const description = `${definition.description} Null: ${definition.defaultDescription}.`;
  return definition.kind === 'enum'
    ? {
        type: 'string',
        nullable: true,
        description: `${description} One of: ${definition.values.join(', ')}.`,
      }
    : { type: definition.kind, nullable: true, description };
}

export function registrySchemas(maxRunsPerSweep: number) {
  return {
    SweepSpec: specSchemaForOpenApi(maxRunsPerSweep),
    RunParameters: {
      type: 'object',
      description: 'The value of every sweep parameter of the run (null: the default it names).',
      required: [...PARAMETER_NAMES],
      properties: Object.fromEntries(PARAMETER_NAMES.map((name) => [name, parameterSchema(name)])),
    } satisfies SchemaObject,
    GridPoint: {
      type: 'object',
      description: 'Values of the grouped grid axes of a summary row (null: the default).',
      properties: Object.fromEntries(PARAMETER_NAMES.map((name) => [name, parameterSchema(name)])),
    } satisfies SchemaObject,
    MetricStatistics: {
      type: 'object',
      description: 'Mean and sample standard deviation (null with fewer than 2 runs) of a metric.',
      required: ['mean', 'std'],
      properties: {
        mean: { type: 'number', nullable: true },
        std: { type: 'number', nullable: true },
      },
    } satisfies SchemaObject,
    SummaryMetrics: {
      type: 'object',
      description: 'Statistics of each requested metric at the grid point.',
      properties: Object.fromEntries(
        METRIC_NAMES.map((name) => [name, schemaRef('MetricStatistics')]),
      ),
    } satisfies SchemaObject,
  };
}
