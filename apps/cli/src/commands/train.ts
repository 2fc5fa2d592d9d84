import * as path from 'node:path';
import { trainResNetMnist, WeightMode } from '@engram/models';
import { artifactDir } from '@engram/evaluation';
import { initTensorEngine } from '@engram/tensor';

export const TRAINABLE_MODELS = ['resnet-mnist'] as const;

/**
 * Trains (or resumes) a model's recipe and writes its artifact under models/<name>. Checkpoints
 * live in models/<name>/training, so an interrupted run continues where it stopped.
 */
export async function train(model: string, stages: WeightMode[] | undefined): Promise<void> {
  if (!TRAINABLE_MODELS.includes(model as (typeof TRAINABLE_MODELS)[number])) {
    throw new Error(`unknown model ${model}: trainable models are ${TRAINABLE_MODELS.join(', ')}`);
  }
  await initTensorEngine();
  const dir = artifactDir('resnet-mnist');
  const manifest = trainResNetMnist(dir, { stages });
  if (manifest) {
    process.stdout.write(
      `${path.relative(process.cwd(), dir)}: version ${manifest.version}, float ${(100 * manifest.variants.float.metrics.testAccuracy).toFixed(2)}%, ternary ${(100 * manifest.variants.ternary.metrics.testAccuracy).toFixed(2)}% (MNIST test)\n`,
    );
  }
}
