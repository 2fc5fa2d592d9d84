import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import request from 'supertest';
import { QueueName } from '@engram/queue';
import { TestDatabase, createTestDatabase } from '@engram/persistence/testing';
import { writeTinyResNetArtifact } from '@engram/evaluation/testing';
import { createApiApp } from '../bootstrap';
import { ApiConfig, loadApiConfig } from '../config/api-config';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_API_KEY = 'integration-test-key-0123456789';

/**
 * The API of one spec file, in-process on a schema and queue prefix of its own, against the real
 * PostgreSQL and Redis. The e2e project extends it with worker processes.
 */
export class TestPlatform {
  protected constructor(
    readonly db: TestDatabase,
    readonly app: INestApplication,
    readonly config: ApiConfig,
    readonly queuePrefix: string,
    /** Redis of this platform (the shared test server unless a private one was given). */
    readonly redisUrl: string,
  ) {}

  /**
   * `overrides`: API environment variables. `servers`: a private PostgreSQL (its URL; the
   * platform still gets a schema of its own) or Redis, for specs that stop or restart them.
   */
  static async start(
    overrides: Record<string, string> = {},
    servers: { databaseUrl?: string; redisUrl?: string } = {},
  ): Promise<TestPlatform> {
    return new TestPlatform(...(await TestPlatform.boot(overrides, servers)));
  }

  /** What the constructor takes: the schema, the listening API, its config, prefix and Redis. */
  protected static async boot(
    overrides: Record<string, string>,
    servers: { databaseUrl?: string; redisUrl?: string },
  ): Promise<[TestDatabase, INestApplication, ApiConfig, string, string]> {
    // The real simulation on a tiny untrained network unless a models folder is given: the
    // platform's behaviour does not depend on the trained weights, and it runs in seconds.
    process.env.ENGRAM_MODELS_DIR ??= writeTinyResNetArtifact();
    const db = await createTestDatabase('engram_test', servers.databaseUrl);
    const redisUrl = servers.redisUrl ?? TEST_REDIS_URL;
    const queuePrefix = `engram_test_${randomBytes(4).toString('hex')}`;
    const config = loadApiConfig({
      DATABASE_URL: db.settings.url,
      DATABASE_SCHEMA: db.settings.schema,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      API_KEY: TEST_API_KEY,
      EVENTS_INTERVAL_MS: '200',
      ...(process.env.ENGRAM_MODELS_DIR
        ? { ENGRAM_MODELS_DIR: process.env.ENGRAM_MODELS_DIR }
        : {}),
      ...overrides,
    });
    const app = await createApiApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    return [db, app, config, queuePrefix, redisUrl];
  }

  /** Base URL of the listening API, for clients other than supertest. */
  async baseUrl(): Promise<string> {
    return (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  http() {
    return request(this.app.getHttpServer());
  }

  get(url: string) {
    return this.http().get(url).set('x-api-key', TEST_API_KEY);
  }

  post(url: string, body?: object) {
    return this.http().post(url).set('x-api-key', TEST_API_KEY).send(body);
  }

  queue(): Queue {
    return new Queue(QueueName.SimulationRuns, {
      prefix: this.queuePrefix,
      connection: { url: this.redisUrl },
    });
  }

  async stop(): Promise<void> {
    await this.app.close();
    const queue = this.queue();
    await queue.obliterate({ force: true });
    await queue.close();
    await this.db.drop();
  }
}
