import { ConflictException, Inject, Injectable } from '@nestjs/common';
import {
  DatasetUnavailableError,
  checkMnistFiles,
  discoverModelNetClasses,
  resolveModelNetRoot,
} from '@engram/datasets';
import type { ModelName } from '@engram/contracts';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../tokens';

/**
 * What each model's runs read besides its artifact, found the way the workers find it (the same
 * ENGRAM_MNIST_DIR / ENGRAM_MODELNET_DIR variables): the folders and file names only, no parsing.
 */
const MODEL_DATA: Record<ModelName, (config: ApiConfig) => void> = {
  'resnet-mnist': (config) => checkMnistFiles(config.mnistDir),
  'pointnet2-modelnet10': (config) => {
    discoverModelNetClasses(resolveModelNetRoot(config.modelNetDir));
  },
};

/**
 * Refuses at submission a sweep whose runs would all fail for want of their dataset, instead of
 * queueing them (409 naming what to do). Off with SUBMIT_CHECKS_MODEL_DATA=false where the API
 * does not see the workers' data.
 */
@Injectable()
export class ModelDataCheck {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  require(model: ModelName): void {
    if (!this.config.submitChecksModelData) return;
    try {
      MODEL_DATA[model]?.(this.config);
    } catch (error) {
      if (!(error instanceof DatasetUnavailableError)) throw error;
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `${model} needs the ${error.dataset} dataset, which this deployment does not have: ${error.message}`,
        issues: [{ field: 'model', message: `${error.dataset} data missing for ${model}` }],
      });
    }
  }
}
