import { CounterRng, DeviceProfile, ProgrammedTcam, programTernaryCam } from '@engram/hardware';
import { SemanticMemory } from '@engram/semantic-memory';
import { HardwareExecutor, hasReadNoise, programNetwork } from './hardware-executor';
import { MnistModelContext } from './model-context';

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

export function programChip(
  context: MnistModelContext,
  profile: DeviceProfile,
  seed: number,
): ProgrammedChip {
  const network = context.ternaryNetwork;
  const runRng = new CounterRng(seed, `${context.artifact.manifest.name}/run`);
  const executor = new HardwareExecutor(
    network,
    programNetwork(network, profile, runRng.derive('crossbars')),
    context.calibration(profile),
    profile,
    hasReadNoise(profile) ? runRng.derive('read-noise') : null,
  );
  const senseRng = profile.tcam.senseNoiseRelativeStd > 0 ? runRng.derive('tcam-sense') : null;
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
