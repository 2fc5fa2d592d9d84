import { createHash } from 'node:crypto';
import type { EvaluationConfig, ModelName } from '@engram/evaluation';

/** Bumped if what goes into the identity changes, so old and new hashes never collide. */
export const RUN_IDENTITY_FORMAT = 1;

/** JSON with object keys sorted and undefined fields dropped: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error(`cannot hash non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * A run's deterministic identity: SHA-256 (hex) of its model, artifact version and complete
 * configuration. Hex only, so it is also a valid BullMQ job id (which may not contain ':').
 */
export function runConfigHash(
  model: ModelName,
  artifactVersion: string,
  config: EvaluationConfig,
): string {
  const identity = canonicalJson({ format: RUN_IDENTITY_FORMAT, model, artifactVersion, config });
  return createHash('sha256').update(identity).digest('hex');
}
