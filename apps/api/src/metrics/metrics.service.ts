import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Gauge, Metric, Registry, collectDefaultMetrics } from 'prom-client';
import { PlatformStats, RUN_STATUSES } from '@engram/persistence';
import { QueueName } from '@engram/queue';
import { RUN_QUEUE } from '../tokens';

const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'failed',
  'completed',
] as const;
/** Run durations span ~1 s (small sample counts) to many minutes (a full test split). */
const DURATION_BUCKETS_SECONDS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];

/**
 * Prometheus metrics, read at scrape time from the sources of truth: BullMQ for queue depths,
 * PostgreSQL for runs by outcome and run durations (so every API replica reports the same,
 * restarts lose nothing, and the worker needs no HTTP server).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(stats: PlatformStats, @Inject(RUN_QUEUE) queue: Queue) {
    collectDefaultMetrics({ register: this.registry, prefix: 'engram_api_' });

    new Gauge({
      name: 'engram_queue_jobs',
      help: 'Jobs in each state of each queue.',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES)
          this.set({ queue: QueueName.SimulationRuns, state }, counts[state] ?? 0);
      },
    });

    new Gauge({
      name: 'engram_runs',
      help: 'Runs by status (succeeded, cached, failed, ... : the outcome of settled runs).',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await stats.runsByStatus();
        for (const status of RUN_STATUSES) this.set({ status }, counts[status]);
      },
    });

    // A histogram assembled from the database at scrape time (prom-client's Histogram can only observe).
    const name = 'engram_run_duration_seconds';
    const help = 'Duration from a worker starting a run to its result or failure being stored.';
    const durations = {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      async get() {
        const histogram = await stats.runDurations(DURATION_BUCKETS_SECONDS);
        return {
          name,
          help,
          type: 'histogram',
          aggregator: 'sum',
          values: [
            ...histogram.buckets.map((b) => ({
              metricName: `${name}_bucket`,
              labels: { le: b.le },
              value: b.count,
            })),
            { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: histogram.count },
            { metricName: `${name}_sum`, labels: {}, value: histogram.sumSeconds },
            { metricName: `${name}_count`, labels: {}, value: histogram.count },
          ],
        };
      },
    };
    this.registry.registerMetric(durations as unknown as Metric);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
