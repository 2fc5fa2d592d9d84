import { DataSource, DataSourceOptions } from 'typeorm';
import { ModelArtifactEntity, ResultEntity, RunEntity, SweepEntity } from './entities';
import { CreateExperimentTables1764200000000 } from './migrations/1764200000000-create-experiment-tables';
import { AddRunEngine1764300000000 } from './migrations/1764300000000-add-run-engine';
import { AddExitThresholds1764400000000 } from './migrations/1764400000000-add-exit-thresholds';
import { AddEnergyModel21764450000000 } from './migrations/1764450000000-add-energy-model-2';
import { AddSqlViews1764500000000 } from './migrations/1764500000000-add-sql-views';
import { AddRunPriorAttempts1764517000000 } from './migrations/1764517000000-add-run-prior-attempts';
import { AddRunJobKey1764600000000 } from './migrations/1764600000000-add-run-job-key';
import { AddResultTiming1764700000000 } from './migrations/1764700000000-add-result-timing';

export const ENTITIES = [ModelArtifactEntity, SweepEntity, RunEntity, ResultEntity];
/** In order; a later CLI or Docker image runs them through `migrateDatabase`. */
export const MIGRATIONS = [
  CreateExperimentTables1764200000000,
  AddRunEngine1764300000000,
  AddExitThresholds1764400000000,
  AddEnergyModel21764450000000,
  AddSqlViews1764500000000,
  AddRunPriorAttempts1764517000000,
  AddRunJobKey1764600000000,
  AddResultTiming1764700000000,
];

export interface DatabaseSettings {
  /** postgres://user[:password]@host[:port]/database */
  url: string;
  /** Schema holding the tables (created by `migrateDatabase` when missing). */
  schema: string;
  poolSize?: number;
  applicationName?: string;
  logging?: boolean;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`must be a lower-case SQL identifier (letters, digits, '_'), got "${schema}"`);
  }
  return schema;
}

/**
 * TypeORM options for the experiment database. `synchronize` is always off: the schema comes
 * from migrations only. search_path pins unqualified SQL (ours and the migrations') to the schema.
 */
export function experimentDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  const schema = checkSchemaName(settings.schema);
  return {
    type: 'postgres',
    url: settings.url,
    schema,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install (or privilege to need).
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: settings.logging ?? false,
    applicationName: settings.applicationName,
    extra: { max: settings.poolSize ?? 10, options: `-c search_path=${schema}` },
  };
}

export function createExperimentDataSource(settings: DatabaseSettings): DataSource {
  return new DataSource(experimentDataSourceOptions(settings));
}

/** Creates the schema if needed and applies pending migrations; returns the names applied. */
export async function migrateDatabase(dataSource: DataSource): Promise<string[]> {
  const schema = (dataSource.options as { schema?: string }).schema ?? 'public';
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${checkSchemaName(schema)}"`);
  const applied = await dataSource.runMigrations({ transaction: 'all' });
  return applied.map((m) => m.name);
}
