import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { ApiConfig } from './config/api-config';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { ErrorEnvelopeFilter } from './http/error-envelope.filter';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { ArtifactCatalog } from './models/artifact-catalog';
import { ModelDataCheck } from './models/model-data';
import { ModelsController } from './models/models.controller';
import { QueueModule } from './queue/queue.module';
import { ReconcilerService } from './reconciler/reconciler.service';
import { RunsController } from './runs/runs.controller';
import { RunsService } from './runs/runs.service';
import { SweepsController } from './sweeps/sweeps.controller';
import { SweepsService } from './sweeps/sweeps.service';
import { API_CONFIG } from './tokens';

@Module({})
export class ApiModule {
  /** The HTTP API, wired from a configuration validated before Nest starts. */
  static forRoot(config: ApiConfig): DynamicModule {
    const configModule: DynamicModule = {
      module: class ApiConfigModule {},
      global: true,
      providers: [{ provide: API_CONFIG, useValue: config }],
      exports: [API_CONFIG],
    };
    return {
      module: ApiModule,
      imports: [
        configModule,
        DatabaseModule,
        QueueModule,
        // Applied to write routes only (ThrottlerGuard on each POST handler).
        ThrottlerModule.forRoot([
          { name: 'writes', ttl: 60_000, limit: config.writeRateLimitPerMinute },
        ]),
      ],
      controllers: [
        SweepsController,
        RunsController,
        ModelsController,
        HealthController,
        MetricsController,
      ],
      providers: [
        SweepsService,
        RunsService,
        ArtifactCatalog,
        ModelDataCheck,
        MetricsService,
        ReconcilerService,
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
      ],
    };
  }
}
