import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MNIST_MEAN, MNIST_STD } from '@engram/datasets';
import { ResNetNetwork, ResNetSpec, saveArtifact } from '@engram/models';

/** A small ResNet of the same shape as resnet-mnist, cheap enough for unit tests. */
export const TINY_RESNET_SPEC: ResNetSpec = {
  kind: 'resnet',
  inputHeight: 28,
  inputWidth: 28,
  inputChannels: 1,
  stemChannels: 4,
  stages: [
    { channels: 4, blocks: 1, stride: 1 },
    { channels: 8, blocks: 1, stride: 2 },
    { channels: 16, blocks: 1, stride: 2 },
  ],
  exits: [
    { afterStage: 0, poolGrid: 2, semanticDim: 16 },
    { afterStage: 1, poolGrid: 2, semanticDim: 16 },
  ],
  numClasses: 10,
};

/**
 * Writes an untrained tiny resnet-mnist artifact (seeded weights) into a temporary models folder
 * and returns that folder, for ENGRAM_MODELS_DIR: tests of the evaluation and of the platform run
 * the real simulation on it in a fraction of the full network's time, whatever the committed
 * artifact is.
 */
export function writeTinyResNetArtifact(seed = 3): string {
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-models-'));
  const network = ResNetNetwork.create(TINY_RESNET_SPEC, seed);
  const metrics = { testAccuracy: NaN, testExitAccuracy: [], testSamples: 0 };
  const training = { epochs: 0, seconds: 0, config: { untrained: true }, history: [] };
  saveArtifact(
    path.join(modelsDir, 'resnet-mnist'),
    {
      name: 'resnet-mnist',
      createdAt: new Date(0).toISOString(),
      spec: TINY_RESNET_SPEC,
      normalization: { mean: MNIST_MEAN, std: MNIST_STD },
      dataset: { name: 'mnist', trainSamples: 55_000, validationSamples: 5_000, splitSeed: 1 },
    },
    { float: { network, metrics, training }, ternary: { network, metrics, training } },
    `tiny-${seed}`,
  );
  network.dispose();
  return modelsDir;
}
