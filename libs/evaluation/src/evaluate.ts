import { evaluateChipRuns } from './chip-runs';
import { runEvaluation } from './measured-run';
import type { EvaluationConfig, EvaluationResult } from './types';

/**
 * One run of the semantic-memory dynamic network on simulated memristor hardware: programs every
 * crossbar and TCAM from the device profile and seed, runs the network on that chip (dynamic and
 * static) and the float software reference on the same samples, and reports accuracy, compute
 * and energy. By default (`timing` unset or 'derived') the dynamic outcome is derived from one
 * pass of the chip (chip-runs.ts), exactly what real dynamic inference gives; `timing:
 * 'measured'` runs real dynamic inference and measures its wall time.
 */
export async function evaluate(config: EvaluationConfig): Promise<EvaluationResult> {
  if (config.timing === 'measured') return (await runEvaluation(config)).result;
  const [result] = await evaluateChipRuns([config]);
  return result;
}
