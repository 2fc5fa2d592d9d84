/**
 * Static accuracy of a model's committed artifact on many simulated chips, with the chips' mean and
 * 95% confidence interval: the figure the reproduction issue's "on par with software" target is
 * about, without the rest of the report (operating points, robustness curves).
 *
 *   node -r @swc-node/register tools/experiments/chip-static-accuracy.ts pointnet2-modelnet10 \
 *     [--split test|validation] [--seeds 101-110] [--samples N] [--calibration artifact|chip]
 *
 * One static hardware pass per chip (the default device profile, the model's fastest engine).
 * `--calibration chip` calibrates the DAC and ADC ranges on every programmed chip
 * (`adc.calibrationData: 'chip'`) instead of on the noise-free network.
 * ENGRAM_MODELS_DIR selects another models folder (e.g. an earlier artifact checked out there).
 */
import '@engram/engine-onnx';
import type { ModelName } from '@engram/contracts';
import {
  DEFAULT_DONT_CARE_MARGIN_STD,
  deviceProfileFor,
  loadEvaluationModel,
  modelNames,
} from '@engram/evaluation';
import { chipInterval, sweepOperatingPoints } from '@engram/reporting';
import { withOverrides } from '@engram/hardware';
import { initTensorEngine } from '@engram/tensor';

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function seedRange(text: string): number[] {
  const match = /^(\d+)-(\d+)$/.exec(text);
  if (!match) return text.split(',').map(Number);
  const [from, to] = [Number(match[1]), Number(match[2])];
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function main(): Promise<void> {
  const model = process.argv[2] as ModelName;
  if (!modelNames().includes(model)) {
    throw new Error(`usage: chip-static-accuracy.ts <${modelNames().join('|')}> [options]`);
  }
  const split = argument('split', 'test');
  if (split !== 'test' && split !== 'validation') throw new Error('--split: test or validation');
  const seeds = seedRange(argument('seeds', '101-110'));
  if (seeds.length < 2 || seeds.length > 31 || seeds.some((s) => !Number.isInteger(s))) {
    throw new Error('--seeds: 2 to 31 integer seeds, as a-b or a,b,c');
  }
  await initTensorEngine();
  const evaluationModel = await loadEvaluationModel(model);
  const available = evaluationModel.labels(split).length;
  const count = Math.min(Number(argument('samples', String(available))), available);
  const calibration = argument('calibration', 'artifact');
  if (calibration !== 'artifact' && calibration !== 'chip') {
    throw new Error('--calibration: artifact or chip');
  }
  const profile = withOverrides(
    deviceProfileFor({ model, camThreshold: 0, memorySize: 1, seed: 0 }),
    { adc: { calibrationData: calibration } },
  );
  const accuracies: number[] = [];
  for (const seed of seeds) {
    const sweep = await sweepOperatingPoints(evaluationModel, profile, {
      seed,
      split,
      count,
      memorySizes: [1],
      thresholds: [evaluationModel.network.exits.map(() => 0)],
      exitRule: 'margin',
      dontCareMarginStd: DEFAULT_DONT_CARE_MARGIN_STD,
    });
    accuracies.push(sweep.staticAccuracy);
    process.stdout.write(`chip ${seed}: static ${(100 * sweep.staticAccuracy).toFixed(2)}%\n`);
  }
  const labels = evaluationModel.labels(split);
  const software = (variant: 'float' | 'ternary'): string => {
    const predictions = evaluationModel.softwarePredictions(split, count, variant);
    let correct = 0;
    for (let i = 0; i < count; i++) if (predictions[i] === labels[i]) correct++;
    return `${((100 * correct) / count).toFixed(2)}%`;
  };
  const ci = chipInterval(accuracies);
  const p = (x: number): string => (100 * x).toFixed(2);
  process.stdout.write(
    `${model}, artifact ${evaluationModel.version}, ${split} split, ${count} samples, ${calibration} calibration, ` +
      `${ci.n} chips (seeds ${seeds.join(', ')}): static accuracy on chip ${p(ci.mean)}% ` +
      `(95% CI ${p(ci.low95)}-${p(ci.high95)}%, chip sd ${p(ci.sd)} points); software: ` +
      `float ${software('float')}, ternary ${software('ternary')}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
