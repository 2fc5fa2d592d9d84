// Test helpers of the persistence library ('@engram/persistence/testing'): for specs, test
// platforms and benches only, never production code.
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DatabaseSettings, createExperimentDataSource, migrateDatabase } from './data-source';

export { startPostgresServer, type PostgresTestServer } from './testing-postgres';
// the advisory lock the reconciler takes: a spec holds it to play a second reconciler
export { RECONCILER_LOCK_KEY } from './run-reconciliation';

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  settings: DatabaseSettings;
  dataSource: DataSource;
  /** Drops the schema and closes the connection. */
  drop(): Promise<void>;
}

/**
 * A schema of its own in the shared test database, migrated with the real migrations, so
 * integration specs never see each other's rows.
 */
export async function createTestDatabase(
  prefix = 'engram_test',
  url = TEST_DATABASE_URL,
): Promise<TestDatabase> {
  const settings: DatabaseSettings = {
    url,
    schema: `${prefix}_${randomBytes(4).toString('hex')}`,
    poolSize: 4,
  };
  const dataSource = createExperimentDataSource(settings);
  await dataSource.initialize();
  await migrateDatabase(dataSource);
  return {
    settings,
    dataSource,
    drop: async () => {
      await dataSource.query(`DROP SCHEMA IF EXISTS "${settings.schema}" CASCADE`);
      await dataSource.destroy();
    },
  };
}
