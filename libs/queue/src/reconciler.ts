import type { Queue } from 'bullmq';
import { ConfigError, EnvReader } from '@engram/config';
import { enqueueSimulationRuns } from './run-queue';
import { SimulationRunJobData, simulationRunJobId } from './queues';

/** Job states in which a job will still run (or is running). */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
/** Finished jobs kept under the hash's id would make BullMQ ignore the new add: removed first. */
const FINISHED_STATES = new Set(['completed', 'failed']);
const STATE_READS_IN_FLIGHT = 50;

/** What the store repaired for job keys without a live job. */
export interface RepairOutcome {
  /** Runs settled without a job: from an existing result, or cancelled with their sweep. */
  settledRuns: number;
  /** Sweeps those settled runs belong to. */
  sweepsRepaired: number;
  /** Runs put back in the queued state. */
  requeuedRuns: number;
  /** One job per job key to enqueue again. */
  requeue: SimulationRunJobData[];
}

/**
 * The database side of reconciliation (implemented by @engram/persistence's RunReconciliation):
 * `exclusively` runs a pass under a lock shared by every replica (null: another holds it), in
 * which the store lists job keys (chip or config hashes) with pending runs page by page and
 * repairs the jobless ones.
 */
export interface ReconciliationStore<Tx> {
  exclusively<T>(pass: (tx: Tx) => Promise<T>): Promise<T | null>;
  pendingJobKeys(tx: Tx, afterKey: string, limit: number): Promise<SimulationRunJobData[]>;
  repair(tx: Tx, jobKeys: readonly string[]): Promise<RepairOutcome>;
}

export interface ReconcilePass {
  /** False when another replica held the lock: this pass did nothing. */
  ran: boolean;
  /** Job keys with pending runs examined in this pass. */
  examinedHashes: number;
  requeuedRuns: number;
  requeuedJobs: number;
  settledRuns: number;
  sweepsRepaired: number;
}

const SKIPPED: ReconcilePass = {
  ran: false,
  examinedHashes: 0,
  requeuedRuns: 0,
  requeuedJobs: 0,
  settledRuns: 0,
  sweepsRepaired: 0,
};

/**
 * The database is the truth about what must run; this pass makes the queue agree with it. Each
 * pass examines a bounded page of job keys (chip hashes of chip jobs, config hashes of run jobs)
 * with pending runs (a cursor walks through the rest in later passes) and repairs those whose job
 * is gone: lost when the API died mid-enqueue, when Redis restarted without its data, or failed
 * for good while the database was down. A key must be found jobless in two passes of this
 * replica before it is repaired, so a job that is just finishing (its runs about to be settled)
 * is never taken for a lost one. Jobs are re-added under their deterministic id, so a job that
 * does exist is never doubled.
 */
export class QueueReconciler<Tx> {
  private cursor = '';
  /** Jobless job keys of earlier passes -> when first seen so. */
  private readonly suspects = new Map<string, number>();

  constructor(
    private readonly queue: Queue<SimulationRunJobData>,
    private readonly store: ReconciliationStore<Tx>,
    private readonly options: { batchSize: number; intervalMs: number },
  ) {}

  async reconcileOnce(): Promise<ReconcilePass> {
    const pass = await this.store.exclusively(async (tx) => {
      const { batchSize } = this.options;
      const pending = await this.store.pendingJobKeys(tx, this.cursor, batchSize);
      this.cursor = pending.length < batchSize ? '' : pending[pending.length - 1].jobKey;
      const jobless: string[] = [];
      const finished = new Set<string>();
      for (let start = 0; start < pending.length; start += STATE_READS_IN_FLIGHT) {
        const slice = pending.slice(start, start + STATE_READS_IN_FLIGHT);
        const states = await Promise.all(
          slice.map((p) => this.queue.getJobState(simulationRunJobId(p.jobKey))),
        );
        slice.forEach((p, i) => {
          if (LIVE_STATES.has(states[i])) return;
          jobless.push(p.jobKey);
          if (FINISHED_STATES.has(states[i])) finished.add(p.jobKey);
        });
      }
      const confirmed = jobless.filter((hash) => this.suspects.has(hash));
      this.remember(
        pending.map((p) => p.jobKey),
        jobless,
      );
      const repaired = await this.store.repair(tx, confirmed);
      for (const job of repaired.requeue)
        if (finished.has(job.jobKey)) await this.queue.remove(simulationRunJobId(job.jobKey));
      await enqueueSimulationRuns(this.queue, repaired.requeue);
      for (const hash of confirmed) this.suspects.delete(hash);
      return {
        ran: true,
        examinedHashes: pending.length,
        requeuedJobs: repaired.requeue.length,
        requeuedRuns: repaired.requeuedRuns,
        settledRuns: repaired.settledRuns,
        sweepsRepaired: repaired.sweepsRepaired,
      };
    });
    return pass ?? SKIPPED;
  }

  /** Keeps this pass's jobless keys as suspects; forgets those that have a job or settled. */
  private remember(examined: string[], jobless: string[]): void {
    for (const hash of examined) this.suspects.delete(hash);
    const now = Date.now();
    for (const hash of jobless) this.suspects.set(hash, now);
    // Keys of pages not seen for a long time are stale: keep the map bounded.
    const staleBefore = now - 20 * Math.max(this.options.intervalMs, 1_000);
    for (const [hash, seen] of this.suspects) if (seen < staleBefore) this.suspects.delete(hash);
  }
}

/**
 * Runs `reconcileOnce` every `intervalMs` (the next pass is scheduled when one ends, so passes
 * never overlap in a replica), reporting each outcome or error; `stop` waits for a running pass.
 */
export function scheduleReconciler(
  reconciler: Pick<QueueReconciler<unknown>, 'reconcileOnce'>,
  intervalMs: number,
  report: { pass(pass: ReconcilePass): void; error(error: unknown): void },
): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = reconciler.reconcileOnce().then(report.pass, report.error).finally(schedule);
    }, intervalMs);
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export interface ReconcilerConfig {
  /** RECONCILE_INTERVAL_MS: how often this replica runs a pass; 0: never. */
  intervalMs: number;
  /** RECONCILE_BATCH_SIZE: job keys examined per pass. */
  batchSize: number;
}

/** The reconciler's variables, the same for API and worker replicas, validated at start-up. */
export function loadReconcilerConfig(env: NodeJS.ProcessEnv): ReconcilerConfig {
  const read = new EnvReader(env);
  const intervalMs = read.integer('RECONCILE_INTERVAL_MS', 30_000, 0, 3_600_000);
  // Each pass reads the queue and holds a transaction: more often than every second is a mistake.
  if (intervalMs > 0 && intervalMs < 1_000)
    throw new ConfigError('RECONCILE_INTERVAL_MS', 'must be 0 (off) or at least 1000');
  return { intervalMs, batchSize: read.integer('RECONCILE_BATCH_SIZE', 1_000, 1, 100_000) };
}
