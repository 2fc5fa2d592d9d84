import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ParameterStore } from '../layers/parameters';
import {
  ArtifactFormatError,
  readTensorFile,
  TensorIndexEntry,
  writeJsonAtomic,
  writeTensorFile,
} from './tensor-file';
import type { WeightMode } from '../training/executors';

export const ARTIFACT_FORMAT = 1;

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
 * What every model's artifact.json holds: the architecture, the float software reference and
 * the ternary hardware-aware weights (in `<mode>.bin`), and a content version. Each model adds
 * its own part (input normalization, dataset).
 */
export interface ArtifactManifest<Spec = unknown> {
  format: number;
  name: string;
  /** Content version: changes whenever the weights change (a hash of the binary files). */
  version: string;
  createdAt: string;
  spec: Spec;
  variants: Record<WeightMode, VariantRecord>;
}

export interface LoadedModelArtifact<Manifest extends ArtifactManifest> {
  dir: string;
  manifest: Manifest;
  /** Parameters of each variant by name. */
  weights: Record<WeightMode, Map<string, Float32Array>>;
}

/** What a variant is written from. */
export interface VariantSource {
  network: { params: ParameterStore };
  metrics: VariantRecord['metrics'];
  training: VariantRecord['training'];
}

export function artifactManifestPath(dir: string): string {
  return path.join(dir, 'artifact.json');
}

/**
 * Reads artifact.json and the variants' weights. `expect` names the model for the error when
 * there is none and, with `kind`, refuses an artifact of another architecture.
 */
export function readArtifact<Manifest extends ArtifactManifest>(
  dir: string,
  expect: { model?: string; kind?: string; kindName?: string } = {},
): LoadedModelArtifact<Manifest> {
  const manifestPath = artifactManifestPath(dir);
  if (!fs.existsSync(manifestPath)) {
    throw new Error(
      `no model artifact at ${manifestPath}: train one with \`engram train ${expect.model ?? '<model>'}\``,
    );
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new ArtifactFormatError(manifestPath, `not valid JSON: ${error.message}`);
  }
  if (manifest.format !== ARTIFACT_FORMAT) {
    throw new ArtifactFormatError(
      manifestPath,
      `artifact format ${manifest.format}, this build reads ${ARTIFACT_FORMAT}`,
    );
  }
  const kind = (manifest.spec as { kind?: string } | undefined)?.kind;
  if (expect.kind !== undefined && kind !== expect.kind) {
    throw new ArtifactFormatError(
      manifestPath,
      `not a ${expect.kindName ?? expect.kind} artifact (spec kind ${kind})`,
    );
  }
  const weights = {} as Record<WeightMode, Map<string, Float32Array>>;
  for (const mode of Object.keys(manifest.variants) as WeightMode[]) {
    const variant = manifest.variants[mode];
    weights[mode] = readTensorFile(path.join(dir, variant.file), variant.parameters);
  }
  return { dir, manifest, weights };
}

/** Writes `<mode>.bin` for each variant, then artifact.json (the model's part + the variants). */
export function writeArtifact<Manifest extends ArtifactManifest>(
  dir: string,
  manifest: Omit<Manifest, 'format' | 'version' | 'variants'>,
  variants: Record<WeightMode, VariantSource>,
  version: string,
): Manifest {
  fs.mkdirSync(dir, { recursive: true });
  const records = {} as Record<WeightMode, VariantRecord>;
  for (const mode of Object.keys(variants) as WeightMode[]) {
    const { network, metrics, training } = variants[mode];
    const file = `${mode}.bin`;
    const { params } = network;
    const parameters = writeTensorFile(path.join(dir, file), params.snapshot(), params.shapes());
    records[mode] = { file, parameters, metrics, training };
  }
  const full = { format: ARTIFACT_FORMAT, version, ...manifest, variants: records } as Manifest;
  writeJsonAtomic(artifactManifestPath(dir), full);
  return full;
}

/** Builds a network (seed 0, overwritten) holding one variant's parameters. */
export function variantNetwork<Spec, Network extends { params: ParameterStore }>(
  artifact: LoadedModelArtifact<ArtifactManifest<Spec>>,
  mode: WeightMode,
  create: (spec: Spec, seed: number) => Network,
): Network {
  const network = create(artifact.manifest.spec, 0);
  network.params.assignAll(artifact.weights[mode]);
  return network;
}
