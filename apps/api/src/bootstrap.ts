import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { ApiModule } from './app.module';
import { apiKeyCheck } from './auth/api-key.middleware';
import type { ApiConfig } from './config/api-config';
import { precompressedStatic } from './dashboard-static';
import { strictJsonBody } from './http/strict-json-body';
import { buildOpenApiDocument } from './openapi/openapi-document';

/**
 * The dashboard's production build (`vite build --config apps/dashboard/vite.config.ts`);
 * ENGRAM_DASHBOARD_DIR moves it (`engram up` builds it there and passes it on).
 */
function dashboardDir(): string {
  return path.resolve(
    process.env.ENGRAM_DASHBOARD_DIR ?? path.resolve(__dirname, '../../dashboard/dist'),
  );
}

/** Builds the API application (not yet listening): used by main.ts and the integration tests. */
export async function createApiApp(
  config: ApiConfig,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    logger: options.logger,
    bufferLogs: false,
    // Bodies are read by strictJsonBody, after the API key check.
    bodyParser: false,
  });
  app.enableShutdownHooks();
  // Behind an ingress every request comes from the proxy: rate limits need the caller's address.
  if (config.trustProxyHops > 0) app.set('trust proxy', config.trustProxyHops);
  // The dashboard at / when it has been built: static files only (its routes are #/...), no API
  // key needed to load the page; API routes, /docs and /health are unaffected. Its text files
  // go out precompressed (.br/.gz written by the build) to clients that accept it.
  const dashboard = dashboardDir();
  if (existsSync(path.join(dashboard, 'index.html'))) {
    app.use(precompressedStatic(dashboard));
    app.useStaticAssets(dashboard);
  }
  // The key before the body: a caller without it is refused before any byte of its body is read.
  app.use(apiKeyCheck(config.apiKey, config.authFailuresPerMinute));
  app.use(strictJsonBody());
  const document = buildOpenApiDocument(app, { maxRunsPerSweep: config.maxRunsPerSweep });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
