import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_HEADER } from '../auth/api-key.middleware';
import { API_KEY_SCHEME } from './api-responses';
import { registrySchemas } from './registry-schemas';

const TAGS: Record<string, string> = {
  sweeps: 'Submit, follow, cancel and retry sweeps; their results, summaries and exports.',
  runs: 'Runs of every sweep, filtered by any field, axis or metric.',
  specification: 'What a sweep may contain: the JSON Schema and the registered models.',
  operations: 'Health checks and Prometheus metrics.',
};

/**
 * The OpenAPI document of the API: what /docs serves and what `npm run openapi` commits (the
 * generated client is built from the committed copy). Only the run limit comes from the
 * configuration (it is in the SweepSpec schema).
 */
export function buildOpenApiDocument(
  app: INestApplication,
  options: { maxRunsPerSweep: number },
): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Engram experiment platform')
    .setDescription(
      'Sweeps over the simulation parameters of the memristor-simulated semantic-memory network: ' +
        'submit, follow, cancel and retry sweeps; query, summarize and export results. When the ' +
        `API has an API_KEY, every route but /health needs it in the \`${API_KEY_HEADER}\` header ` +
        '(or as a bearer token).',
    )
    .setVersion('1')
    // Relative: the API itself, wherever this document is served from.
    .addServer('/', 'This API')
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, API_KEY_SCHEME)
    .addSecurityRequirements(API_KEY_SCHEME);
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());
  document.info.license = { name: 'MIT' };
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...registrySchemas(options.maxRunsPerSweep) },
  };
  return document;
}
