import { EvaluationModel } from './evaluation-model';
import { InvalidEvaluationConfigError } from './errors';
import { modelContext } from './models/resnet-mnist/model-context';
import { pointNetModelContext } from './models/pointnet2-modelnet10/model-context';
import { ModelName } from './types';

/**
 * Every model the evaluation (and so the platform) can run: adding a model means adding its
 * loader here. Loaders cache their context per process.
 */
const MODEL_LOADERS: Record<ModelName, () => Promise<EvaluationModel>> = {
  'resnet-mnist': async () => modelContext('resnet-mnist') as EvaluationModel,
  'pointnet2-modelnet10': async () =>
    (await pointNetModelContext('pointnet2-modelnet10')) as EvaluationModel,
};

export const MODEL_NAMES = Object.keys(MODEL_LOADERS) as ModelName[];

export async function loadEvaluationModel(model: ModelName): Promise<EvaluationModel> {
  const loader = Object.hasOwn(MODEL_LOADERS, model) ? MODEL_LOADERS[model] : undefined;
  if (!loader) {
    throw new InvalidEvaluationConfigError(
      'model',
      `unknown model ${String(model)} (available: ${MODEL_NAMES.join(', ')})`,
    );
  }
  return loader();
}
