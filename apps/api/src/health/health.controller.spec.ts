import type { Queue } from 'bullmq';
import type { PlatformStats } from '@engram/persistence';
import { HealthController } from './health.controller';

describe('HealthController', () => {
  // dependencies that are down: every call fails
  const down = () => Promise.reject(new Error('connection refused'));
  const controller = new HealthController(
    { ping: down } as unknown as PlatformStats,
    { getJobCounts: down } as unknown as Queue,
  );

  it('answers liveness without touching the database or Redis', () => {
    expect(controller.live()).toMatchObject({ status: 'ok' });
  });

  it('reports readiness (/health) down when they are', async () => {
    let status = 0;
    const response = { status: (code: number) => (status = code) };
    const body = await controller.health(response as never);
    expect(status).toBe(503);
    expect(body.checks.database).toMatchObject({ status: 'down', error: 'connection refused' });
  });
});
