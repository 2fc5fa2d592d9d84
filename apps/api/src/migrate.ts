import 'reflect-metadata';
import { createExperimentDataSource, migrateDatabase } from '@engram/persistence';
import { loadDatabaseConfig } from '@engram/persistence';
import { ConfigError } from '@engram/config';

/**
 * `node -r @swc-node/register apps/api/src/migrate.ts`: applies pending migrations to
 * DATABASE_URL (schema DATABASE_SCHEMA) and exits; the CLI and the Docker image call this.
 */
async function main(): Promise<void> {
  const dataSource = createExperimentDataSource({
    ...loadDatabaseConfig(),
    applicationName: 'engram-migrate',
  });
  await dataSource.initialize();
  try {
    const applied = await migrateDatabase(dataSource);
    console.log(
      applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database is up to date',
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError
      ? `engram-migrate: invalid configuration: ${error.message}`
      : error,
  );
  process.exit(1);
});
