/**
 * Where the onnxruntime engine's time goes on the MNIST ResNet, in one run: the hardware-simulated
 * static pass at the default device profile, without read noise, and without read noise on one
 * crossbar tile per layer (so no per-tile partial sums and ADCs). The ratios say what the
 * simulation's tiles and read noise cost against a plain pass of the same graphs.
 * Run: node -r @swc-node/register bench/engine-overhead.ts [--samples=2000]
 */
import * as os from 'node:os';
import { DEFAULT_DEVICE_PROFILE, DeviceProfile, withOverrides } from '@engram/hardware';
import { initTensorEngine } from '@engram/tensor';
import { modelContext, programEngineChip, runEngineInference } from '@engram/evaluation';

function samples(): number {
  const arg = process.argv.find((a) => a.startsWith('--samples='));
  const n = arg ? Number(arg.split('=')[1]) : 2000;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error('--samples must be 1..10000');
  return n;
}

async function main(): Promise<void> {
  await initTensorEngine({ log: () => undefined });
  const model = modelContext('resnet-mnist');
  const n = samples();
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
    `onnxruntime static pass over ${n} MNIST test images (${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)})`,
  );
  const rates: number[] = [];
  for (const [name, profile] of profiles) {
    const { chip, engine } = await programEngineChip(
      model,
      profile,
      { seed: 1, memories, thresholds: [Infinity, Infinity], exitRule: 'margin' },
      'onnx',
    );
    await runEngineInference(engine, chip, model.batches('test', 200), 200, false); // warm-up
    const started = performance.now();
    await runEngineInference(engine, chip, model.batches('test', n), n, false);
    const rate = n / ((performance.now() - started) / 1000);
    rates.push(rate);
    await engine.dispose();
    console.log(
      `  ${name.padEnd(44)} ${rate.toFixed(0).padStart(6)} images/s  (x${(rate / rates[0]).toFixed(2)} the default)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
