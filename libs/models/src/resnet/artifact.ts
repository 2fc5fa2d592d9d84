import {
  ArtifactManifest,
  LoadedModelArtifact,
  VariantSource,
  readArtifact,
  variantNetwork,
  writeArtifact,
} from '../artifact/artifact';
import type { WeightMode } from '../training/executors';
import type { ResNetSpec } from './architecture';
import { ResNetNetwork } from './network';

/** Input normalization the network was trained with: x = (pixel / 255 - mean) / std. */
export interface Normalization {
  mean: number;
  std: number;
}

/** A trained ResNet as committed under models/<name>/, with its normalization and dataset. */
export interface ModelArtifact extends ArtifactManifest<ResNetSpec> {
  normalization: Normalization;
  dataset: { name: string; trainSamples: number; validationSamples: number; splitSeed: number };
}

export type LoadedArtifact = LoadedModelArtifact<ModelArtifact>;

export function loadArtifact(dir: string): LoadedArtifact {
  return readArtifact<ModelArtifact>(dir);
}

/** Builds a ResNet holding one variant's parameters. */
export function networkFromArtifact(artifact: LoadedArtifact, mode: WeightMode): ResNetNetwork {
  return variantNetwork(artifact, mode, ResNetNetwork.create);
}

export function saveArtifact(
  dir: string,
  manifest: Omit<ModelArtifact, 'format' | 'version' | 'variants'>,
  variants: Record<WeightMode, VariantSource & { network: ResNetNetwork }>,
  version: string,
): ModelArtifact {
  return writeArtifact<ModelArtifact>(dir, manifest, variants, version);
}
