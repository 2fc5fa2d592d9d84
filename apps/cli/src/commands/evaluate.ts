// Importing the onnx engine library registers the engine runs default to.
import '@engram/engine-onnx';
import type { EvaluationConfig, EvaluationResult } from '@engram/contracts';
import { evaluate } from '@engram/evaluation';

export interface EvaluateOptions {
  model: string;
  threshold: string;
  memorySize: number;
  seed: number;
  samples?: number;
  split: 'test' | 'validation';
  programmingNoise?: number;
  readNoise?: number;
  adcBits?: number;
  exitRule: 'margin' | 'absolute';
  engine?: string;
  timing?: string;
  json?: boolean;
}

function timingOption(value: string | undefined): EvaluationConfig['timing'] {
  if (value === undefined || value === 'derived' || value === 'measured') return value;
  throw new Error(`--timing must be derived or measured, got ${value}`);
}

export function configFromOptions(o: EvaluateOptions): EvaluationConfig {
  const thresholds = o.threshold.split(',').map(Number);
  return {
    model: o.model as EvaluationConfig['model'],
    camThreshold: thresholds.length === 1 ? thresholds[0] : thresholds,
    memorySize: o.memorySize,
    seed: o.seed,
    split: o.split,
    sampleCount: o.samples,
    exitRule: o.exitRule,
    engine: o.engine,
    timing: timingOption(o.timing),
    device: { programmingNoise: o.programmingNoise, readNoise: o.readNoise, adcBits: o.adcBits },
  };
}

function seconds(ms: number | null): string {
  return ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
}

export function formatResult(r: EvaluationResult): string {
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  return [
    `model ${r.model} (artifact ${r.artifactVersion}), ${r.samples} samples`,
    `accuracy: dynamic ${pct(r.dynamicAccuracy)}, static on chip ${pct(r.staticAccuracy)}, software ${pct(r.softwareAccuracy)}`,
    `exits: ${r.exitHistogram.join(' / ')} (last = classifier)`,
    `compute: ${(r.meanMacsPerSample / 1e6).toFixed(2)} M MACs per sample vs ${(r.staticMacsPerSample / 1e6).toFixed(2)} M static: ${pct(r.computeReduction)} less`,
    `energy: ${(r.energyPerInferencePj / 1e6).toFixed(3)} µJ per inference; vs digital ${r.digitalBaseline}: ${pct(r.energyReductionVsDigitalStatic)} less than its static network, ${pct(r.energyReductionVsDigitalDynamic)} less with the same exits; ${pct(r.energyReductionVsStatic)} less than static on chip`,
    r.timing === 'measured'
      ? `wall time: ${seconds(r.wallTimeMs)} on ${r.engine}, measured (dynamic pass ${seconds(r.dynamicWallTimeMs)}, static pass ${seconds(r.staticWallTimeMs)})`
      : `wall time: ${seconds(r.wallTimeMs)} on ${r.engine}, derived from one hardware pass of the chip (${seconds(r.chipPassWallTimeMs)}; --timing measured times real dynamic inference)`,
  ].join('\n');
}

export async function runEvaluate(o: EvaluateOptions): Promise<void> {
  const result = await evaluate(configFromOptions(o));
  process.stdout.write(
    o.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatResult(result)}\n`,
  );
}
