import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadWorkerConfig } from './config/worker-config';
import { ConfigError } from '@engram/config';
import { WorkerModule } from './worker.module';
import { startHeartbeat } from './heartbeat';

/** The worker process: a Nest application context (no HTTP server) running BullMQ processors. */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  if (config.heartbeatFile) startHeartbeat(config.heartbeatFile);
  const { concurrency, lockDuration, stalledInterval, maxStalledCount } = config.runWorker;
  Logger.log(
    `worker ${config.workerId} ready: concurrency ${concurrency}, lock ${lockDuration} ms, ` +
      `stall check every ${stalledInterval} ms (max ${maxStalledCount}), shutdown grace ${config.shutdownGraceMs} ms`,
    'engram-worker',
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`engram-worker: invalid configuration: ${error.message}`);
  } else {
    console.error('engram-worker: failed to start:', error);
  }
  process.exit(1);
});
