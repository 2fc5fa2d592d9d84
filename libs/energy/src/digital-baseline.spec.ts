import type { DigitalBaselineName } from '@engram/hardware';
import { DigitalAccelerator, digitalWorkEnergyPj, weightsFromDram } from './digital-baseline';
import { horowitzSramReadPj, int8MacPj, sramAccessPj } from './energy-parameters';

// The conv of dataflow.spec.ts: 3x3, 2 -> 4 channels, 4x4 output.
const CONV = { positions: 16, rows: 18, cols: 4 };
const WEIGHT_BUFFER_PJ = sramAccessPj(1024);
const ACTIVATION_BUFFER_PJ = sramAccessPj(128);

function accelerator(baseline: DigitalBaselineName, networkWeights = 72): DigitalAccelerator {
  return { baseline, weightBufferKb: 1024, activationBufferKb: 128, networkWeights };
}

function convEnergy(baseline: DigitalBaselineName) {
  return digitalWorkEnergyPj(
    { layers: [CONV], digitalOps: 0, pointSamplingOps: 0, memoryBitSearches: 0 },
    accelerator(baseline),
  );
}

describe('energy constants', () => {
  it('uses the Horowitz int8 MAC as the unit of the Eyeriss ratios', () => {
    expect(int8MacPj()).toBeCloseTo(0.3, 12);
  });

  it('follows the Horowitz SRAM curve through its three points', () => {
    expect(horowitzSramReadPj(8)).toBeCloseTo(10, 9);
    expect(horowitzSramReadPj(32)).toBeCloseTo(20, 9);
    expect(horowitzSramReadPj(1024)).toBeCloseTo(100, 9);
    // The Eyeriss buffer cost (6 x 0.3 pJ) holds at the 108 KB anchor.
    expect(sramAccessPj(108)).toBeCloseTo(1.8, 9);
    expect(sramAccessPj(1024)).toBeGreaterThan(sramAccessPj(128));
    expect(() => horowitzSramReadPj(0)).toThrow(/must be > 0 KB/);
  });
});

describe('digital baselines on a hand-counted conv', () => {
  // Access counts (dataflow.spec.ts): MACs 1152; weight RF 1152 reads + 72 writes; input RF 1152;
  // array 1152 input + 1024 psum transfers; buffer 72 weight reads, 288 input reads, 64 psum
  // reads, 128 psum writes. Unit 0.3 pJ: RF 0.3, array 0.6, DRAM 60 pJ per access.
  it('int8-dataflow: every level priced, weights resident', () => {
    const energy = convEnergy('int8-dataflow');
    expect(energy.macPj).toBeCloseTo(1152 * 0.3, 9);
    expect(energy.registerFilePj).toBeCloseTo((1152 + 72 + 1152) * 0.3, 9);
    expect(energy.arrayPj).toBeCloseTo((1152 + 1024) * 0.6, 9);
    expect(energy.bufferPj).toBeCloseTo(
      72 * WEIGHT_BUFFER_PJ + (288 + 64 + 128) * ACTIVATION_BUFFER_PJ,
      9,
    );
    expect(energy.dramPj).toBe(0);
    expect(energy.totalPj).toBeCloseTo(
      energy.macPj + energy.registerFilePj + energy.arrayPj + energy.bufferPj,
      9,
    );
  });

  it('int8-dram-weights: the same plus one DRAM read per weight', () => {
    const dataflow = convEnergy('int8-dataflow');
    const dram = convEnergy('int8-dram-weights');
    expect(dram.dramPj).toBeCloseTo(72 * 200 * 0.3, 9);
    expect(dram.totalPj - dataflow.totalPj).toBeCloseTo(72 * 60, 9);
  });

  it('int8-mac-only: only the MACs', () => {
    const energy = convEnergy('int8-mac-only');
    expect(energy.macPj).toBeCloseTo(345.6, 9);
    expect(energy.totalPj).toBeCloseTo(345.6, 9);
  });

  it('ternary-digital: a 32-bit add per MAC and 2-bit weight accesses', () => {
    const energy = convEnergy('ternary-digital');
    expect(energy.macPj).toBeCloseTo(1152 * 0.1, 9);
    expect(energy.registerFilePj).toBeCloseTo(((1152 + 72) * 0.25 + 1152) * 0.3, 9);
    expect(energy.arrayPj).toBeCloseTo((1152 + 1024) * 0.6, 9);
    expect(energy.bufferPj).toBeCloseTo(
      72 * 0.25 * WEIGHT_BUFFER_PJ + 480 * ACTIVATION_BUFFER_PJ,
      9,
    );
  });

  it('prices the non-MAC work and a digital semantic-memory search', () => {
    const energy = digitalWorkEnergyPj(
      { layers: [], digitalOps: 1000, pointSamplingOps: 500, memoryBitSearches: 1280 },
      accelerator('int8-dataflow'),
    );
    expect(energy.digitalOpsPj).toBeCloseTo(100, 9);
    expect(energy.pointSamplingPj).toBeCloseTo(50, 9);
    expect(energy.searchPj).toBeCloseTo(160 * (0.03 + ACTIVATION_BUFFER_PJ), 9);
    expect(energy.totalPj).toBeCloseTo(
      energy.digitalOpsPj + energy.pointSamplingPj + energy.searchPj,
      9,
    );
  });
});

describe('weightsFromDram', () => {
  it('streams int8 weights that overflow the weight buffer, ternary ones fit 4x more', () => {
    const weights = 1.5 * 1024 * 1024; // 1.5 MB as int8, 384 KB as ternary
    expect(weightsFromDram(accelerator('int8-dataflow', weights))).toBe(true);
    expect(weightsFromDram(accelerator('ternary-digital', weights))).toBe(false);
    expect(weightsFromDram(accelerator('int8-dataflow', 1000))).toBe(false);
    expect(weightsFromDram(accelerator('int8-dram-weights', 1000))).toBe(true);
    expect(weightsFromDram(accelerator('int8-mac-only', weights))).toBe(false);
  });
});
