import { DeviceProfile } from '@engram/hardware';
import { InferenceEngine, PointNetNetwork, ResNetNetwork } from '@engram/models';
import { ChipOptions, programCrossbars, programDynamicChip, programExitChip } from './chip';
import { ExitChip } from './dynamic-inference';
import { EvaluationModel } from './evaluation-model';
import { OnnxEngineOptions, OnnxPointNetEngine, OnnxResNetEngine } from '@engram/engine-onnx';
import { TfjsEngine } from './tfjs-engine';

export type EngineName = 'onnx' | 'tfjs';
export const ENGINE_NAMES: readonly EngineName[] = ['onnx', 'tfjs'];

/** Engines a model can run on: onnxruntime graphs exist for the ResNet and the PointNet++. */
export function enginesFor(model: EvaluationModel): EngineName[] {
  const network = model.network;
  return network instanceof ResNetNetwork || network instanceof PointNetNetwork
    ? ['onnx', 'tfjs']
    : ['tfjs'];
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
  if (!(network instanceof ResNetNetwork) && !(network instanceof PointNetNetwork)) {
    throw new Error(`the onnx engine runs ResNets and PointNet++ only, not ${network.kind}`);
  }
  const { runRng, arrays, readNoiseRng, senseRng } = programCrossbars(model, profile, options.seed);
  const calibration = model.calibration(profile);
  const onnx =
    network instanceof ResNetNetwork
      ? new OnnxResNetEngine(network, arrays, calibration, profile, readNoiseRng, onnxOptions)
      : new OnnxPointNetEngine(network, arrays, calibration, profile, readNoiseRng, onnxOptions);
  const chip = programExitChip(model, profile, options, runRng, senseRng);
  return { chip, engine: onnx as InferenceEngine<unknown> };
}
