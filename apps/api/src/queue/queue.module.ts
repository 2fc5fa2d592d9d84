import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QueueName, SimulationRunJobData } from '@engram/queue';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG, RUN_QUEUE } from '../tokens';

@Injectable()
class QueueCloser implements OnApplicationShutdown {
  constructor(@Inject(RUN_QUEUE) private readonly queue: Queue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * The producer side of the simulation queue. The API only adds and removes jobs, so it uses a
 * plain BullMQ Queue; the worker's processors are wired through @nestjs/bullmq.
 */
@Global()
@Module({
  providers: [
    {
      provide: RUN_QUEUE,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) =>
        new Queue<SimulationRunJobData>(QueueName.SimulationRuns, {
          prefix: config.queuePrefix,
          // Without the offline queue a Redis outage fails requests at once instead of hanging them.
          connection: { url: config.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
        }),
    },
    QueueCloser,
  ],
  exports: [RUN_QUEUE],
})
export class QueueModule {}
