import {
  DeviceProfile,
  OperationCounts,
  addOperationCounts,
  emptyOperationCounts,
} from '@engram/hardware';
import {
  ChipEnergyBreakdownPj,
  DEFAULT_ENERGY_PARAMETERS,
  DigitalAccelerator,
  DigitalEnergyBreakdownPj,
  EnergyParameters,
  chipEnergyPj,
  digitalWorkEnergyPj,
  reductionFraction,
  sumDigitalBreakdowns,
} from '@engram/energy';
import type { SegmentCosts } from './segment-costs';

/** Samples that ran each piece of the network in one pass. */
export interface SegmentReach {
  stages: number[];
  exits: number[];
  head: number;
}

/**
 * Which samples ran what, from where they left: stage s runs for every sample that did not leave
 * at an exit placed before it, exit e for every sample that reached it, the head for those that
 * left at none. `exitHistogram` has one entry per exit and a last one for the head.
 */
export function segmentReach(
  exitHistogram: readonly number[],
  exitAfterStage: readonly number[],
  stageCount: number,
): SegmentReach {
  let remaining = exitHistogram.reduce((a, b) => a + b, 0);
  const stages: number[] = [];
  const exits = new Array<number>(exitAfterStage.length).fill(0);
  for (let s = 0; s < stageCount; s++) {
    stages.push(remaining);
    const e = exitAfterStage.indexOf(s);
    if (e >= 0) {
      exits[e] = remaining;
      remaining -= exitHistogram[e];
    }
  }
  return { stages, exits, head: remaining };
}

/** Every sample through the static network: all stages and the head, no exit heads. */
export function staticReach(samples: number, stageCount: number, exitCount: number): SegmentReach {
  return {
    stages: new Array<number>(stageCount).fill(samples),
    exits: new Array<number>(exitCount).fill(0),
    head: samples,
  };
}

/** Chip operation counts of a pass from the per-sample costs and the samples per piece. */
export function chipCountsFor(costs: SegmentCosts, reach: SegmentReach): OperationCounts {
  const counts = emptyOperationCounts();
  costs.stages.forEach((stage, s) => addOperationCounts(counts, stage, reach.stages[s]));
  costs.exits.forEach((exit, e) => addOperationCounts(counts, exit, reach.exits[e]));
  return addOperationCounts(counts, costs.head, reach.head);
}

/** The digital accelerator of the profile's baseline for a network. */
export function acceleratorFor(profile: DeviceProfile, costs: SegmentCosts): DigitalAccelerator {
  return {
    baseline: profile.digitalBaseline.name,
    weightBufferKb: profile.digitalBaseline.weightBufferKb,
    activationBufferKb: profile.energy.activationBufferKb,
    networkWeights: costs.networkWeights,
  };
}

/** Energy of a pass on the digital accelerator: each piece priced once, times its samples. */
export function digitalPassEnergyPj(
  costs: SegmentCosts,
  reach: SegmentReach,
  accelerator: DigitalAccelerator,
  parameters: EnergyParameters = DEFAULT_ENERGY_PARAMETERS,
): DigitalEnergyBreakdownPj {
  const price = (work: SegmentCosts['digital']['head']): DigitalEnergyBreakdownPj =>
    digitalWorkEnergyPj(work, accelerator, parameters);
  return sumDigitalBreakdowns(
    [
      ...costs.digital.stages.map(price),
      ...costs.digital.exits.map(price),
      price(costs.digital.head),
    ],
    [...reach.stages, ...reach.exits, reach.head],
  );
}

/** What one pass cost on the chip and on its digital baseline, totals over the samples. */
export interface PassEnergyPj {
  chipDynamic: ChipEnergyBreakdownPj;
  chipStatic: ChipEnergyBreakdownPj;
  /** The static network on the digital baseline. */
  digitalStatic: DigitalEnergyBreakdownPj;
  /** The digital baseline with the chip's exits (same samples leave at the same exits). */
  digitalDynamic: DigitalEnergyBreakdownPj;
  /** 1 - chip dynamic / digital static: exits and compute-in-memory together. */
  reductionVsDigitalStatic: number;
  /** 1 - chip dynamic / digital dynamic: the compute-in-memory gain alone. */
  reductionVsDigitalDynamic: number;
  /** 1 - chip dynamic / chip static: the exits' gain on the chip. */
  reductionVsChipStatic: number;
}

export function passEnergyPj(
  costs: SegmentCosts,
  pass: { dynamicCounts: OperationCounts; staticCounts: OperationCounts; reach: SegmentReach },
  profile: DeviceProfile,
  parameters: EnergyParameters = DEFAULT_ENERGY_PARAMETERS,
): PassEnergyPj {
  const samples = pass.reach.stages[0] ?? pass.reach.head;
  const accelerator = acceleratorFor(profile, costs);
  const chipDynamic = chipEnergyPj(pass.dynamicCounts, profile, parameters);
  const chipStatic = chipEnergyPj(pass.staticCounts, profile, parameters);
  const digitalStatic = digitalPassEnergyPj(
    costs,
    staticReach(samples, costs.stages.length, costs.exits.length),
    accelerator,
    parameters,
  );
  const digitalDynamic = digitalPassEnergyPj(costs, pass.reach, accelerator, parameters);
  return {
    chipDynamic,
    chipStatic,
    digitalStatic,
    digitalDynamic,
    reductionVsDigitalStatic: reductionFraction(chipDynamic.totalPj, digitalStatic.totalPj),
    reductionVsDigitalDynamic: reductionFraction(chipDynamic.totalPj, digitalDynamic.totalPj),
    reductionVsChipStatic: reductionFraction(chipDynamic.totalPj, chipStatic.totalPj),
  };
}

/** A breakdown divided by the samples (per inference), as stored with a result. */
export function perInference(
  breakdown: ChipEnergyBreakdownPj | DigitalEnergyBreakdownPj,
  samples: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(breakdown).map(([component, pj]: [string, number]) => [component, pj / samples]),
  );
}
