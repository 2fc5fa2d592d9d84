/** Every BullMQ queue of the platform. Job data carries ids only; state lives in PostgreSQL. */
export const QueueName = {
  /**
   * One job per chip (its runs' metrics derive from one shared hardware pass) or per run that
   * needs a pass of its own (measured timing): compute, store the results.
   */
  SimulationRuns: 'simulation-runs',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/** A job computing one run configuration (its job key is the config hash). */
export const SIMULATE_RUN_JOB = 'simulate-run';
/** A job computing every pending run of one chip in one pass (its job key is the chip hash). */
export const SIMULATE_CHIP_JOB = 'simulate-chip';

export type SimulationJobKind = 'run' | 'chip';

/** The job name of each kind. */
export const SIMULATION_JOB_NAMES: Readonly<Record<SimulationJobKind, string>> = {
  run: SIMULATE_RUN_JOB,
  chip: SIMULATE_CHIP_JOB,
};

/**
 * Payload of a simulation job. The job id is the job key stored on its runs (the chip hash of a
 * chip job, the config hash of a run job), so two sweeps that need the same chip or the same
 * configuration share one job; the worker claims every pending run with that key.
 */
export interface SimulationRunJobData {
  jobKey: string;
  kind: SimulationJobKind;
  /** The run whose submission enqueued the job (for logs; any run with the key may be settled). */
  runId: string;
  sweepId: string;
}

/** How a job ended, returned by the processor (and visible in BullMQ's completed events). */
export interface SimulationRunJobResult {
  /**
   * computed: evaluated now (a chip job: at least one of its configurations); reused: every result
   * already existed; skipped: no run needed it any more.
   */
  outcome: 'computed' | 'reused' | 'skipped';
  settledRuns: number;
  /** Distinct configurations evaluated now (a chip job's runs of one pass). */
  computedConfigs?: number;
  durationMs: number;
}

/** BullMQ job ids may not contain ':' (it separates key parts); job keys (hashes) are hex. */
export function simulationRunJobId(jobKey: string): string {
  if (!/^[0-9a-f]{64}$/.test(jobKey)) throw new Error(`not a job key (hash): ${jobKey}`);
  return jobKey;
}
