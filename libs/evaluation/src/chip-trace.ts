import { addOperationCounts, emptyOperationCounts } from '@engram/hardware';
import type { InferenceEngine } from '@engram/models';
import { ExitChip, InferenceOutcome, argMaxRows, searchExit } from './dynamic-inference';
import type { InputBatch } from './evaluation-model';

/**
 * What one hardware pass of a programmed chip computed, all that the exits of any run on that
 * chip need: every sample's semantic vector at every exit and the final classifier's class. The
 * batches are recorded so that a derived run adds its counts in the order real dynamic inference
 * adds them.
 */
export interface ChipTrace {
  count: number;
  batches: { offset: number; size: number }[];
  /** Per exit, [count][semanticDim] row-major. */
  semantics: Float32Array[];
  /** The static network's class of every sample. */
  finalPredictions: Uint16Array;
  /** Wall time of the pass. */
  wallTimeMs: number;
}

export interface TraceOptions {
  signal?: AbortSignal;
  /** Called after each batch: samples done of `count`. */
  onProgress?: (done: number, total: number) => void;
}

export function abortError(signal: AbortSignal): Error {
  const error = new Error(`chip runs aborted: ${String(signal.reason ?? 'aborted')}`);
  error.name = 'AbortError';
  return error;
}

/**
 * One pass of the static network with every exit head over the first `count` samples. Read
 * noise is keyed by sample (read-noise.ts), so each sample computes here exactly what it computes
 * in a dynamic pass up to the exit it leaves at.
 */
export async function traceChip(
  engine: InferenceEngine<unknown>,
  batches: Iterable<InputBatch>,
  count: number,
  options: TraceOptions = {},
): Promise<ChipTrace> {
  const exitAfter = new Map(engine.exits.map((e, i) => [e.afterStage, i]));
  const semantics = engine.exits.map((e) => new Float32Array(count * e.semanticDim));
  const finalPredictions = new Uint16Array(count);
  const recorded: ChipTrace['batches'] = [];
  engine.beginPass();
  const started = performance.now();
  for (const { x, offset } of batches) {
    const size = x.shape[0];
    let state: unknown = null;
    try {
      if (options.signal?.aborted) throw abortError(options.signal);
      state = await engine.begin(x, offset);
      x.dispose();
      for (let s = 0; s < engine.stageCount; s++) {
        const next: unknown = await engine.stage(s, state);
        engine.release(state);
        state = next;
        const e = exitAfter.get(s);
        if (e !== undefined) {
          semantics[e].set(
            await engine.exitSemantic(e, state),
            offset * engine.exits[e].semanticDim,
          );
        }
      }
      const logits = await engine.classify(state);
      finalPredictions.set(argMaxRows(logits, size, engine.numClasses), offset);
    } finally {
      if (state !== null) engine.release(state);
      if (!x.isDisposed) x.dispose();
    }
    recorded.push({ offset, size });
    options.onProgress?.(offset + size, count);
  }
  return {
    count,
    batches: recorded,
    semantics,
    finalPredictions,
    wallTimeMs: performance.now() - started,
  };
}

/**
 * The outcome of a run on the traced chip: `dynamic` with the exits of `chip` (its TCAMs searched
 * with the traced semantic vectors), else the static network. Batch by batch, stage by stage and
 * exit by exit as runEngineInference goes, so predictions, exits and counts are the ones real
 * dynamic inference gives; `wallTimeMs` is the derivation's own time, not a measured inference.
 */
export function deriveOutcome(
  trace: ChipTrace,
  chip: ExitChip,
  network: Pick<InferenceEngine, 'exits' | 'stageCount'>,
  dynamic: boolean,
): InferenceOutcome {
  const started = performance.now();
  const { count, semantics, finalPredictions } = trace;
  const predictions = new Uint16Array(count);
  const exitIndex = new Uint8Array(count);
  const counts = emptyOperationCounts();
  const { costs } = chip;
  const exitAfter = new Map(network.exits.map((e, i) => [e.afterStage, i]));
  for (const { offset, size } of trace.batches) {
    let active = Int32Array.from({ length: size }, (_, i) => offset + i);
    for (let s = 0; s < network.stageCount; s++) {
      addOperationCounts(counts, costs.stages[s], active.length);
      const e = exitAfter.get(s);
      if (!dynamic || e === undefined) continue;
      addOperationCounts(counts, costs.exits[e], active.length);
      const dim = network.exits[e].semanticDim;
      const values = new Float32Array(active.length * dim);
      active.forEach((sample, i) =>
        values.set(semantics[e].subarray(sample * dim, (sample + 1) * dim), i * dim),
      );
      const decisions = searchExit(chip, e, values, active);
      const staying: number[] = [];
      for (let i = 0; i < active.length; i++) {
        if (decisions.exits[i]) {
          predictions[active[i]] = decisions.predictedClass[i];
          exitIndex[active[i]] = e;
        } else {
          staying.push(active[i]);
        }
      }
      active = Int32Array.from(staying);
      if (active.length === 0) break;
    }
    if (active.length > 0) {
      addOperationCounts(counts, costs.head, active.length);
      for (const sample of active) {
        predictions[sample] = finalPredictions[sample];
        exitIndex[sample] = network.exits.length;
      }
    }
  }
  return { predictions, exitIndex, counts, wallTimeMs: performance.now() - started };
}
