/**
 * Tiled-crossbar throughput against a plain typed-array matrix product, measured in the same run.
 * Run: node -r @swc-node/register bench/crossbar-throughput.ts
 */
import {
  calibrateAdcRange,
  calibrateInputRange,
  CounterRng,
  crossbarMatMul,
  crossbarSettingsFromProfile,
  DEFAULT_DEVICE_PROFILE,
  emptyOperationCounts,
  realizeEffectiveWeights,
  type ProgrammedArray,
} from '@engram/hardware';
import { chipEnergyPj } from '@engram/energy';

const ROWS = 1024;
const COLS = 1024;
const BATCH = 64;
const WARMUP_RUNS = 2;
const MEASURED_RUNS = 9;
const MACS_PER_CALL = BATCH * ROWS * COLS;

/** The same i-k-j loop as the crossbar kernel, without DAC, tiles, noise or ADC. */
function plainMatMul(
  inputs: Float32Array,
  weights: Float32Array,
  out: Float32Array,
  accumulator: Float64Array,
): void {
  for (let sample = 0; sample < BATCH; sample++) {
    accumulator.fill(0);
    const inputOffset = sample * ROWS;
    for (let row = 0; row < ROWS; row++) {
      const input = inputs[inputOffset + row];
      if (input === 0) continue;
      const weightOffset = row * COLS;
      for (let col = 0; col < COLS; col++) {
        accumulator[col] += input * weights[weightOffset + col];
      }
    }
    out.set(accumulator, sample * COLS);
  }
}

/**
 * Median seconds per run of each candidate. Runs are interleaved round-robin so that load from
 * other processes on the shared machine hits every candidate alike.
 */
function interleavedMedianSeconds(candidates: readonly (() => void)[]): number[] {
  for (let warmup = 0; warmup < WARMUP_RUNS; warmup++) candidates.forEach((run) => run());
  const seconds = candidates.map((): number[] => []);
  for (let repeat = 0; repeat < MEASURED_RUNS; repeat++) {
    candidates.forEach((run, index) => {
      const started = process.hrtime.bigint();
      run();
      seconds[index].push(Number(process.hrtime.bigint() - started) / 1e9);
    });
  }
  return seconds.map((samples) => {
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
  });
}

function formatRate(macsPerSecond: number): string {
  return `${(macsPerSecond / 1e6).toFixed(0).padStart(6)} MMAC/s`;
}

function settingsFor(array: ProgrammedArray, calibrationInputs: Float32Array) {
  const profile = DEFAULT_DEVICE_PROFILE;
  const inputRange = calibrateInputRange(calibrationInputs, profile.dac.calibrationPercentile);
  const adcRange = calibrateAdcRange(
    calibrationInputs,
    BATCH,
    array,
    {
      tileRows: profile.tile.rows,
      dacBits: profile.dac.bits,
      inputRange,
      inputSigned: false,
    },
    profile.adc.calibrationPercentile,
  );
  return crossbarSettingsFromProfile(profile, { inputRange, inputSigned: false, adcRange });
}

function main(): void {
  const profile = DEFAULT_DEVICE_PROFILE;
  const runRng = new CounterRng(2024, 'bench');
  const trainedWeights = new Float32Array(ROWS * COLS);
  runRng.derive('weights').fillNormal(trainedWeights, 0, 0.05);
  const array = realizeEffectiveWeights(trainedWeights, ROWS, COLS, profile, runRng.derive('fc'));
  // Post-ReLU-like activations in [0, 1).
  const inputs = new Float32Array(BATCH * ROWS);
  runRng.derive('inputs').fillUniform(inputs);
  const calibrationInputs = new Float32Array(BATCH * ROWS);
  runRng.derive('calibration').fillUniform(calibrationInputs);
  const noisySettings = settingsFor(array, calibrationInputs);
  const quietSettings = { ...noisySettings, readNoise: false };
  // Same array read through the general path: a per-cell variance for every weight, as the
  // 'state-dependent' read-noise model needs (the default 'uniform' model has per-column ones).
  const perCellArray: ProgrammedArray = { ...array, readNoiseColumnVariance: null };

  const out = new Float32Array(BATCH * COLS);
  const accumulator = new Float64Array(COLS);
  const readRng = runRng.derive('reads');

  const [plainSeconds, quietSeconds, noisySeconds, perCellSeconds] = interleavedMedianSeconds([
    () => plainMatMul(inputs, array.effectiveWeights, out, accumulator),
    () => crossbarMatMul(inputs, BATCH, array, quietSettings, null, out),
    () => crossbarMatMul(inputs, BATCH, array, noisySettings, readRng, out),
    () => crossbarMatMul(inputs, BATCH, perCellArray, noisySettings, readRng, out),
  ]);

  const counts = emptyOperationCounts();
  crossbarMatMul(inputs, BATCH, array, noisySettings, readRng, out, counts);
  const energy = chipEnergyPj(counts, profile);

  const plainRate = MACS_PER_CALL / plainSeconds;
  console.log(
    `crossbar throughput: ${ROWS}x${COLS} weights, batch ${BATCH}, profile ${profile.name} ` +
      `(tile ${profile.tile.rows}x${profile.tile.cols}, DAC ${profile.dac.bits} bit, ` +
      `ADC ${profile.adc.bits} bit ${profile.adc.rangePolicy}); median of ${MEASURED_RUNS} interleaved runs ` +
      `after ${WARMUP_RUNS} warm-up runs`,
  );
  console.log(`  ${'plain typed-array matmul (i-k-j)'.padEnd(48)}${formatRate(plainRate)}   1.00x`);
  for (const [label, seconds] of [
    ['crossbar, DAC/ADC, read noise off', quietSeconds],
    ['crossbar, DAC/ADC, read noise on (per column)', noisySeconds],
    ['crossbar, DAC/ADC, read noise on (per cell)', perCellSeconds],
  ] as const) {
    const rate = MACS_PER_CALL / seconds;
    console.log(
      `  ${label.padEnd(48)}${formatRate(rate)}   ${(plainSeconds / seconds).toFixed(2)}x ` +
        `(${(seconds / plainSeconds).toFixed(2)}x the plain time)`,
    );
  }
  console.log(
    `  simulated energy per batch: ${(energy.totalPj / 1e6).toFixed(2)} µJ ` +
      `(crossbar array ${(energy.crossbarArrayPj / 1e6).toFixed(2)}, ADC ${(energy.adcPj / 1e6).toFixed(2)}, ` +
      `DAC ${(energy.dacPj / 1e6).toFixed(2)}, accumulate ${(energy.accumulatePj / 1e6).toFixed(2)}, ` +
      `activation SRAM ${(energy.activationBufferPj / 1e6).toFixed(2)} µJ)`,
  );
}

main();
