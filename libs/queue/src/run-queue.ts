import type { Queue } from 'bullmq';
import { jobOptionsFor } from './queue-options';
import {
  QueueName,
  SIMULATION_JOB_NAMES,
  SimulationRunJobData,
  simulationRunJobId,
} from './queues';

export type RunToEnqueue = SimulationRunJobData;

/** Redis round trips stay few (one per chunk) while no single script call grows huge. */
const ADD_CHUNK = 1_000;
const ADD_CHUNKS_IN_FLIGHT = 4;
const REMOVE_CONCURRENCY = 50;

/**
 * Adds one job per entry (one per job key: callers group runs sharing a key), with the job key as
 * job id. BullMQ ignores an add whose id already exists, which is what dedups a chip or a
 * configuration shared by concurrent sweeps.
 */
export async function enqueueSimulationRuns(
  queue: Queue<SimulationRunJobData>,
  runs: readonly RunToEnqueue[],
  /** Called after each chunk (1,000 jobs) with the number of jobs enqueued so far. */
  onProgress?: (enqueued: number) => void,
): Promise<void> {
  const opts = jobOptionsFor(QueueName.SimulationRuns);
  const chunks: RunToEnqueue[][] = [];
  for (let start = 0; start < runs.length; start += ADD_CHUNK)
    chunks.push(runs.slice(start, start + ADD_CHUNK));
  // A few chunks in flight overlap the client's encoding with Redis' script execution.
  let enqueued = 0;
  for (let start = 0; start < chunks.length; start += ADD_CHUNKS_IN_FLIGHT) {
    const batch = chunks.slice(start, start + ADD_CHUNKS_IN_FLIGHT);
    await Promise.all(
      batch.map(async (chunk) => {
        await queue.addBulk(
          chunk.map((run) => ({
            name: SIMULATION_JOB_NAMES[run.kind],
            data: run,
            opts: { ...opts, jobId: simulationRunJobId(run.jobKey) },
          })),
        );
        enqueued += chunk.length;
        onProgress?.(enqueued);
      }),
    );
  }
}

/** States of a job that is not running and may be removed. */
const REMOVABLE_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Removes the waiting or delayed jobs of these job keys. Active jobs are locked and stay: they
 * finish, and the worker then settles only runs that are still pending.
 * Returns how many jobs were removed (BullMQ's remove answers 1 for a job that does not exist,
 * so only jobs seen waiting are counted).
 */
export async function removeSimulationRunJobs(
  queue: Queue<SimulationRunJobData>,
  jobKeys: readonly string[],
): Promise<number> {
  let removed = 0;
  for (let start = 0; start < jobKeys.length; start += REMOVE_CONCURRENCY) {
    const batch = jobKeys.slice(start, start + REMOVE_CONCURRENCY);
    const results = await Promise.all(
      batch.map(async (key) => {
        const id = simulationRunJobId(key);
        if (!REMOVABLE_STATES.has(await queue.getJobState(id))) return 0;
        return (await queue.remove(id)) === 1 ? 1 : 0;
      }),
    );
    removed += results.reduce<number>((sum, r) => sum + r, 0);
  }
  return removed;
}
