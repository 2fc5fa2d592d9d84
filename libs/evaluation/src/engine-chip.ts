import { CounterRng, DeviceProfile } from '@engram/hardware';
import { InferenceEngine, ResNetNetwork } from '@engram/models';
import { ChipOptions, programDynamicChip, programTcams } from './chip';
import { ExitChip } from './dynamic-inference';
import { EvaluationModel } from './evaluation-model';
import { hasReadNoise, programNetwork } from './hardware-executor';
import { OnnxEngineOptions, OnnxResNetEngine } from './onnx';
import { TfjsEngine } from './tfjs-engine';

export type EngineName = 'onnx' | 'tfjs';
export const ENGINE_NAMES: readonly EngineName[] = ['onnx', 'tfjs'];

/** Engines a model can run on: onnxruntime graphs exist for the ResNet only. */
export function enginesFor(model: EvaluationModel): EngineName[] {
  return model.network instanceof ResNetNetwork ? ['onnx', 'tfjs'] : ['tfjs'];
}

/** The engine a run uses when its configuration names none: the fastest the model has. */
export function defaultEngine(model: EvaluationModel): EngineName {
  return enginesFor(model)[0];
}

/**
 * Programs the chip of a run (the same streams as programChip: crossbars, read noise, TCAMs,
 * sense noise, all derived from the seed) and the engine that computes on it.
 */
export async function programEngineChip(
  model: EvaluationModel,
  profile: DeviceProfile,
  options: ChipOptions,
  engine: EngineName,
  onnxOptions: OnnxEngineOptions = {},
): Promise<{ chip: ExitChip; engine: InferenceEngine<unknown> }> {
  if (engine === 'tfjs') {
    const { chip, executor } = programDynamicChip(model, profile, options);
    return {
      chip,
      engine: new TfjsEngine(model.network, executor) as InferenceEngine<unknown>,
    };
  }
  const network = model.network;
  if (!(network instanceof ResNetNetwork)) {
    throw new Error(`the onnx engine runs ResNets only, not ${network.kind}`);
  }
  // Same derivations as programChip (chip.ts).
  const runRng = new CounterRng(options.seed, `${model.runStreamName}/run`);
  const onnx = new OnnxResNetEngine(
    network,
    programNetwork(network, profile, runRng.derive('crossbars')),
    model.calibration(profile),
    profile,
    hasReadNoise(profile) ? runRng.derive('read-noise') : null,
    onnxOptions,
  );
  const chip: ExitChip = {
    memories: options.memories,
    tcams: programTcams(options.memories, profile, runRng),
    senseRng: profile.tcam.senseNoiseRelativeStd > 0 ? runRng.derive('tcam-sense') : null,
    exitRule: options.exitRule,
    thresholds: options.thresholds,
    costs: model.segmentCosts(
      profile,
      options.memories.map((m) => m.rowClass.length),
    ),
  };
  return { chip, engine: onnx as InferenceEngine<unknown> };
}
