import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARTIFACT_FORMAT, VariantRecord, artifactManifestPath } from '../artifact/artifact';
import { readTensorFile, writeJsonAtomic, writeTensorFile } from '../artifact/tensor-file';
import type { WeightMode } from '../training/executors';
import type { PointNetSpec } from './architecture';
import { PointNetNetwork } from './network';

/** How the clouds are prepared: the loader's unit-sphere normalization and up axis. */
export interface PointCloudInput {
  numPoints: number;
  normalization: 'unit-sphere';
  upAxis: number;
  /** Seed of loadModelNet (the point subset of each shape). */
  pointSeed: number;
}

/**
 * A trained PointNet++ as committed under models/<name>/: the same folder layout and format as
 * the ResNet artifact (artifact.json + float.bin + ternary.bin), with the point-cloud spec and
 * input description.
 */
export interface PointNetArtifact {
  format: number;
  name: string;
  version: string;
  createdAt: string;
  spec: PointNetSpec;
  input: PointCloudInput;
  dataset: {
    name: string;
    classNames: string[];
    trainSamples: number;
    validationSamples: number;
    /** Fraction of each class held out for validation, and the seed of that split. */
    validationFraction: number;
    splitSeed: number;
    testSamples: number;
  };
  variants: Record<WeightMode, VariantRecord>;
}

export interface LoadedPointNetArtifact {
  dir: string;
  manifest: PointNetArtifact;
  weights: Record<WeightMode, Map<string, Float32Array>>;
}

export function loadPointNetArtifact(dir: string): LoadedPointNetArtifact {
  const manifestPath = artifactManifestPath(dir);
  if (!fs.existsSync(manifestPath)) {
    throw new Error(
      `no model artifact at ${manifestPath}: train one with \`engram train pointnet2-modelnet10\``,
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as PointNetArtifact;
  if (manifest.format !== ARTIFACT_FORMAT) {
    throw new Error(
      `${manifestPath}: artifact format ${manifest.format}, this build reads ${ARTIFACT_FORMAT}`,
    );
  }
  if (manifest.spec?.kind !== 'pointnet2') {
    throw new Error(
      `${manifestPath}: not a PointNet++ artifact (spec kind ${manifest.spec?.kind})`,
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
export function pointNetFromArtifact(
  artifact: LoadedPointNetArtifact,
  mode: WeightMode,
): PointNetNetwork {
  const network = PointNetNetwork.create(artifact.manifest.spec, 0);
  network.params.assignAll(artifact.weights[mode]);
  return network;
}

export function savePointNetArtifact(
  dir: string,
  manifest: Omit<PointNetArtifact, 'format' | 'version' | 'variants'>,
  variants: Record<
    WeightMode,
    {
      network: PointNetNetwork;
      metrics: VariantRecord['metrics'];
      training: VariantRecord['training'];
    }
  >,
  version: string,
): PointNetArtifact {
  fs.mkdirSync(dir, { recursive: true });
  const records = {} as Record<WeightMode, VariantRecord>;
  for (const mode of Object.keys(variants) as WeightMode[]) {
    const { network, metrics, training } = variants[mode];
    const shapes = new Map(network.params.names().map((n) => [n, network.params.get(n).shape]));
    const file = `${mode}.bin`;
    const parameters = writeTensorFile(path.join(dir, file), network.params.snapshot(), shapes);
    records[mode] = { file, parameters, metrics, training };
  }
  const full: PointNetArtifact = {
    format: ARTIFACT_FORMAT,
    version,
    ...manifest,
    variants: records,
  };
  writeJsonAtomic(artifactManifestPath(dir), full);
  return full;
}
