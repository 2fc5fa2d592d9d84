import {
  CounterRng,
  DeviceProfile,
  ProgrammedArray,
  ProgrammedTcam,
  programTernaryCam,
} from '@engram/hardware';
import { ExitRule, SemanticMemory } from '@engram/semantic-memory';
import { hasReadNoise, programNetwork } from './hardware-executor';
import { EvaluationModel } from './evaluation-model';
import { ExitChip } from './dynamic-inference';

/** What a seed programs on a chip before any engine computes on it (streams derived by name). */
export interface ChipProgramming {
  runRng: CounterRng;
  arrays: Map<string, ProgrammedArray>;
  /** Stream of the read noise, or null when the profile has none. */
  readNoiseRng: CounterRng | null;
  /** Stream of the TCAM sense noise, or null when the profile has none. */
  senseRng: CounterRng | null;
}

/** The run's stream and the TCAM sense noise's, both derived from the seed. */
export function chipStreams(
  model: Pick<EvaluationModel, 'runStreamName'>,
  profile: DeviceProfile,
  seed: number,
): Pick<ChipProgramming, 'runRng' | 'senseRng'> {
  const runRng = new CounterRng(seed, `${model.runStreamName}/run`);
  const senseRng = profile.tcam.senseNoiseRelativeStd > 0 ? runRng.derive('tcam-sense') : null;
  return { runRng, senseRng };
}

export function programCrossbars(
  model: EvaluationModel,
  profile: DeviceProfile,
  seed: number,
): ChipProgramming {
  const { runRng, senseRng } = chipStreams(model, profile, seed);
  return {
    runRng,
    arrays: programNetwork(model.network, profile, runRng.derive('crossbars')),
    readNoiseRng: hasReadNoise(profile) ? runRng.derive('read-noise') : null,
    senseRng,
  };
}

/** Each exit's TCAM programmed with its semantic memory. */
export function programTcams(
  memories: SemanticMemory[],
  profile: DeviceProfile,
  runRng: CounterRng,
): ProgrammedTcam[] {
  return memories.map((m, e) =>
    programTernaryCam(m.rows, m.rowClass.length, m.dim, profile, runRng.derive(`tcam/exit${e}`)),
  );
}

export interface ChipOptions {
  seed: number;
  memories: SemanticMemory[];
  /** One per exit. */
  thresholds: number[];
  exitRule: ExitRule;
}

/** What decides the exits of a run: its TCAMs, exit policy and per-segment costs. */
export function programExitChip(
  model: Pick<EvaluationModel, 'segmentCosts'>,
  profile: DeviceProfile,
  options: ChipOptions,
  runRng: CounterRng,
  senseRng: CounterRng | null,
): ExitChip {
  return {
    memories: options.memories,
    tcams: programTcams(options.memories, profile, runRng),
    senseRng,
    exitRule: options.exitRule,
    thresholds: options.thresholds,
    costs: model.segmentCosts(
      profile,
      options.memories.map((m) => m.rowClass.length),
    ),
  };
}
