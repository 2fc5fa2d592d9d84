import * as path from 'node:path';
import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  Provider,
  Type,
} from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { DataSource } from 'typeorm';
import { RunLifecycle, createExperimentDataSource } from '@engram/persistence';
import { QUEUE_NAMES, QueueName } from '@engram/queue';
import type { WorkerConfig } from './config/worker-config';
import { EVALUATOR } from './evaluation/evaluator';
import { ThreadPoolEvaluator } from './evaluation/thread-pool-evaluator';
import { RunExecutor } from './processing/run-executor';
import { RunProcessor, configuredRunProcessor } from './processing/run-processor';
import { DATA_SOURCE, WORKER_CONFIG } from './tokens';

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** Loaded inside each evaluation thread: re-exports `evaluate` from @engram/evaluation. */
export const EVALUATE_ENTRY = path.join(__dirname, 'evaluation', 'evaluate-entry');

/** Every queue needs a processor: a queue added to @engram/queue without one fails to compile. */
function processorsFor(config: WorkerConfig): Record<QueueName, Type<RunProcessor>> {
  return { [QueueName.SimulationRuns]: configuredRunProcessor(config.runWorker) };
}

@Module({})
export class WorkerModule {
  /**
   * The worker: BullMQ processors over PostgreSQL state, no HTTP server. `evaluator` replaces the
   * default evaluator provider (the thread pool running `evaluate` from @engram/evaluation).
   */
  static forRoot(config: WorkerConfig, overrides: { evaluator?: Provider } = {}): DynamicModule {
    const evaluator: Provider = overrides.evaluator ?? {
      provide: EVALUATOR,
      useFactory: () =>
        new ThreadPoolEvaluator({
          size: config.runWorker.concurrency,
          modulePath: EVALUATE_ENTRY,
          exportName: 'evaluate',
        }),
    };
    return {
      module: WorkerModule,
      imports: [
        BullModule.forRoot({
          prefix: config.queuePrefix,
          connection: { url: config.redisUrl },
        }),
        // Registering the queues also brings in @nestjs/bullmq's explorer, which starts the
        // workers of the @Processor classes below.
        BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
      ],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        {
          provide: DATA_SOURCE,
          useFactory: async () => {
            const dataSource = createExperimentDataSource(config.database);
            await dataSource.initialize();
            return dataSource;
          },
        },
        {
          provide: RunLifecycle,
          inject: [DATA_SOURCE],
          useFactory: (ds: DataSource) => new RunLifecycle(ds),
        },
        evaluator,
        RunExecutor,
        ...Object.values(processorsFor(config)),
        DataSourceCloser,
      ],
    };
  }
}
