/** Every BullMQ queue of the platform. Job data carries ids only; state lives in PostgreSQL. */
export const QueueName = {
  /** One job per distinct run configuration: evaluate it and store the result. */
  SimulationRuns: 'simulation-runs',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

export const SIMULATE_RUN_JOB = 'simulate-run';

/**
 * Payload of a simulation job. The job id is the config hash, so two sweeps that contain the same
 * configuration share one job; the worker settles every pending run with that hash.
 */
export interface SimulationRunJobData {
  configHash: string;
  /** The run whose submission enqueued the job (for logs; any run with the hash may be settled). */
  runId: string;
  sweepId: string;
}

/** How a job ended, returned by the processor (and visible in BullMQ's completed events). */
export interface SimulationRunJobResult {
  /** computed: evaluated now; reused: a result already existed; skipped: no run needed it any more. */
  outcome: 'computed' | 'reused' | 'skipped';
  settledRuns: number;
  durationMs: number;
}

/** BullMQ job ids may not contain ':' (it separates key parts); config hashes are hex. */
export function simulationRunJobId(configHash: string): string {
  if (!/^[0-9a-f]{64}$/.test(configHash)) throw new Error(`not a config hash: ${configHash}`);
  return configHash;
}
