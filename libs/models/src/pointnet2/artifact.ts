import {
  ArtifactManifest,
  LoadedModelArtifact,
  VariantSource,
  readArtifact,
  variantNetwork,
  writeArtifact,
} from '../artifact/artifact';
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
export interface PointNetArtifact extends ArtifactManifest<PointNetSpec> {
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
}

export type LoadedPointNetArtifact = LoadedModelArtifact<PointNetArtifact>;

export function loadPointNetArtifact(dir: string): LoadedPointNetArtifact {
  return readArtifact<PointNetArtifact>(dir, {
    model: 'pointnet2-modelnet10',
    kind: 'pointnet2',
    kindName: 'PointNet++',
  });
}

/** Builds a network holding one variant's parameters. */
export function pointNetFromArtifact(
  artifact: LoadedPointNetArtifact,
  mode: WeightMode,
): PointNetNetwork {
  return variantNetwork(artifact, mode, PointNetNetwork.create);
}

export function savePointNetArtifact(
  dir: string,
  manifest: Omit<PointNetArtifact, 'format' | 'version' | 'variants'>,
  variants: Record<WeightMode, VariantSource & { network: PointNetNetwork }>,
  version: string,
): PointNetArtifact {
  return writeArtifact<PointNetArtifact>(dir, manifest, variants, version);
}
