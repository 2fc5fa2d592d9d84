import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelName } from '@engram/contracts';

/** The parts of a committed model artifact (models/<name>/artifact.json) the platform records. */
export interface ModelArtifactInfo {
  model: ModelName;
  /** Content version: a hash of the weights, part of every run's identity. */
  version: string;
  createdAt: string;
  /** Noise-free metrics measured when the artifact was written, per weight variant. */
  metrics: Record<string, unknown>;
}

export class ModelArtifactNotFoundError extends Error {
  constructor(
    readonly model: ModelName,
    readonly manifestPath: string,
  ) {
    super(`model ${model} has no trained artifact (${manifestPath} not found)`);
    this.name = 'ModelArtifactNotFoundError';
  }
}

export function modelArtifactManifestPath(modelsDir: string, model: ModelName): string {
  return path.join(modelsDir, model, 'artifact.json');
}

/**
 * Reads the artifact manifest only (not the weights), so the API can stamp runs with the
 * artifact version without loading the network.
 */
export function readModelArtifactInfo(modelsDir: string, model: ModelName): ModelArtifactInfo {
  const manifestPath = modelArtifactManifestPath(modelsDir, model);
  let text: string;
  try {
    text = fs.readFileSync(manifestPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new ModelArtifactNotFoundError(model, manifestPath);
    throw error;
  }
  const manifest = JSON.parse(text) as {
    version?: unknown;
    createdAt?: unknown;
    variants?: Record<string, { metrics?: unknown }>;
  };
  if (typeof manifest.version !== 'string' || manifest.version.length === 0) {
    throw new Error(`${manifestPath}: missing "version"`);
  }
  const metrics: Record<string, unknown> = {};
  for (const [variant, record] of Object.entries(manifest.variants ?? {}))
    metrics[variant] = record.metrics ?? null;
  return {
    model,
    version: manifest.version,
    createdAt:
      typeof manifest.createdAt === 'string' ? manifest.createdAt : new Date(0).toISOString(),
    metrics,
  };
}
