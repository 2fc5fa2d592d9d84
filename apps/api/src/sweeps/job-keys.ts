import { createHash } from 'node:crypto';
import type { EvaluationConfig, ModelName } from '@engram/contracts';
import { chipKey } from '@engram/evaluation';
import { canonicalJson } from '@engram/sweep-spec';

/** Bumped if what goes into a chip's job key changes, so old and new keys never collide. */
export const CHIP_JOB_KEY_FORMAT = 1;

/**
 * Job keys of one submission. A run whose metrics can derive from its chip's hardware pass gets
 * the chip's key (SHA-256 of the model, artifact version and `chipKey` of its configuration), so
 * every such run of a chip, in any sweep, is computed by one chip job. A run with measured timing
 * (real dynamic inference of its own) or a configuration no chip can be made for (an invalid
 * device: it fails in its job with the reason) keeps its config hash: a job of its own.
 */
export class JobKeys {
  /**
   * chipKey ignores the exit decision (memory size, thresholds, exit rule): configurations that
   * differ only there share one answer, computed once per submission.
   */
  private readonly byChipFields = new Map<string, string | null>();

  constructor(
    private readonly model: ModelName,
    private readonly artifactVersion: string,
  ) {}

  of(config: EvaluationConfig, configHash: string): string {
    if (config.timing === 'measured') return configHash;
    const fields = canonicalJson({
      ...config,
      camThreshold: undefined,
      memorySize: undefined,
      exitRule: undefined,
    });
    let key = this.byChipFields.get(fields);
    if (key === undefined) {
      key = this.chipHash(config);
      this.byChipFields.set(fields, key);
    }
    return key ?? configHash;
  }

  private chipHash(config: EvaluationConfig): string | null {
    let chip: string;
    try {
      chip = chipKey(config);
    } catch (error) {
      // A configuration that can never run (marked permanent): its own job fails it with the reason.
      if ((error as { permanent?: unknown } | null)?.permanent === true) return null;
      throw error;
    }
    const identity = canonicalJson({
      format: CHIP_JOB_KEY_FORMAT,
      model: this.model,
      artifactVersion: this.artifactVersion,
      chip,
    });
    return createHash('sha256').update(identity).digest('hex');
  }
}
