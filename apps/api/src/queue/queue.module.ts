import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import {
  QueueConnection,
  QueueName,
  SimulationRunJobData,
  createQueueConnection,
} from '@engram/queue';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG, QUEUE_CONNECTION, RUN_QUEUE } from '../tokens';

@Injectable()
class QueueCloser implements OnApplicationShutdown {
  constructor(
    @Inject(RUN_QUEUE) private readonly queue: Queue,
    @Inject(QUEUE_CONNECTION) private readonly connection: QueueConnection,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    // The queue shares the client and leaves it open: it is ours to close.
    await this.connection.close();
  }
}

/**
 * The producer side of the simulation queue. The API only adds and removes jobs and reads counts
 * (/health, /metrics), all through this one queue and its client from @engram/queue's factory
 * (a single node or a Redis Cluster, failing fast while Redis is unreachable); the worker's
 * processors are wired through @nestjs/bullmq.
 */
@Global()
@Module({
  providers: [
    {
      provide: QUEUE_CONNECTION,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) =>
        createQueueConnection(config.queue, 'producer', 'engram-api'),
    },
    {
      provide: RUN_QUEUE,
      inject: [QUEUE_CONNECTION],
      useFactory: (connection: QueueConnection) =>
        new Queue<SimulationRunJobData>(QueueName.SimulationRuns, connection.bullOptions),
    },
    QueueCloser,
  ],
  exports: [RUN_QUEUE],
})
export class QueueModule {}
