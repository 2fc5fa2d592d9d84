/**
 * TEMPORARY implementation of the chip-run contract (issue #16), so that the platform's chip jobs
 * run and are tested before the science half lands: this whole file is replaced by the real one
 * (one hardware pass per chip, runs derived from its trace). Here `chipKey` is a canonical JSON of
 * the chip fields and `evaluateChipRuns` still calls `evaluate` once per configuration, in turn:
 * correct results, none of the speed.
 */
import { evaluate, deviceProfileFor } from './evaluate';
import type { EvaluationConfig, EvaluationResult } from './types';

/** How a run's metrics are made (the config's `timing`): re-exported for the worker. */
export type { RunTiming } from '@engram/contracts';

export interface ChipRunOptions {
  signal?: AbortSignal;
  /** Called as the chip's runs progress: `done` of `total`. */
  onProgress?: (done: number, total: number) => void;
}

/** Sorted keys, undefined fields dropped: equal values, equal text. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/**
 * Canonical key of the chip part of a configuration: the model, the resolved device profile, the
 * seed, the engine, the split and the sample count; not the memory size, thresholds or exit rule.
 * (TEMPORARY: the whole resolved profile, TCAM knobs included, so it groups no more than it may.)
 */
export function chipKey(config: EvaluationConfig): string {
  return canonical({
    model: config.model,
    device: resolvedDevice(config),
    seed: config.seed,
    engine: config.engine ?? null,
    split: config.split ?? 'test',
    sampleCount: config.sampleCount ?? null,
  });
}

// A sweep shares a few device settings over thousands of runs: resolve each once.
const resolvedDevices = new Map<string, string>();

/** The canonical text of the run's resolved device profile (cached by profile and knobs). */
function resolvedDevice(config: EvaluationConfig): string {
  const key = canonical([config.deviceProfile ?? null, config.device ?? null]);
  let text = resolvedDevices.get(key);
  if (text === undefined) {
    text = canonical(deviceProfileFor(config));
    if (resolvedDevices.size >= 1024) resolvedDevices.clear();
    resolvedDevices.set(key, text);
  }
  return text;
}

function abortError(signal: AbortSignal): Error {
  const error = new Error(`chip runs aborted: ${String(signal.reason ?? 'aborted')}`);
  error.name = 'AbortError';
  return error;
}

/**
 * The results of configurations sharing one chip key, in input order. (TEMPORARY: `evaluate`
 * per configuration, in turn; the real implementation makes one hardware pass.)
 */
export async function evaluateChipRuns(
  configs: EvaluationConfig[],
  options: ChipRunOptions = {},
): Promise<EvaluationResult[]> {
  const keys = new Set(configs.map(chipKey));
  if (keys.size > 1) throw new Error(`evaluateChipRuns: ${keys.size} chips in one call`);
  const results: EvaluationResult[] = [];
  options.onProgress?.(0, configs.length);
  for (const config of configs) {
    if (options.signal?.aborted) throw abortError(options.signal);
    results.push(await evaluate(config));
    options.onProgress?.(results.length, configs.length);
  }
  return results;
}
