import * as tf from '@tensorflow/tfjs';
import {
  CounterRng,
  OperationCounts,
  ProgrammedTcam,
  addOperationCounts,
  emptyOperationCounts,
} from '@engram/hardware';
import { InferenceEngine } from '@engram/models';
import { ExitRule, SemanticMemory, binarizeQueries, decideExits } from '@engram/semantic-memory';
import { SegmentCosts } from './segment-costs';

/** What decides the exits on one simulated chip: TCAMs, their memories, the policy and costs. */
export interface ExitChip {
  memories: SemanticMemory[];
  tcams: ProgrammedTcam[];
  /** Stream of the TCAM sense noise (null: noiseless sensing). */
  senseRng: CounterRng | null;
  exitRule: ExitRule;
  /** One threshold per exit. */
  thresholds: number[];
  costs: SegmentCosts;
}

export interface InferenceOutcome {
  predictions: Uint16Array;
  /** Exit each sample left at: 0..exits-1, or exits for the final classifier. */
  exitIndex: Uint8Array;
  counts: OperationCounts;
  wallTimeMs: number;
}

/**
 * The TCAM search of exit `e` for some samples of a pass (their semantic vectors `values`, one
 * row per sample, and their indices in the pass `samples`) and the exit policy's decisions. The
 * sense noise of a search is drawn per (sample, exit), so a sample's decision does not depend on
 * which other samples were searched with it: real dynamic inference and a run derived from a
 * chip's trace (chip-trace.ts) decide alike.
 */
export function searchExit(
  chip: ExitChip,
  e: number,
  values: Float32Array,
  samples: Int32Array,
): { exits: Uint8Array; predictedClass: Uint16Array } {
  const memory = chip.memories[e];
  return decideExits(
    exitMismatches(chip, e, values, samples),
    samples.length,
    memory.rowClass,
    memory.numClasses,
    chip.exitRule,
    chip.thresholds[e],
  );
}

/**
 * The sensed mismatches [samples][rows] of exit `e`'s TCAM for the samples `samples` (their
 * semantic vectors `values`), sense noise drawn per (sample, exit).
 */
export function exitMismatches(
  chip: Pick<ExitChip, 'memories' | 'tcams' | 'senseRng'>,
  e: number,
  values: Float32Array,
  samples: Int32Array,
): Float32Array {
  const count = samples.length;
  const queries = binarizeQueries(chip.memories[e], values, count);
  const senseRng = chip.senseRng;
  return chip.tcams[e].search(queries, count, {
    threshold: 1, // unused: the exit policy decides from the mismatches
    senseNoise: senseRng !== null,
    queryRng: senseRng ? (q) => senseRng.derive(`sample${samples[q]}/exit${e}`) : null,
  }).mismatch;
}

/**
 * Exit `e`'s decisions for the active samples of a batch: records the class and exit of the
 * samples that leave and returns the positions (in `active`) of those that stay.
 */
function decideBatchExits(
  chip: ExitChip,
  e: number,
  values: Float32Array,
  active: Int32Array,
  offset: number,
  predictions: Uint16Array,
  exitIndex: Uint8Array,
): number[] {
  const decisions = searchExit(
    chip,
    e,
    values,
    Int32Array.from(active, (i) => offset + i),
  );
  const staying: number[] = [];
  for (let i = 0; i < active.length; i++) {
    const sample = offset + active[i];
    if (decisions.exits[i]) {
      predictions[sample] = decisions.predictedClass[i];
      exitIndex[sample] = e;
    } else {
      staying.push(i);
    }
  }
  return staying;
}

export function argMaxRows(logits: Float32Array, rows: number, classes: number): Uint16Array {
  const out = new Uint16Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (logits[r * classes + c] > logits[r * classes + best]) best = c;
    }
    out[r] = best;
  }
  return out;
}

/**
 * Dynamic inference on a programmed chip, batch by batch: stage by stage, each exit's semantic
 * vectors are searched in its TCAM and the samples with a clear enough match leave; only the
 * others go on, so skipped stages cost neither counts nor wall time. `dynamic: false` is the
 * static network on the same chip (no exit heads at all). `engine` computes the network
 * (TensorFlow.js reference or onnxruntime).
 */
export async function runEngineInference<State>(
  engine: InferenceEngine<State>,
  chip: ExitChip,
  batches: Iterable<{ x: tf.Tensor; offset: number }>,
  count: number,
  dynamic: boolean,
): Promise<InferenceOutcome> {
  const predictions = new Uint16Array(count);
  const exitIndex = new Uint8Array(count);
  const counts = emptyOperationCounts();
  const { costs } = chip;
  const exitAfter = new Map(engine.exits.map((e, i) => [e.afterStage, i]));
  engine.beginPass();
  const started = performance.now();
  for (const { x, offset } of batches) {
    let active = Int32Array.from({ length: x.shape[0] }, (_, i) => i);
    let state: State | null = null;
    try {
      state = await engine.begin(x, offset);
      x.dispose();
      for (let s = 0; s < engine.stageCount; s++) {
        const next: State = await engine.stage(s, state);
        engine.release(state);
        state = next;
        addOperationCounts(counts, costs.stages[s], active.length);
        const e = exitAfter.get(s);
        if (!dynamic || e === undefined) continue;
        const values = await engine.exitSemantic(e, state);
        addOperationCounts(counts, costs.exits[e], active.length);
        const staying = decideBatchExits(chip, e, values, active, offset, predictions, exitIndex);
        if (staying.length === active.length) continue;
        if (staying.length === 0) {
          active = new Int32Array(0);
          break;
        }
        const selected: State = engine.select(state, Int32Array.from(staying));
        engine.release(state);
        state = selected;
        active = Int32Array.from(staying, (i) => active[i]);
      }
      if (active.length > 0) {
        const logits = await engine.classify(state);
        const classes = argMaxRows(logits, active.length, engine.numClasses);
        addOperationCounts(counts, costs.head, active.length);
        for (let i = 0; i < active.length; i++) {
          predictions[offset + active[i]] = classes[i];
          exitIndex[offset + active[i]] = engine.exits.length;
        }
      }
    } finally {
      if (state !== null) engine.release(state);
      if (!x.isDisposed) x.dispose();
    }
  }
  return { predictions, exitIndex, counts, wallTimeMs: performance.now() - started };
}
