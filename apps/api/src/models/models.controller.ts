import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MODEL_NAMES, PARAMETER_DESCRIPTORS } from '@engram/contracts';
import { MODEL_REGISTRY, parameterRange, sweepSpecJsonSchema } from '@engram/sweep-spec';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../tokens';
import { ModelDto } from '../http/dto';
import { ApiKeyRequired } from '../openapi/api-responses';
import { ArtifactCatalog } from './artifact-catalog';

@ApiTags('specification')
@ApiKeyRequired()
@Controller()
export class ModelsController {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly artifacts: ArtifactCatalog,
  ) {}

  @Get('sweep-spec/schema')
  @ApiOperation({ summary: 'JSON Schema (draft-07) of a sweep specification.' })
  @ApiOkResponse({
    description:
      'A draft-07 JSON Schema (the SweepSpec component of this document, with `$schema`), ' +
      'for editors and validators.',
    schema: { type: 'object', additionalProperties: true },
  })
  schema() {
    return sweepSpecJsonSchema({ maxRuns: this.config.maxRunsPerSweep });
  }

  @Get('models')
  @ApiOperation({
    summary: 'Registered models: parameters with ranges, and the current artifact version.',
  })
  @ApiOkResponse({ description: 'Every registered model.', type: [ModelDto] })
  models() {
    return MODEL_NAMES.map((name) => {
      const registration = MODEL_REGISTRY[name];
      return {
        name,
        description: registration.description,
        artifactVersion: this.artifacts.versionOrNull(name),
        splitSamples: registration.splitSamples,
        parameters: registration.parameters.map((parameter) => {
          const definition = PARAMETER_DESCRIPTORS[parameter];
          return {
            name: parameter,
            kind: definition.kind,
            description: definition.description,
            default: definition.defaultDescription,
            ...(definition.kind === 'enum'
              ? { values: definition.values }
              : parameterRange(name, parameter)),
          };
        }),
      };
    });
  }
}
