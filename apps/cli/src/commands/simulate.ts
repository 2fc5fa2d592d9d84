import {
  CounterRng,
  DEFAULT_DEVICE_PROFILE,
  DeviceProfile,
  OperationCounts,
  calibrateAdcRange,
  calibrateInputRange,
  crossbarMatMul,
  crossbarSettingsFromProfile,
  emptyOperationCounts,
  programTernaryCam,
  realizeEffectiveWeights,
  withOverrides,
} from '@engram/hardware';
import { chipEnergyPj, digitalWorkEnergyPj } from '@engram/energy';

export interface SimulateOptions {
  seed: number;
  rows: number;
  cols: number;
  batch: number;
  json: boolean;
}

interface NoisePoint {
  programmingNoise: number;
  crossbarRelativeError: number;
  camRecall: number;
}

/** Relative RMS error of y against the exact reference. */
function relativeError(y: Float32Array, reference: Float64Array): number {
  let err = 0;
  let norm = 0;
  for (let i = 0; i < y.length; i++) {
    err += (y[i] - reference[i]) ** 2;
    norm += reference[i] ** 2;
  }
  return Math.sqrt(err / norm);
}

/**
 * A small, real hardware simulation: a trained-looking weight matrix programmed on ternary RRAM
 * crossbars and a TCAM of binary prototypes, at growing programming noise, with the energy of
 * each piece. Everything is seeded: the same seed prints the same figures.
 */
export function simulate(options: SimulateOptions, print: (line: string) => void): NoisePoint[] {
  const { seed, rows, cols, batch } = options;
  const rng = new CounterRng(seed, 'simulate');
  const weights = new Float32Array(rows * cols);
  rng.derive('weights').fillNormal(weights, 0, 1 / Math.sqrt(rows));
  const inputs = new Float32Array(batch * rows);
  const inputRng = rng.derive('inputs');
  for (let i = 0; i < inputs.length; i++) inputs[i] = Math.max(0, inputRng.normal());

  // Exact product with the ideal ternary weights: what a perfect chip would compute.
  const ideal = realizeEffectiveWeights(
    weights,
    rows,
    cols,
    withOverrides(DEFAULT_DEVICE_PROFILE, {
      programmingNoise: { model: 'uniform', relativeStd: 0 },
    }),
    rng.derive('ideal'),
    { scaleMode: 'per-column' },
  );
  const reference = new Float64Array(batch * cols);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < rows; i++) {
      const x = inputs[b * rows + i];
      if (x === 0) continue;
      for (let j = 0; j < cols; j++)
        reference[b * cols + j] += x * ideal.effectiveWeights[i * cols + j];
    }
  }

  const camWidth = 128;
  const camRows = 40;
  const prototypes = new Uint8Array(camRows * camWidth);
  const protoRng = rng.derive('prototypes');
  for (let i = 0; i < prototypes.length; i++) prototypes[i] = protoRng.uniform() < 0.5 ? 0 : 1;
  // Queries: each prototype with 30% of its bits flipped (near the limit of exact recall).
  const queriesPerRow = 25;
  const queries = new Uint8Array(camRows * queriesPerRow * camWidth);
  const truth = new Int32Array(camRows * queriesPerRow);
  const flipRng = rng.derive('queries');
  for (let q = 0; q < truth.length; q++) {
    truth[q] = q % camRows;
    for (let b = 0; b < camWidth; b++) {
      const bit = prototypes[truth[q] * camWidth + b];
      queries[q * camWidth + b] = flipRng.uniform() < 0.3 ? 1 - bit : bit;
    }
  }

  print(
    `Engram hardware simulation (seed ${seed}): ${rows}x${cols} ternary layer, batch ${batch}; TCAM ${camRows}x${camWidth}`,
  );
  print(
    `profile ${DEFAULT_DEVICE_PROFILE.name}: tile ${DEFAULT_DEVICE_PROFILE.tile.rows}x${DEFAULT_DEVICE_PROFILE.tile.cols}, DAC ${DEFAULT_DEVICE_PROFILE.dac.bits} b, ADC ${DEFAULT_DEVICE_PROFILE.adc.bits} b (${DEFAULT_DEVICE_PROFILE.adc.rangePolicy})`,
  );
  print('programming noise | crossbar rel. error | TCAM nearest-row recall');
  const results: NoisePoint[] = [];
  let counts: OperationCounts = emptyOperationCounts();
  let profileUsed: DeviceProfile = DEFAULT_DEVICE_PROFILE;
  for (const noise of [0, 0.02, 0.05, 0.1, 0.2]) {
    const profile = withOverrides(DEFAULT_DEVICE_PROFILE, {
      programmingNoise: { model: 'uniform', relativeStd: noise },
      tcam: { programmingNoise: { model: 'uniform', relativeStd: noise } },
    });
    const runRng = rng.derive(`noise-${noise}`);
    const array = realizeEffectiveWeights(weights, rows, cols, profile, runRng.derive('array'), {
      scaleMode: 'per-column',
    });
    const inputRange = calibrateInputRange(inputs, profile.dac.calibrationPercentile);
    const adcRange = calibrateAdcRange(
      inputs,
      batch,
      ideal,
      { tileRows: profile.tile.rows, dacBits: profile.dac.bits, inputRange, inputSigned: false },
      profile.adc.calibrationPercentile,
    );
    const settings = crossbarSettingsFromProfile(profile, {
      inputRange,
      inputSigned: false,
      adcRange,
    });
    counts = emptyOperationCounts();
    const y = crossbarMatMul(
      inputs,
      batch,
      array,
      settings,
      runRng.derive('read'),
      undefined,
      counts,
    );
    const tcam = programTernaryCam(prototypes, camRows, camWidth, profile, runRng.derive('tcam'));
    const search = tcam.search(queries, truth.length, {
      threshold: 0.5,
      senseNoise: true,
      rng: runRng.derive('sense'),
      counters: counts,
    });
    let hits = 0;
    for (let q = 0; q < truth.length; q++) if (search.bestRow[q] === truth[q]) hits++;
    const point = {
      programmingNoise: noise,
      crossbarRelativeError: relativeError(y, reference),
      camRecall: hits / truth.length,
    };
    results.push(point);
    profileUsed = profile;
    print(
      `${noise.toFixed(2).padStart(17)} | ${(100 * point.crossbarRelativeError).toFixed(2).padStart(18)}% | ${(100 * point.camRecall).toFixed(1).padStart(22)}%`,
    );
  }
  const energy = chipEnergyPj(counts, profileUsed);
  // The same layer over the batch on the profile's digital baseline (weights reused across it).
  const digital = digitalWorkEnergyPj(
    {
      layers: [{ positions: batch, rows, cols }],
      digitalOps: 0,
      pointSamplingOps: 0,
      memoryBitSearches: 0,
    },
    {
      baseline: profileUsed.digitalBaseline.name,
      weightBufferKb: profileUsed.digitalBaseline.weightBufferKb,
      activationBufferKb: profileUsed.energy.activationBufferKb,
      networkWeights: rows * cols,
    },
  );
  print(
    `operations of the last run: ${counts.cimMacs} CIM MACs, ${counts.adcConversions} ADC and ${counts.dacConversions} DAC conversions, ${counts.camBitSearches} CAM bit-searches`,
  );
  print(
    `energy: crossbar array ${(energy.crossbarArrayPj / 1e3).toFixed(1)} nJ, ADC ${(energy.adcPj / 1e3).toFixed(1)} nJ, DAC ${(energy.dacPj / 1e3).toFixed(1)} nJ, activation SRAM ${(energy.activationBufferPj / 1e3).toFixed(1)} nJ, CAM ${((energy.camSearchPj + energy.camReadoutPj) / 1e3).toFixed(2)} nJ, total ${(energy.totalPj / 1e3).toFixed(1)} nJ`,
  );
  print(
    `the same layer on digital hardware (${profileUsed.digitalBaseline.name}): ${(digital.totalPj / 1e3).toFixed(1)} nJ`,
  );
  return results;
}
