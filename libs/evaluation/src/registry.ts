import type { CounterRng, DeviceProfile, ProgrammedArray } from '@engram/hardware';
import type * as tf from '@tensorflow/tfjs';
import type { DynamicNetwork, InferenceEngine } from '@engram/models';
import type { NetworkCalibration } from './calibration';
import type { EvaluationModel } from './evaluation-model';
import { ENGINE_NAMES, MODEL_NAMES, type EngineName, type ModelName } from '@engram/contracts';

export { ENGINE_NAMES };
export type { EngineName };

/** A model the evaluation can run: its name, its context and the engines that can run it. */
export interface ModelDefinition {
  readonly name: ModelName;
  /** The model's evaluation context (loaders cache it per process). */
  load(): Promise<EvaluationModel>;
  /** Engines that can run it, fastest first: the first is a run's default. */
  readonly engines: readonly EngineName[];
}

/**
 * What a run's chip holds before an engine computes on it: the programmed crossbars of every
 * weight layer, their DAC/ADC calibration, the device profile and the read-noise stream (null
 * when the profile has none). An engine reads them; it must not draw from other streams.
 */
export interface ProgrammedCrossbars {
  readonly network: DynamicNetwork<tf.TensorContainer>;
  readonly arrays: Map<string, ProgrammedArray>;
  readonly calibration: NetworkCalibration;
  readonly profile: DeviceProfile;
  readonly readNoiseRng: CounterRng | null;
}

/** An inference engine: builds, for one run, the engine computing on its programmed chip. */
export interface EngineDefinition<Options extends object = object> {
  readonly name: EngineName;
  create(crossbars: ProgrammedCrossbars, options: Options): InferenceEngine<unknown>;
}

const models = new Map<string, ModelDefinition>();
const engines = new Map<string, EngineDefinition>();

/** Adds a model; a second model of the same name is an error (one definition per name). */
export function registerModel(definition: ModelDefinition): void {
  if (models.has(definition.name)) {
    throw new Error(`model ${definition.name} is already registered`);
  }
  models.set(definition.name, definition);
}

/** Adds an engine; a second engine of the same name is an error (one definition per name). */
export function registerEngine<Options extends object>(
  definition: EngineDefinition<Options>,
): void {
  if (engines.has(definition.name)) {
    throw new Error(`engine ${definition.name} is already registered`);
  }
  engines.set(definition.name, definition as EngineDefinition);
}

export function registeredModels(): ModelDefinition[] {
  return [...models.values()];
}

export function modelDefinition(name: string): ModelDefinition | undefined {
  return models.get(name);
}

export function engineDefinition(name: EngineName): EngineDefinition {
  const engine = engines.get(name);
  if (!engine) {
    throw new Error(
      `engine ${name} is not registered in this process` +
        (name === 'onnx' ? " (import '@engram/engine-onnx' where evaluations run)" : ''),
    );
  }
  return engine;
}

/**
 * The models the contracts name but no one registered, and the engines each registered model
 * names but no one registered, as readable lines (none: every model the platform accepts can run
 * on every engine it names). A process that evaluates checks this at start-up.
 */
export function missingEngines(): string[] {
  const problems: string[] = MODEL_NAMES.filter((name) => !models.has(name)).map(
    (name) => `model ${name} is named by the contracts but not registered`,
  );
  for (const model of models.values()) {
    const missing = model.engines.filter((name) => !engines.has(name));
    if (missing.length > 0) {
      problems.push(`model ${model.name} runs on ${missing.join(', ')}, not registered`);
    }
  }
  return problems;
}

/** Throws, naming every gap, when a registered model names an engine nobody registered. */
export function assertEnginesRegistered(): void {
  const problems = missingEngines();
  if (problems.length > 0) {
    throw new Error(
      `evaluation engines missing: ${problems.join('; ')} ` +
        "(the onnx engine registers when '@engram/engine-onnx' is imported)",
    );
  }
}
