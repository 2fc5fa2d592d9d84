/**
 * Where the onnxruntime engine's time goes on a trained model (the MNIST ResNet by default), in
 * one run: the hardware-simulated static pass at the default device profile, without read noise,
 * and without read noise on one crossbar tile per layer (so no per-tile partial sums and ADCs).
 * The ratios say what the simulation's tiles and read noise cost against a plain pass of the same
 * graphs. For the PointNet++ it also times the host's index computations (farthest point sampling,
 * ball query, grouped coordinates) alone over the same clouds.
 * Run: node -r @swc-node/register bench/engine-overhead.ts [--samples=2000]
 *      [--model=pointnet2-modelnet10]
 */
import * as os from 'node:os';
import { DEFAULT_DEVICE_PROFILE, DeviceProfile, withOverrides } from '@engram/hardware';
import { initTensorEngine } from '@engram/tensor';
import '@engram/engine-onnx';
import type { ModelName } from '@engram/contracts';
import {
  MnistModelContext,
  ModelNetModelContext,
  loadEvaluationModel,
  modelNames,
  programEngineChip,
  runEngineInference,
} from '@engram/evaluation';
import { groupLevel, groupedCoordinates } from '@engram/models';

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

function modelName(): ModelName {
  const name = option('model') ?? 'resnet-mnist';
  if (!modelNames().includes(name as ModelName)) {
    throw new Error(`--model must be one of ${modelNames().join(', ')}`);
  }
  return name as ModelName;
}

function samples(available: number): number {
  const arg = option('samples');
  const n = arg ? Number(arg) : Math.min(2000, available);
  if (!Number.isInteger(n) || n < 1 || n > available) {
    throw new Error(`--samples must be 1..${available}`);
  }
  return n;
}

/** The PointNet++'s host-side index computations over n test clouds, as the engine runs them. */
function hostGroupingMs(context: ModelNetModelContext, n: number): number {
  const { spec, levels } = {
    spec: context.ternaryNetwork.spec,
    levels: context.ternaryNetwork.spec.levels,
  };
  let ms = 0;
  for (const { x } of context.batches('test', n)) {
    const [batch, points] = x.shape;
    let xyz = x.dataSync() as Float32Array;
    x.dispose();
    const started = performance.now();
    let count = points;
    levels.forEach((level, i) => {
      const grouping = groupLevel(xyz, batch, count, level);
      const absolute = i === 0 && spec.firstLevelAbsoluteXyz;
      xyz = groupedCoordinates(xyz, grouping, level.radius, absolute).centroids;
      count = level.npoint;
    });
    ms += performance.now() - started;
  }
  return ms;
}

async function main(): Promise<void> {
  await initTensorEngine({ log: () => undefined });
  const name = modelName();
  const model = (await loadEvaluationModel(name)) as MnistModelContext | ModelNetModelContext;
  const n = samples(model.sampleCount('test'));
  const exits = model.ternaryNetwork.spec.exits.map(() => Infinity);
  const quiet = { readNoise: { model: 'uniform' as const, relativeStd: 0 } };
  const profiles: [string, DeviceProfile][] = [
    ['default profile (128-row tiles, read noise)', DEFAULT_DEVICE_PROFILE],
    ['no read noise', withOverrides(DEFAULT_DEVICE_PROFILE, quiet)],
    [
      'no read noise, one tile per layer',
      withOverrides(DEFAULT_DEVICE_PROFILE, { ...quiet, tile: { rows: 1024, cols: 1024 } }),
    ],
  ];
  const memories = model.memory(2, 0.25, 0);
  console.log(
    `${name}: onnxruntime static pass over ${n} test samples (${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)})`,
  );
  const rates: number[] = [];
  for (const [label, profile] of profiles) {
    const { chip, engine } = await programEngineChip(
      model,
      profile,
      { seed: 1, memories, thresholds: exits, exitRule: 'margin' },
      'onnx',
    );
    const warmUp = Math.min(200, n);
    await runEngineInference(engine, chip, model.batches('test', warmUp), warmUp, false);
    const started = performance.now();
    await runEngineInference(engine, chip, model.batches('test', n), n, false);
    const rate = n / ((performance.now() - started) / 1000);
    rates.push(rate);
    await engine.dispose();
    console.log(
      `  ${label.padEnd(44)} ${rate.toFixed(0).padStart(6)} samples/s  (x${(rate / rates[0]).toFixed(2)} the default)`,
    );
  }
  if (model instanceof ModelNetModelContext) {
    const ms = hostGroupingMs(model, n);
    const share = ms / (n / rates[0]) / 1000;
    console.log(
      `  host index computations alone (FPS, ball query, grouped coordinates): ${(ms / 1000).toFixed(2)} s, ` +
        `${(100 * share).toFixed(0)}% of the default pass (the engine caches the indices per cloud ` +
        `after the warm-up, as a sweep's worker does after its first run)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
