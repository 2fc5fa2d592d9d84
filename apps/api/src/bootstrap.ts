import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiModule } from './app.module';
import { API_KEY_HEADER } from './auth/api-key.guard';
import type { ApiConfig } from './config/api-config';

/** The dashboard's production build (`vite build --config apps/dashboard/vite.config.ts`). */
const DASHBOARD_DIR = path.resolve(__dirname, '../../dashboard/dist');

/** Builds the API application (not yet listening): used by main.ts and the integration tests. */
export async function createApiApp(
  config: ApiConfig,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    logger: options.logger,
    bufferLogs: false,
  });
  app.enableShutdownHooks();
  // The dashboard at / when it has been built: static files only (its routes are #/...), no API
  // key needed to load the page; API routes, /docs and /health are unaffected.
  if (existsSync(path.join(DASHBOARD_DIR, 'index.html'))) app.useStaticAssets(DASHBOARD_DIR);
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
