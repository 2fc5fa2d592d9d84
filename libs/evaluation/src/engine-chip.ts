import { DeviceProfile } from '@engram/hardware';
import { InferenceEngine } from '@engram/models';
import { ChipOptions, programCrossbars, programExitChip } from './chip';
import { ExitChip } from './dynamic-inference';
import { EvaluationModel } from './evaluation-model';
import { EngineName, engineDefinition, modelDefinition } from './registry';
import './models';
import './tfjs-engine';

/** Engines a model can run on (its definition's list, fastest first). */
export function enginesFor(model: EvaluationModel): EngineName[] {
  const definition = modelDefinition(model.name);
  if (!definition) throw new Error(`model ${model.name} is not registered`);
  return [...definition.engines];
}

/** The engine a run uses when its configuration names none: the fastest the model has. */
export function defaultEngine(model: EvaluationModel): EngineName {
  return enginesFor(model)[0];
}

/**
 * Programs the chip of a run (crossbars, read noise, TCAMs, sense noise, all streams derived
 * from the seed) and the engine that computes on it. `engineOptions` go to the engine as they
 * are (the onnx engine's options, for instance).
 */
export async function programEngineChip(
  model: EvaluationModel,
  profile: DeviceProfile,
  options: ChipOptions,
  engine: EngineName,
  engineOptions: object = {},
): Promise<{ chip: ExitChip; engine: InferenceEngine<unknown> }> {
  const network = model.network;
  if (!enginesFor(model).includes(engine)) {
    throw new Error(`the ${engine} engine does not run ${model.name} (${network.kind})`);
  }
  const definition = engineDefinition(engine);
  const { runRng, arrays, readNoiseRng, senseRng } = programCrossbars(model, profile, options.seed);
  // Real chips calibrate after programming; 'artifact' shares the noise-free network's ranges.
  const calibration =
    profile.adc.calibrationData === 'chip'
      ? model.chipCalibration(profile, arrays)
      : model.calibration(profile);
  const created = definition.create(
    { network, arrays, calibration, profile, readNoiseRng },
    engineOptions,
  );
  const chip = programExitChip(model, profile, options, runRng, senseRng);
  return { chip, engine: created };
}
