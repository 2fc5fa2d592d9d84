import * as tf from '@tensorflow/tfjs';
import {
  CounterRng,
  OperationCounts,
  ProgrammedTcam,
  addOperationCounts,
  emptyOperationCounts,
} from '@engram/hardware';
import { CimExecutor, DynamicNetwork, ForwardContext, stateTensors } from '@engram/models';
import { ExitRule, SemanticMemory, binarizeQueries, decideExits } from '@engram/semantic-memory';
import { SegmentCosts } from './segment-costs';

/** Everything programmed on one simulated chip for one run. */
export interface ChipState<State extends tf.TensorContainer = tf.TensorContainer> {
  network: DynamicNetwork<State>;
  executor: CimExecutor;
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

function scaleCounts(counts: OperationCounts, samples: number): OperationCounts {
  return {
    cimMacs: counts.cimMacs * samples,
    adcConversions: counts.adcConversions * samples,
    dacConversions: counts.dacConversions * samples,
    camBitSearches: counts.camBitSearches * samples,
    digitalOps: counts.digitalOps * samples,
  };
}

/**
 * Dynamic inference of one batch: stage by stage, each exit's semantic vectors are searched in
 * its TCAM and the samples with a clear enough match leave; only the others go on, so skipped
 * stages cost neither counts nor wall time.
 */
function inferBatch<State extends tf.TensorContainer>(
  chip: ChipState<State>,
  x: tf.Tensor,
  dynamic: boolean,
  batchLabel: string,
  predictions: Uint16Array,
  exitIndex: Uint8Array,
  offset: number,
  counts: OperationCounts,
): void {
  const { network, costs } = chip;
  const ctx: ForwardContext = { executor: chip.executor, batchNorm: 'running' };
  const exitAfter = new Map(network.exits.map((e, i) => [e.afterStage, i]));
  // Positions (in the batch) of the samples still running.
  let active = Int32Array.from({ length: x.shape[0] }, (_, i) => i);
  const replace = (next: State): void => {
    tf.dispose(stateTensors(state));
    state = next;
    stateTensors(state).forEach((t) => tf.keep(t));
  };
  let state = tf.tidy(() => network.begin(x, ctx));
  stateTensors(state).forEach((t) => tf.keep(t));
  try {
    for (let s = 0; s < network.stageCount; s++) {
      replace(tf.tidy(() => network.stage(s, state, ctx)));
      addOperationCounts(counts, scaleCounts(costs.stages[s], active.length));
      const e = exitAfter.get(s);
      if (!dynamic || e === undefined) continue;
      const semantic = tf.tidy(() => network.exitSemantic(e, state, ctx));
      const values = semantic.dataSync() as Float32Array;
      semantic.dispose();
      addOperationCounts(counts, scaleCounts(costs.exits[e], active.length));
      const memory = chip.memories[e];
      const queries = binarizeQueries(memory, values, active.length);
      const search = chip.tcams[e].search(queries, active.length, {
        threshold: 1, // unused: the exit policy decides from the mismatches
        senseNoise: chip.senseRng !== null,
        rng: chip.senseRng?.derive(`${batchLabel}/exit${e}`) ?? null,
      });
      const decisions = decideExits(
        search.mismatch,
        active.length,
        memory.rowClass,
        memory.numClasses,
        chip.exitRule,
        chip.thresholds[e],
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
      if (staying.length === active.length) continue;
      if (staying.length === 0) {
        active = new Int32Array(0);
        break;
      }
      replace(tf.tidy(() => network.select(state, tf.tensor1d(staying, 'int32'))));
      active = Int32Array.from(staying, (i) => active[i]);
    }
    if (active.length > 0) {
      const logits = tf.tidy(() => tf.argMax(network.classify(state, ctx), 1));
      const classes = logits.dataSync();
      logits.dispose();
      addOperationCounts(counts, scaleCounts(costs.head, active.length));
      for (let i = 0; i < active.length; i++) {
        predictions[offset + active[i]] = classes[i];
        exitIndex[offset + active[i]] = network.exits.length;
      }
    }
  } finally {
    tf.dispose(stateTensors(state));
  }
}

/**
 * Runs `count` samples through the chip in batches; `dynamic: false` is the static network on
 * the same hardware (no exit heads at all).
 */
export function runInference<State extends tf.TensorContainer>(
  chip: ChipState<State>,
  batches: Iterable<{ x: tf.Tensor; offset: number }>,
  count: number,
  dynamic: boolean,
): InferenceOutcome {
  const predictions = new Uint16Array(count);
  const exitIndex = new Uint8Array(count);
  const counts = emptyOperationCounts();
  const started = performance.now();
  for (const { x, offset } of batches) {
    inferBatch(chip, x, dynamic, `batch${offset}`, predictions, exitIndex, offset, counts);
    x.dispose();
  }
  return { predictions, exitIndex, counts, wallTimeMs: performance.now() - started };
}
