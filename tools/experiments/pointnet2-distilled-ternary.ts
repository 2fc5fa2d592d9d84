/**
 * Re-runs the PointNet++ ternary recipe that was tried and not adopted (distilled fine-tune from
 * the float network: POINTNET2_MODELNET10_DISTILLED_RECIPE) into its own folder, next to the
 * committed artifact, which it never touches. It starts from the committed float stage.
 *
 *   node -r @swc-node/register tools/experiments/pointnet2-distilled-ternary.ts [--out dir]
 *
 * Checkpoints in <out>/training (default tmp/pointnet2-distilled) and resumes when rerun; about
 * 16 epochs x 8 minutes on a free core. Compare the result with
 *   ENGRAM_MODELS_DIR=<out>/.. tools/experiments/chip-static-accuracy.ts ... --split validation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { artifactDir } from '@engram/evaluation';
import { POINTNET2_MODELNET10_DISTILLED_RECIPE, trainPointNetModelNet } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const out = path.resolve(argument('out', 'tmp/pointnet2-distilled/pointnet2-modelnet10'));
  const committedTraining = path.join(artifactDir('pointnet2-modelnet10'), 'training');
  const training = path.join(out, 'training');
  fs.mkdirSync(training, { recursive: true });
  for (const file of ['float.json', 'float.bin']) {
    const target = path.join(training, file);
    if (!fs.existsSync(target)) fs.copyFileSync(path.join(committedTraining, file), target);
  }
  await initTensorEngine();
  const manifest = await trainPointNetModelNet(out, {
    recipe: POINTNET2_MODELNET10_DISTILLED_RECIPE,
    stages: ['ternary'],
  });
  if (manifest) {
    process.stdout.write(`${out}: version ${manifest.version}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
