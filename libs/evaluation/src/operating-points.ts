import * as tf from '@tensorflow/tfjs';
import {
  DeviceProfile,
  OperationCounts,
  addOperationCounts,
  digitalBaselineEnergyPj,
  emptyOperationCounts,
  energyPj,
} from '@engram/hardware';
import { ForwardContext, forwardWithExits } from '@engram/models';
import { ExitRule, binarizeQueries, decideExits } from '@engram/semantic-memory';
import { programChip, programTcams } from './chip';
import { EvaluationModel } from './evaluation-model';

export interface OperatingPoint {
  memorySize: number;
  /** One threshold per exit. */
  thresholds: number[];
  dynamicAccuracy: number;
  computeReduction: number;
  energyReductionVsDigital: number;
  energyReductionVsStatic: number;
  energyPerInferencePj: number;
  exitHistogram: number[];
}

export interface OperatingPointSweep {
  samples: number;
  staticAccuracy: number;
  staticMacsPerSample: number;
  staticEnergyPerInferencePj: number;
  digitalBaselineEnergyPerInferencePj: number;
  points: OperatingPoint[];
}

function scale(counts: OperationCounts, samples: number): OperationCounts {
  return {
    cimMacs: counts.cimMacs * samples,
    adcConversions: counts.adcConversions * samples,
    dacConversions: counts.dacConversions * samples,
    camBitSearches: counts.camBitSearches * samples,
    digitalOps: counts.digitalOps * samples,
  };
}

/**
 * Many exit operating points of one programmed chip from ONE hardware pass: the static network
 * runs every sample with every exit head, then for each memory size the TCAMs are programmed and
 * searched once, and each threshold's dynamic outcome follows from the decisions (a sample that
 * leaves at exit e would have computed exactly what the full pass computed up to exit e). The
 * counts are those of real dynamic inference: stages and exits actually reached. Read noise is
 * drawn per full batch here, so single runs differ from `evaluate` by noise realization only.
 */
export function sweepOperatingPoints(
  model: EvaluationModel,
  profile: DeviceProfile,
  options: {
    seed: number;
    split: 'test' | 'validation';
    count: number;
    memorySizes: number[];
    thresholds: number[][];
    exitRule: ExitRule;
    dontCareMarginStd: number;
    onProgress?: (message: string) => void;
  },
): OperatingPointSweep {
  const network = model.network;
  const exits = network.exits.length;
  const { runRng, executor, senseRng } = programChip(model, profile, options.seed);
  const { count } = options;
  const labels = model.labels(options.split).subarray(0, count);
  const finalPredictions = new Uint16Array(count);
  const semantics = network.exits.map((e) => new Float32Array(count * e.semanticDim));
  const ctx: ForwardContext = { executor, batchNorm: 'running' };
  try {
    for (const { x, offset } of model.batches(options.split, count)) {
      const n = x.shape[0];
      tf.tidy(() => {
        const out = forwardWithExits(network, x, ctx);
        finalPredictions.set(tf.argMax(out.logits, 1).dataSync(), offset);
        out.semantics.forEach((s, e) => semantics[e].set(s.dataSync(), offset * s.shape[1]));
      });
      x.dispose();
      options.onProgress?.(`hardware pass ${offset + n}/${count}`);
    }
  } finally {
    executor.dispose();
  }

  let staticCorrect = 0;
  for (let i = 0; i < count; i++) if (finalPredictions[i] === labels[i]) staticCorrect++;
  const points: OperatingPoint[] = [];
  let staticCounts: OperationCounts = emptyOperationCounts();
  let baselinePj = 0;
  let staticPj = 0;
  for (const memorySize of options.memorySizes) {
    const memories = model.memory(memorySize, options.dontCareMarginStd, 0);
    const costs = model.segmentCosts(
      profile,
      memories.map((m) => m.rowClass.length),
    );
    staticCounts = scale(costs.staticNetwork, count);
    staticPj = energyPj(staticCounts, profile).totalPj;
    baselinePj = digitalBaselineEnergyPj(
      staticCounts.cimMacs,
      staticCounts.digitalOps,
      profile,
    ).totalPj;
    const tcams = programTcams(memories, profile, runRng);
    const mismatches = memories.map((memory, e) => {
      const tcam = tcams[e];
      const queries = binarizeQueries(memory, semantics[e], count);
      return tcam.search(queries, count, {
        threshold: 1,
        senseNoise: senseRng !== null,
        rng: senseRng?.derive(`sweep/exit${e}`) ?? null,
      }).mismatch;
    });
    for (const thresholds of options.thresholds) {
      const decisions = memories.map((memory, e) =>
        decideExits(
          mismatches[e],
          count,
          memory.rowClass,
          memory.numClasses,
          options.exitRule,
          thresholds[e],
        ),
      );
      const histogram = new Array(exits + 1).fill(0);
      let correct = 0;
      const counts = emptyOperationCounts();
      for (let i = 0; i < count; i++) {
        let exitAt = exits;
        let prediction = finalPredictions[i];
        for (let e = 0; e < exits; e++) {
          if (decisions[e].exits[i]) {
            exitAt = e;
            prediction = decisions[e].predictedClass[i];
            break;
          }
        }
        histogram[exitAt]++;
        if (prediction === labels[i]) correct++;
      }
      // Samples reaching stage s: those that did not leave at an exit placed before it.
      let remaining = count;
      const exitAfter = new Map(network.exits.map((e, i) => [e.afterStage, i]));
      for (let s = 0; s < network.stageCount; s++) {
        addOperationCounts(counts, scale(costs.stages[s], remaining));
        const e = exitAfter.get(s);
        if (e !== undefined) {
          addOperationCounts(counts, scale(costs.exits[e], remaining));
          remaining -= histogram[e];
        }
      }
      addOperationCounts(counts, scale(costs.head, remaining));
      const dynamicPj = energyPj(counts, profile).totalPj;
      points.push({
        memorySize,
        thresholds,
        dynamicAccuracy: correct / count,
        computeReduction: 1 - counts.cimMacs / staticCounts.cimMacs,
        energyReductionVsDigital: 1 - dynamicPj / baselinePj,
        energyReductionVsStatic: 1 - dynamicPj / staticPj,
        energyPerInferencePj: dynamicPj / count,
        exitHistogram: histogram,
      });
    }
  }
  return {
    samples: count,
    staticAccuracy: staticCorrect / count,
    staticMacsPerSample: staticCounts.cimMacs / count,
    staticEnergyPerInferencePj: staticPj / count,
    digitalBaselineEnergyPerInferencePj: baselinePj / count,
    points,
  };
}
