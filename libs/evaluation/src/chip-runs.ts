import { initTensorEngine } from '@engram/tensor';
import { programExitChip, chipStreams } from './chip';
import { abortError, deriveOutcome, traceChip } from './chip-trace';
import { programEngineChip } from './engine-chip';
import { evaluateOnEngine } from './measured-run';
import { loadEvaluationModel } from './model-registry';
import {
  checkConfig,
  deviceProfileFor,
  engineFor,
  prepareRun,
  summarize,
  type PreparedRun,
} from './run-setup';
import type { EvaluationConfig, EvaluationResult } from './types';

export interface ChipRunOptions {
  signal?: AbortSignal;
  /**
   * Progress of the chip's work, `done` of `total` units: one per sample of the hardware pass,
   * then one per run derived from it (or measured).
   */
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
 * Canonical key of the chip part of a configuration: the model, what of the resolved device
 * profile touches the crossbars, the seed, the engine, the split and the sample count. Not the
 * exit decision (memory size, thresholds, exit rule), the TCAM (programmed per run from the same
 * seed), the energy constants or the digital baseline (they price counts, they change none): runs
 * that differ only there share one hardware pass.
 */
export function chipKey(config: EvaluationConfig): string {
  return canonical({
    model: config.model,
    device: crossbarDevice(config),
    seed: config.seed,
    engine: config.engine ?? null,
    split: config.split ?? 'test',
    sampleCount: config.sampleCount ?? null,
  });
}

/** Profile fields the crossbar pass does not read: names, and what acts after the pass. */
const AFTER_THE_PASS = ['name', 'version', 'tcam', 'energy', 'digitalBaseline'];

function omit(value: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));
}

// A sweep shares a few device settings over thousands of runs: resolve each once.
const crossbarDevices = new Map<string, string>();

/** The canonical text of the resolved profile's fields that the crossbar pass depends on. */
function crossbarDevice(config: EvaluationConfig): string {
  const key = canonical([config.deviceProfile ?? null, config.device ?? null]);
  let text = crossbarDevices.get(key);
  if (text === undefined) {
    text = canonical(omit(deviceProfileFor(config), AFTER_THE_PASS));
    if (crossbarDevices.size >= 1024) crossbarDevices.clear();
    crossbarDevices.set(key, text);
  }
  return text;
}

/**
 * The results of configurations sharing one chip key, in input order, from ONE hardware pass:
 * the chip is programmed once, the static network with every exit head runs every sample once
 * (traceChip), and each run's dynamic outcome is derived from that trace with its own TCAMs,
 * memory, thresholds and exit rule (deriveOutcome): the predictions, exits and counts that real
 * dynamic inference gives, since read and sense noise are keyed by sample. Configurations with
 * `timing: 'measured'` run real dynamic inference of their own instead. Throws on an invalid
 * configuration (InvalidEvaluationConfigError, naming the field) before any work.
 */
export async function evaluateChipRuns(
  configs: EvaluationConfig[],
  options: ChipRunOptions = {},
): Promise<EvaluationResult[]> {
  if (configs.length === 0) return [];
  configs.forEach((config) => {
    checkConfig(config);
    deviceProfileFor(config);
  });
  const keys = new Set(configs.map(chipKey));
  if (keys.size > 1) throw new Error(`evaluateChipRuns: ${keys.size} chips in one call`);
  const started = performance.now();
  await initTensorEngine();
  const model = await loadEvaluationModel(configs[0].model);
  const runs = configs.map((config) => prepareRun(model, config));
  const engineName = engineFor(configs[0], model);
  const derived = configs.flatMap((config, i) => (config.timing === 'measured' ? [] : [i]));
  const first = runs[0];
  const total = (derived.length > 0 ? first.count : 0) + configs.length;
  let done = 0;
  const progress = (units: number) => {
    done += units;
    options.onProgress?.(done, total);
  };
  const checkAbort = () => {
    if (options.signal?.aborted) throw abortError(options.signal);
  };
  options.onProgress?.(0, total);

  const results: EvaluationResult[] = new Array(configs.length);
  if (derived.length > 0) {
    const { engine } = await programEngineChip(
      model,
      first.profile,
      chipOptions(configs[0], first),
      engineName,
    );
    let trace;
    try {
      trace = await traceChip(engine, model.batches(first.split, first.count), first.count, {
        signal: options.signal,
        onProgress: (samples) => progress(samples - done),
      });
    } finally {
      await engine.dispose();
    }
    const passDone = performance.now();
    const software = model.softwarePredictions(first.split, first.count);
    for (const i of derived) {
      checkAbort();
      const runStarted = performance.now();
      const config = configs[i];
      const run = runs[i];
      const { runRng, senseRng } = chipStreams(model, run.profile, config.seed);
      const chip = programExitChip(model, run.profile, chipOptions(config, run), runRng, senseRng);
      const dynamic = deriveOutcome(trace, chip, model.network, true);
      const stat = deriveOutcome(trace, chip, model.network, false);
      results[i] = summarize(model, config, run, engineName, dynamic, stat, software, {
        timing: 'derived',
        // The run's own work plus an equal share of the pass and of what preceded it.
        wallTimeMs: (passDone - started) / derived.length + (performance.now() - runStarted),
        dynamicWallTimeMs: null,
        staticWallTimeMs: null,
        chipPassWallTimeMs: trace.wallTimeMs,
      });
      progress(1);
    }
  }
  for (let i = 0; i < configs.length; i++) {
    if (configs[i].timing !== 'measured') continue;
    checkAbort();
    results[i] = (await evaluateOnEngine(model, configs[i])).result;
    progress(1);
  }
  return results;
}

function chipOptions(config: EvaluationConfig, run: PreparedRun) {
  return {
    seed: config.seed,
    memories: run.memories,
    thresholds: run.thresholds,
    exitRule: config.exitRule ?? 'margin',
  };
}
