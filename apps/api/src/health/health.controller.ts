import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { Response } from 'express';
import { PlatformStats } from '@engram/persistence';
import { ApiPublic } from '../auth/api-key.middleware';
import { HealthDto } from '../http/dto';
import { RUN_QUEUE } from '../tokens';

interface Check {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

const CHECK_TIMEOUT_MS = 2_000;

async function timed(probe: () => Promise<unknown>): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise(
        (_, reject) =>
          (timer = setTimeout(
            () => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)),
            CHECK_TIMEOUT_MS,
          )),
      ),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      error: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly stats: PlatformStats,
    @Inject(RUN_QUEUE) private readonly queue: Queue,
  ) {}

  /**
   * Liveness: the process serves HTTP. Touches neither the database nor Redis, so an outage of
   * either takes pods out of the Service (readiness, /health) without restarting them all.
   */
  @Get('live')
  @ApiPublic()
  @ApiOperation({
    summary: 'Liveness: 200 while the process serves requests (no dependency checks).',
  })
  @ApiOkResponse({
    description: 'The process is alive.',
    schema: {
      type: 'object',
      required: ['status', 'uptimeSeconds'],
      properties: {
        status: { type: 'string', enum: ['ok'] },
        uptimeSeconds: { type: 'integer', description: 'Seconds since the process started.' },
      },
    },
  })
  live() {
    return { status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get()
  @ApiPublic()
  @ApiOperation({ summary: 'Database and Redis checks: 200 when both answer, 503 otherwise.' })
  @ApiOkResponse({ description: 'All checks up.', type: HealthDto })
  @ApiServiceUnavailableResponse({ description: 'A check is down.', type: HealthDto })
  async health(@Res({ passthrough: true }) response: Response) {
    const [database, redis] = await Promise.all([
      timed(() => this.stats.ping()),
      // A queue read proves the connection and that BullMQ's keys are reachable.
      timed(() => this.queue.getJobCounts('waiting')),
    ]);
    const up = database.status === 'up' && redis.status === 'up';
    response.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: up ? ('ok' as const) : ('error' as const), checks: { database, redis } };
  }
}
