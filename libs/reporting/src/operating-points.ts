import { CounterRng, DeviceProfile, OperationCounts } from '@engram/hardware';
import { chipEnergyPj } from '@engram/energy';
import { ExitRule, decideExits } from '@engram/semantic-memory';
import type { EngineName } from '@engram/contracts';
import {
  chipCountsFor,
  defaultEngine,
  EvaluationModel,
  exitMismatches,
  passEnergyPj,
  programEngineChip,
  programTcams,
  SegmentReach,
  segmentReach,
  staticReach,
  traceChip,
} from '@engram/evaluation';
import type { ChipTrace, SegmentCosts } from '@engram/evaluation';

export interface OperatingPoint {
  memorySize: number;
  /** One threshold per exit. */
  thresholds: number[];
  dynamicAccuracy: number;
  computeReduction: number;
  /** Against the static network on the profile's digital baseline. */
  energyReductionVsDigitalStatic: number;
  /** Against the digital baseline with the same exits. */
  energyReductionVsDigitalDynamic: number;
  energyReductionVsStatic: number;
  energyPerInferencePj: number;
  exitHistogram: number[];
  /** Samples that ran each piece of the network, and the per-sample costs of the pieces. */
  reach: SegmentReach;
  costs: SegmentCosts;
  /**
   * Standard error of the loss (static minus dynamic accuracy, a paired difference on the same
   * samples), from the samples on which the two disagree: sqrt(b + c - (b - c)^2 / n) / n.
   */
  lossStdError: number;
}

/**
 * The static network truncated at an exit: every sample leaves there with the TCAM's best class
 * (the exit head as the classifier), on the same chip and memory.
 */
export interface TruncatedNetwork {
  memorySize: number;
  exit: number;
  accuracy: number;
  macsPerSample: number;
}

export interface OperatingPointSweep {
  samples: number;
  staticAccuracy: number;
  staticMacsPerSample: number;
  staticEnergyPerInferencePj: number;
  digitalBaselineEnergyPerInferencePj: number;
  points: OperatingPoint[];
  truncated: TruncatedNetwork[];
}

/**
 * Many exit operating points of one programmed chip from ONE hardware pass (traceChip, the pass
 * the sweep workers derive their runs from): the static network runs every sample with every exit
 * head, then for each memory size the TCAMs are programmed and searched once, and each
 * threshold's dynamic outcome follows from the decisions (a sample that leaves at exit e computed
 * exactly what the full pass computed up to exit e: read and sense noise are keyed by sample).
 * The counts are those of real dynamic inference: stages and exits actually reached.
 */
export async function sweepOperatingPoints(
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
    /** Default: the model's fastest engine. */
    engine?: EngineName;
    onProgress?: (message: string) => void;
  },
): Promise<OperatingPointSweep> {
  const network = model.network;
  const exits = network.exits.length;
  const { count } = options;
  const labels = model.labels(options.split).subarray(0, count);
  const { engine } = await programEngineChip(
    model,
    profile,
    {
      seed: options.seed,
      memories: model.memory(options.memorySizes[0], options.dontCareMarginStd, 0),
      thresholds: network.exits.map(() => Infinity),
      exitRule: options.exitRule,
    },
    options.engine ?? defaultEngine(model),
  );
  // The streams programCrossbars derives from the seed, for the TCAMs of every memory size.
  const runRng = new CounterRng(options.seed, `${model.runStreamName}/run`);
  const senseRng = profile.tcam.senseNoiseRelativeStd > 0 ? runRng.derive('tcam-sense') : null;
  let trace: ChipTrace;
  try {
    trace = await traceChip(engine, model.batches(options.split, count), count, {
      onProgress: (done) => options.onProgress?.(`hardware pass ${done}/${count}`),
    });
  } finally {
    await engine.dispose();
  }
  const { finalPredictions, semantics } = trace;
  const everySample = Int32Array.from({ length: count }, (_, i) => i);

  let staticCorrect = 0;
  for (let i = 0; i < count; i++) if (finalPredictions[i] === labels[i]) staticCorrect++;
  const points: OperatingPoint[] = [];
  const truncated: TruncatedNetwork[] = [];
  let staticCounts: OperationCounts | undefined;
  let baselinePj = 0;
  let staticPj = 0;
  const exitAfterStage = network.exits.map((e) => e.afterStage);
  for (const memorySize of options.memorySizes) {
    const memories = model.memory(memorySize, options.dontCareMarginStd, 0);
    const costs = model.segmentCosts(
      profile,
      memories.map((m) => m.rowClass.length),
    );
    const stationary = chipCountsFor(costs, staticReach(count, network.stageCount, exits));
    staticCounts = stationary;
    staticPj = chipEnergyPj(stationary, profile).totalPj;
    const tcams = programTcams(memories, profile, runRng);
    const mismatches = memories.map((_, e) =>
      exitMismatches({ memories, tcams, senseRng }, e, semantics[e], everySample),
    );
    memories.forEach((memory, e) => {
      const { predictedClass } = decideExits(
        mismatches[e],
        count,
        memory.rowClass,
        memory.numClasses,
        options.exitRule,
        0,
      );
      let correct = 0;
      for (let i = 0; i < count; i++) if (predictedClass[i] === labels[i]) correct++;
      let macs = costs.exits[e].cimMacs;
      for (let s = 0; s <= network.exits[e].afterStage; s++) macs += costs.stages[s].cimMacs;
      truncated.push({ memorySize, exit: e, accuracy: correct / count, macsPerSample: macs });
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
      let gained = 0;
      let lost = 0;
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
        const right = prediction === labels[i];
        const staticRight = finalPredictions[i] === labels[i];
        if (right) correct++;
        if (right && !staticRight) gained++;
        if (!right && staticRight) lost++;
      }
      const reach = segmentReach(histogram, exitAfterStage, network.stageCount);
      const counts = chipCountsFor(costs, reach);
      const energy = passEnergyPj(
        costs,
        { dynamicCounts: counts, staticCounts: stationary, reach },
        profile,
      );
      baselinePj = energy.digitalStatic.totalPj;
      const dynamicPj = energy.chipDynamic.totalPj;
      points.push({
        memorySize,
        thresholds,
        dynamicAccuracy: correct / count,
        computeReduction: 1 - counts.cimMacs / stationary.cimMacs,
        energyReductionVsDigitalStatic: energy.reductionVsDigitalStatic,
        energyReductionVsDigitalDynamic: energy.reductionVsDigitalDynamic,
        energyReductionVsStatic: energy.reductionVsChipStatic,
        energyPerInferencePj: dynamicPj / count,
        reach,
        costs,
        exitHistogram: histogram,
        lossStdError: Math.sqrt(Math.max(0, gained + lost - (lost - gained) ** 2 / count)) / count,
      });
    }
  }
  return {
    samples: count,
    staticAccuracy: staticCorrect / count,
    staticMacsPerSample: (staticCounts?.cimMacs ?? 0) / count,
    staticEnergyPerInferencePj: staticPj / count,
    digitalBaselineEnergyPerInferencePj: baselinePj / count,
    points,
    truncated,
  };
}
