import { EvaluationModel } from './evaluation-model';
import { InvalidEvaluationConfigError } from './errors';
import { modelDefinition, registeredModels } from './registry';
import { ModelName } from './types';
import './models';

/** Every model the evaluation (and so the platform) can run, in registration order. */
export function modelNames(): ModelName[] {
  return registeredModels().map((model) => model.name);
}

export async function loadEvaluationModel(model: ModelName): Promise<EvaluationModel> {
  const definition = modelDefinition(model);
  if (!definition) {
    throw new InvalidEvaluationConfigError(
      'model',
      `unknown model ${String(model)} (available: ${modelNames().join(', ')})`,
    );
  }
  return definition.load();
}
