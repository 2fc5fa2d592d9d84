import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  PlatformStats,
  ResultQuery,
  RunReconciliation,
  SweepStore,
  createExperimentDataSource,
  migrateDatabase,
} from '@engram/persistence';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG, DATA_SOURCE } from '../tokens';

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The PostgreSQL connection pool and the stores built on it. */
@Global()
@Module({
  providers: [
    {
      provide: DATA_SOURCE,
      inject: [API_CONFIG],
      useFactory: async (config: ApiConfig) => {
        const dataSource = createExperimentDataSource(config.database);
        await dataSource.initialize();
        if (config.migrateOnStart) await migrateDatabase(dataSource);
        return dataSource;
      },
    },
    {
      provide: SweepStore,
      inject: [DATA_SOURCE],
      useFactory: (ds: DataSource) => new SweepStore(ds),
    },
    {
      provide: ResultQuery,
      inject: [DATA_SOURCE],
      useFactory: (ds: DataSource) => new ResultQuery(ds),
    },
    {
      provide: PlatformStats,
      inject: [DATA_SOURCE],
      useFactory: (ds: DataSource) => new PlatformStats(ds),
    },
    {
      provide: RunReconciliation,
      inject: [DATA_SOURCE],
      useFactory: (ds: DataSource) => new RunReconciliation(ds),
    },
    DataSourceCloser,
  ],
  exports: [DATA_SOURCE, SweepStore, ResultQuery, PlatformStats, RunReconciliation],
})
export class DatabaseModule {}
