import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResNetNetwork } from '../resnet/network';
import { ResNetSpec } from '../resnet/architecture';
import { readTensorFile, TensorIndexEntry, writeJsonAtomic, writeTensorFile } from './tensor-file';
import type { WeightMode } from '../training/executors';

export const ARTIFACT_FORMAT = 1;

/** Input normalization the network was trained with: x = (pixel / 255 - mean) / std. */
export interface Normalization {
  mean: number;
  std: number;
}

export interface VariantRecord {
  /** Binary file with the variant's parameters, relative to the artifact folder. */
  file: string;
  parameters: TensorIndexEntry[];
  /** Noise-free test metrics measured when the artifact was written. */
  metrics: { testAccuracy: number; testExitAccuracy: number[]; testSamples: number };
  training: {
    epochs: number;
    seconds: number;
    config: unknown;
    history: unknown[];
    testAccuracyBeforeBatchNormRecalibration?: number;
  };
}

/**
 * A trained model as committed under models/<name>/: the architecture, the float software
 * reference and the ternary hardware-aware weights, normalization, training metadata, metrics.
 */
export interface ModelArtifact {
  format: number;
  name: string;
  /** Content version: changes whenever the weights change (a hash of the binary files). */
  version: string;
  createdAt: string;
  spec: ResNetSpec;
  normalization: Normalization;
  dataset: { name: string; trainSamples: number; validationSamples: number; splitSeed: number };
  variants: Record<WeightMode, VariantRecord>;
}

export interface LoadedArtifact {
  dir: string;
  manifest: ModelArtifact;
  /** Parameters of each variant by name. */
  weights: Record<WeightMode, Map<string, Float32Array>>;
}

export function artifactManifestPath(dir: string): string {
  return path.join(dir, 'artifact.json');
}

export function loadArtifact(dir: string): LoadedArtifact {
  const manifestPath = artifactManifestPath(dir);
  if (!fs.existsSync(manifestPath)) {
    throw new Error(
      `no model artifact at ${manifestPath}: train one with \`engram train <model>\``,
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as ModelArtifact;
  if (manifest.format !== ARTIFACT_FORMAT) {
    throw new Error(
      `${manifestPath}: artifact format ${manifest.format}, this build reads ${ARTIFACT_FORMAT}`,
    );
  }
  const weights = {} as Record<WeightMode, Map<string, Float32Array>>;
  for (const mode of Object.keys(manifest.variants) as WeightMode[]) {
    const variant = manifest.variants[mode];
    weights[mode] = readTensorFile(path.join(dir, variant.file), variant.parameters);
  }
  return { dir, manifest, weights };
}

/** Builds a network holding one variant's parameters. */
export function networkFromArtifact(artifact: LoadedArtifact, mode: WeightMode): ResNetNetwork {
  const network = ResNetNetwork.create(artifact.manifest.spec, 0);
  network.params.assignAll(artifact.weights[mode]);
  return network;
}

export function saveArtifact(
  dir: string,
  manifest: Omit<ModelArtifact, 'format' | 'version' | 'variants'>,
  variants: Record<
    WeightMode,
    {
      network: ResNetNetwork;
      metrics: VariantRecord['metrics'];
      training: VariantRecord['training'];
    }
  >,
  version: string,
): ModelArtifact {
  fs.mkdirSync(dir, { recursive: true });
  const records = {} as Record<WeightMode, VariantRecord>;
  for (const mode of Object.keys(variants) as WeightMode[]) {
    const { network, metrics, training } = variants[mode];
    const shapes = new Map(network.params.names().map((n) => [n, network.params.get(n).shape]));
    const file = `${mode}.bin`;
    const parameters = writeTensorFile(path.join(dir, file), network.params.snapshot(), shapes);
    records[mode] = { file, parameters, metrics, training };
  }
  const full: ModelArtifact = { format: ARTIFACT_FORMAT, version, ...manifest, variants: records };
  writeJsonAtomic(artifactManifestPath(dir), full);
  return full;
}
