/**
 * The PointNet++ exit-design A/B on the validation split only: two short float trainings that
 * differ in the first level's input (offset / r alone, or with the neighbour's absolute xyz), each
 * measured on the 400 validation clouds (classifier and both exits' auxiliary classifiers) after
 * the recipe's batch-norm re-estimation. The test split is never loaded.
 *
 *   node -r @swc-node/register tools/experiments/pointnet2-exit-design.ts [--epochs 2] [--out dir]
 *
 * Each variant checkpoints in <out>/<variant> (default tmp/exit-design) and resumes when rerun.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModelNet } from '@engram/datasets';
import {
  POINTNET2_MODELNET10_RECIPE,
  PointNetNetwork,
  PointNetTrainer,
  evaluatePointNet,
  pointCloudSet,
  recalibratePointNetBatchNorm,
  splitStratified,
} from '@engram/models';
import { initTensorEngine } from '@engram/tensor';

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const epochs = Number(argument('epochs', '2'));
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new Error(`--epochs must be a positive integer`);
  const out = argument('out', 'tmp/exit-design');
  await initTensorEngine();
  const recipe = POINTNET2_MODELNET10_RECIPE;
  const train = await loadModelNet({
    root: recipe.root,
    split: 'train',
    numPoints: recipe.spec.numPoints,
    seed: recipe.pointSeed,
  });
  const split = splitStratified(pointCloudSet(train), recipe.validationFraction, recipe.splitSeed);
  const rows: string[] = [];
  for (const absoluteXyz of [true, false]) {
    const variant = absoluteXyz ? 'offset-and-xyz' : 'offset-only';
    const spec = { ...recipe.spec, firstLevelAbsoluteXyz: absoluteXyz };
    // The recipe's float stage with its cosine schedule compressed to the trial's length.
    const config = { ...recipe.float, epochs };
    const network = PointNetNetwork.create(spec, 11);
    const trainer = new PointNetTrainer(network, config, split.train, split.validation, {
      dir: path.join(out, variant),
      everySteps: 50,
    });
    trainer.resumeIfPossible();
    const history = trainer.run();
    trainer.dispose();
    const { batches, batchSize } = recipe.batchNormRecalibration;
    recalibratePointNetBatchNorm(network, 'float', split.train, batches, batchSize, config.seed);
    const v = evaluatePointNet(network, 'float', split.validation);
    const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
    rows.push(
      `| ${absoluteXyz ? 'offset / r + xyz (6)' : 'offset / r only (3)'} | ${percent(v.accuracy)} | ${v.exitAccuracy.map(percent).join(' | ')} | ${history.map((h) => percent(h.validationAccuracy)).join(', ')} |`,
    );
    network.dispose();
  }
  const table = [
    `Float, ${epochs} epochs (cosine schedule over the trial), ${split.validation.count} validation clouds, after batch-norm re-estimation:`,
    '',
    '| SA1 input | classifier | exit-1 aux classifier | exit-2 aux classifier | validation after each epoch (running statistics) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'result.md'), `${table}\n`);
  process.stdout.write(`${table}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
