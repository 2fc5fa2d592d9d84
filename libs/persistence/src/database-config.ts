import { EnvReader } from '@engram/config';
import { DatabaseSettings, checkSchemaName } from './data-source';

/** DATABASE_URL (required), DATABASE_SCHEMA (default public), DATABASE_POOL_SIZE (default 10). */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseSettings {
  const read = new EnvReader(env);
  return {
    url: read.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    schema: read.checked('DATABASE_SCHEMA', 'public', checkSchemaName),
    poolSize: read.integer('DATABASE_POOL_SIZE', 10, 1, 100),
  };
}
