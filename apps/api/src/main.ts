import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApiApp } from './bootstrap';
import { loadApiConfig } from './config/api-config';
import { ConfigError } from '@engram/config';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const app = await createApiApp(config);
  await app.listen(config.port, config.host);
  Logger.log(`listening on http://${config.host}:${config.port} (OpenAPI at /docs)`, 'engram-api');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`engram-api: invalid configuration: ${error.message}`);
  } else {
    console.error('engram-api: failed to start:', error);
  }
  process.exit(1);
});
