import type { Queue } from 'bullmq';
import { jobOptionsFor } from './queue-options';
import { QueueName, SIMULATE_RUN_JOB, SimulationRunJobData, simulationRunJobId } from './queues';

export type RunToEnqueue = SimulationRunJobData;

/** Redis round trips stay few (one per chunk) while no single script call grows huge. */
const ADD_CHUNK = 1_000;
const ADD_CHUNKS_IN_FLIGHT = 4;
const REMOVE_CONCURRENCY = 50;

/**
 * Adds one job per run, with the config hash as job id. BullMQ ignores an add whose id already
 * exists, which is what dedups a configuration shared by concurrent sweeps.
 */
export async function enqueueSimulationRuns(
  queue: Queue<SimulationRunJobData>,
  runs: readonly RunToEnqueue[],
): Promise<void> {
  const opts = jobOptionsFor(QueueName.SimulationRuns);
  const chunks: RunToEnqueue[][] = [];
  for (let start = 0; start < runs.length; start += ADD_CHUNK)
    chunks.push(runs.slice(start, start + ADD_CHUNK));
  // A few chunks in flight overlap the client's encoding with Redis' script execution.
  for (let start = 0; start < chunks.length; start += ADD_CHUNKS_IN_FLIGHT) {
    await Promise.all(
      chunks.slice(start, start + ADD_CHUNKS_IN_FLIGHT).map((chunk) =>
        queue.addBulk(
          chunk.map((run) => ({
            name: SIMULATE_RUN_JOB,
            data: run,
            opts: { ...opts, jobId: simulationRunJobId(run.configHash) },
          })),
        ),
      ),
    );
  }
}

/**
 * Removes the waiting or delayed jobs of these config hashes. Active jobs are locked and stay:
 * they finish, and the worker then settles only runs that are still pending.
 * Returns how many jobs were removed.
 */
export async function removeSimulationRunJobs(
  queue: Queue<SimulationRunJobData>,
  configHashes: readonly string[],
): Promise<number> {
  let removed = 0;
  for (let start = 0; start < configHashes.length; start += REMOVE_CONCURRENCY) {
    const batch = configHashes.slice(start, start + REMOVE_CONCURRENCY);
    const results = await Promise.all(batch.map((hash) => queue.remove(simulationRunJobId(hash))));
    removed += results.reduce((sum, r) => sum + r, 0);
  }
  return removed;
}
