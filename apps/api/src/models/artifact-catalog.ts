import * as fs from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import type { ModelName } from '@engram/contracts';
import {
  ModelArtifactInfo,
  ModelArtifactNotFoundError,
  modelArtifactManifestPath,
  readModelArtifactInfo,
} from '@engram/sweep-spec';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../tokens';

/**
 * The current artifact of each model, read from its manifest and re-read when the file changes,
 * so a retrained model is picked up without restarting the API.
 */
@Injectable()
export class ArtifactCatalog {
  private readonly cache = new Map<ModelName, { mtimeMs: number; info: ModelArtifactInfo }>();

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  /** Throws ModelArtifactNotFoundError when the model has not been trained. */
  current(model: ModelName): ModelArtifactInfo {
    const manifestPath = modelArtifactManifestPath(this.config.modelsDir, model);
    const mtimeMs = fs.existsSync(manifestPath) ? fs.statSync(manifestPath).mtimeMs : -1;
    const cached = this.cache.get(model);
    if (cached && cached.mtimeMs === mtimeMs) return cached.info;
    const info = readModelArtifactInfo(this.config.modelsDir, model);
    this.cache.set(model, { mtimeMs, info });
    return info;
  }

  /** The artifact version, or null when the model has none yet. */
  versionOrNull(model: ModelName): string | null {
    try {
      return this.current(model).version;
    } catch (error) {
      if (error instanceof ModelArtifactNotFoundError) return null;
      throw error;
    }
  }
}
