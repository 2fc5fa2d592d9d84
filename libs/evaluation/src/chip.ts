import * as tf from '@tensorflow/tfjs';
import {
  CounterRng,
  DeviceProfile,
  ProgrammedArray,
  ProgrammedTcam,
  programTernaryCam,
} from '@engram/hardware';
import { ExitRule, SemanticMemory } from '@engram/semantic-memory';
import { HardwareExecutor, hasReadNoise, programNetwork } from './hardware-executor';
import { EvaluationModel } from './evaluation-model';
import { ChipState, ExitChip } from './dynamic-inference';

/**
 * One simulated chip of a run: every random draw comes from streams derived from the run seed
 * (crossbar programming per layer, read noise, each exit's TCAM, TCAM sensing), so the same seed
 * programs the same chip whatever else the run does.
 */
export interface ProgrammedChip {
  runRng: CounterRng;
  executor: HardwareExecutor;
  /** Stream of the TCAM sense noise, or null when the profile has none. */
  senseRng: CounterRng | null;
}

/** What a seed programs on a chip before any engine computes on it (streams derived by name). */
export interface ChipProgramming {
  runRng: CounterRng;
  arrays: Map<string, ProgrammedArray>;
  /** Stream of the read noise, or null when the profile has none. */
  readNoiseRng: CounterRng | null;
  /** Stream of the TCAM sense noise, or null when the profile has none. */
  senseRng: CounterRng | null;
}

export function programCrossbars(
  model: EvaluationModel,
  profile: DeviceProfile,
  seed: number,
): ChipProgramming {
  const runRng = new CounterRng(seed, `${model.runStreamName}/run`);
  return {
    runRng,
    arrays: programNetwork(model.network, profile, runRng.derive('crossbars')),
    readNoiseRng: hasReadNoise(profile) ? runRng.derive('read-noise') : null,
    senseRng: profile.tcam.senseNoiseRelativeStd > 0 ? runRng.derive('tcam-sense') : null,
  };
}

export function programChip(
  model: EvaluationModel,
  profile: DeviceProfile,
  seed: number,
): ProgrammedChip {
  const { runRng, arrays, readNoiseRng, senseRng } = programCrossbars(model, profile, seed);
  const executor = new HardwareExecutor(
    model.network,
    arrays,
    model.calibration(profile),
    profile,
    readNoiseRng,
  );
  return { runRng, executor, senseRng };
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

/**
 * Programs the whole chip of a run for dynamic inference: crossbars, TCAMs with the semantic
 * memories, and the per-segment costs. The caller disposes `executor`.
 */
export function programDynamicChip<State extends tf.TensorContainer>(
  model: EvaluationModel<State>,
  profile: DeviceProfile,
  options: ChipOptions,
): { chip: ChipState<State>; executor: HardwareExecutor } {
  const { runRng, executor, senseRng } = programChip(
    model as EvaluationModel,
    profile,
    options.seed,
  );
  const chip: ChipState<State> = {
    ...programExitChip(model, profile, options, runRng, senseRng),
    network: model.network,
    executor,
  };
  return { chip, executor };
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
