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
import { RunLifecycle, RunReconciliation, createExperimentDataSource } from '@engram/persistence';
import { QUEUE_NAMES, QueueConnection, QueueName, createQueueConnection } from '@engram/queue';
import type { WorkerConfig } from './config/worker-config';
import { EVALUATOR } from './evaluation/evaluator';
import { ThreadPoolEvaluator } from './evaluation/thread-pool-evaluator';
import { DatabaseOutage } from './processing/database-outage';
import { RunExecutor } from './processing/run-executor';
import { RunProcessor, configuredRunProcessor } from './processing/run-processor';
import { WorkerReconciler } from './processing/worker-reconciler';
import { DATA_SOURCE, QUEUE_CONNECTION, WORKER_CONFIG } from './tokens';

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Injectable()
class QueueConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(QUEUE_CONNECTION) private readonly connection: QueueConnection) {}

  async onApplicationShutdown(): Promise<void> {
    // BullMQ leaves a client it was given open (its workers close their own duplicates).
    await this.connection.close();
  }
}

/**
 * The Redis client of @engram/queue's factory (a single node or a Redis Cluster), in the
 * `consumer` role BullMQ workers need; @nestjs/bullmq builds every queue and worker with it.
 */
function queueConnectionModule(config: WorkerConfig): DynamicModule {
  return {
    module: class WorkerQueueConnectionModule {},
    providers: [
      {
        provide: QUEUE_CONNECTION,
        useFactory: () => createQueueConnection(config.queue, 'consumer', 'engram-worker'),
      },
      QueueConnectionCloser,
    ],
    exports: [QUEUE_CONNECTION],
  };
}

/**
 * Loaded inside each evaluation thread: `evaluate` from @engram/evaluation with the engines the
 * worker runs registered, and the start-up check that they cover every model.
 */
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
      useFactory: async () => {
        const pool = new ThreadPoolEvaluator({
          size: config.runWorker.concurrency,
          modulePath: EVALUATE_ENTRY,
          exportName: 'evaluate',
          // Every registered model must have its engines: else the worker does not start.
          checkName: 'assertEnginesRegistered',
          // One thread loads @engram/evaluation while Nest and BullMQ start: a faster first run.
          prestart: 1,
        });
        try {
          await pool.ready();
        } catch (error) {
          await pool.close();
          throw error;
        }
        return pool;
      },
    };
    return {
      module: WorkerModule,
      imports: [
        BullModule.forRootAsync({
          imports: [queueConnectionModule(config)],
          inject: [QUEUE_CONNECTION],
          useFactory: (connection: QueueConnection) => connection.bullOptions,
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
        {
          provide: RunReconciliation,
          inject: [DATA_SOURCE],
          useFactory: (ds: DataSource) => new RunReconciliation(ds),
        },
        WorkerReconciler,
        evaluator,
        DatabaseOutage,
        RunExecutor,
        ...Object.values(processorsFor(config)),
        DataSourceCloser,
      ],
    };
  }
}
