import { DEFAULT_DEVICE_PROFILE, DeviceKnobs, deviceProfileWithKnobs } from '@engram/hardware';
import { DEFAULT_DONT_CARE_MARGIN_STD } from '@engram/evaluation';
import type { EvaluationModel } from '@engram/evaluation';
import { sweepOperatingPoints } from './operating-points';
import { ChipInterval, chipInterval } from './chip-statistics';

/** One curve: a device knob swept at fixed other knobs, measured on every chip. */
export interface RobustnessCurveSpec {
  /** Legend label, e.g. "ADC 8 bits". */
  label: string;
  /** The knob on the x axis. */
  knob: 'programmingNoise' | 'readNoise';
  levels: number[];
  /** Knobs held fixed along the curve. */
  fixed: DeviceKnobs;
}

export interface RobustnessPoint {
  level: number;
  static: ChipInterval;
  dynamic: ChipInterval;
}

export interface RobustnessCurve extends RobustnessCurveSpec {
  points: RobustnessPoint[];
}

/**
 * Static accuracy and the dynamic accuracy at one operating point against a device knob, each
 * level on every chip (one hardware pass per chip and level gives both).
 */
export async function robustnessCurves(
  model: EvaluationModel,
  curves: RobustnessCurveSpec[],
  options: {
    seeds: number[];
    count: number;
    memorySize: number;
    thresholds: number[];
    onProgress?: (message: string) => void;
  },
): Promise<RobustnessCurve[]> {
  const out: RobustnessCurve[] = [];
  for (const curve of curves) {
    const points: RobustnessPoint[] = [];
    for (const level of curve.levels) {
      const profile = deviceProfileWithKnobs(DEFAULT_DEVICE_PROFILE.name, {
        ...curve.fixed,
        [curve.knob]: level,
      });
      const staticAccuracies: number[] = [];
      const dynamicAccuracies: number[] = [];
      for (const seed of options.seeds) {
        options.onProgress?.(`robustness ${curve.label}, ${curve.knob} ${level}, chip ${seed}`);
        const sweep = await sweepOperatingPoints(model, profile, {
          seed,
          split: 'test',
          count: options.count,
          memorySizes: [options.memorySize],
          thresholds: [options.thresholds],
          exitRule: 'margin',
          dontCareMarginStd: DEFAULT_DONT_CARE_MARGIN_STD,
        });
        staticAccuracies.push(sweep.staticAccuracy);
        dynamicAccuracies.push(sweep.points[0].dynamicAccuracy);
      }
      points.push({
        level,
        static: chipInterval(staticAccuracies),
        dynamic: chipInterval(dynamicAccuracies),
      });
    }
    out.push({ ...curve, points });
  }
  return out;
}
