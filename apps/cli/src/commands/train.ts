import * as path from 'node:path';
import { trainPointNetModelNet, trainResNetMnist, WeightMode } from '@engram/models';
import { artifactDir } from '@engram/evaluation';
import { initTensorEngine } from '@engram/tensor';

export const TRAINABLE_MODELS = ['resnet-mnist', 'pointnet2-modelnet10'] as const;

/**
 * Trains (or resumes) a model's recipe and writes its artifact under models/<name>. Checkpoints
 * live in models/<name>/training, so an interrupted run continues where it stopped.
 */
export async function train(model: string, stages: WeightMode[] | undefined): Promise<void> {
  if (!TRAINABLE_MODELS.includes(model as (typeof TRAINABLE_MODELS)[number])) {
    throw new Error(`unknown model ${model}: trainable models are ${TRAINABLE_MODELS.join(', ')}`);
  }
  await initTensorEngine();
  const dir = artifactDir(model as (typeof TRAINABLE_MODELS)[number]);
  const manifest =
    model === 'resnet-mnist'
      ? trainResNetMnist(dir, { stages })
      : await trainPointNetModelNet(dir, { stages });
  if (manifest) {
    const percent = (mode: WeightMode) =>
      `${(100 * manifest.variants[mode].metrics.testAccuracy).toFixed(2)}%`;
    process.stdout.write(
      `${path.relative(process.cwd(), dir)}: version ${manifest.version}, float ${percent('float')}, ternary ${percent('ternary')} (test split)\n`,
    );
  }
}
