import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiModule } from './app.module';
import { API_KEY_HEADER } from './auth/api-key.guard';
import type { ApiConfig } from './config/api-config';

/** Builds the API application (not yet listening): used by main.ts and the integration tests. */
export async function createApiApp(
  config: ApiConfig,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(ApiModule.forRoot(config), {
    logger: options.logger,
    bufferLogs: false,
  });
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Engram experiment platform')
      .setDescription(
        'Sweeps over the simulation parameters of the memristor-simulated semantic-memory network: ' +
          'submit, follow, cancel and retry sweeps; query, summarize and export results.',
      )
      .setVersion('1')
      .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, 'api-key')
      .addSecurityRequirements('api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
