import {
  DEFAULT_DEVICE_PROFILE,
  crossbarOperationCounts,
  emptyOperationCounts,
  withOverrides,
} from '@engram/hardware';
import { adcConversionPj, chipEnergyPj, computeReductionVsStatic, dacConversionPj } from './energy';
import { sramAccessPj } from './energy-parameters';

const ACTIVATION_ACCESS_PJ = sramAccessPj(128);

describe('chipEnergyPj', () => {
  const counts = {
    cimMacs: 1_000_000,
    adcConversions: 1000,
    dacConversions: 2000,
    accumulateOps: 700,
    activationReads: 2000,
    activationWrites: 500,
    camBitSearches: 5000,
    camRowReadouts: 40,
    digitalOps: 300,
    pointSamplingOps: 200,
  };

  it('prices every component at component level by default', () => {
    const energy = chipEnergyPj(counts, DEFAULT_DEVICE_PROFILE);
    // 8 pulses per input, one differential pair read per pulse.
    expect(energy.crossbarArrayPj).toBeCloseTo(1_000_000 * 8 * 0.0164, 6);
    expect(energy.adcPj).toBeCloseTo(1000 * (0.1955 * 8 + 0.000412 * 256), 6);
    expect(energy.dacPj).toBeCloseTo(2000 * 8 * 0.417, 6);
    expect(energy.accumulatePj).toBeCloseTo(700 * 0.1, 6);
    expect(energy.activationBufferPj).toBeCloseTo(2500 * ACTIVATION_ACCESS_PJ, 6);
    expect(energy.digitalPj).toBeCloseTo(300 * 0.1, 6);
    expect(energy.pointSamplingPj).toBeCloseTo(200 * 0.1, 6);
    expect(energy.camSearchPj).toBeCloseTo(5000 * 0.02, 6);
    expect(energy.camReadoutPj).toBeCloseTo(40 * (0.1955 * 7 + 0.000412 * 128), 6);
    const { totalPj, ...parts } = energy;
    expect(totalPj).toBeCloseTo(
      Object.values(parts).reduce((a, b) => a + b, 0),
      6,
    );
  });

  it('at macro level charges the macro per MAC and no ADC or DAC on top', () => {
    const macro = withOverrides(DEFAULT_DEVICE_PROFILE, {
      energy: { macroMacPj: 0.045, cellReadPjPerPulse: null },
    });
    const energy = chipEnergyPj(counts, macro);
    expect(energy.crossbarArrayPj).toBeCloseTo(1_000_000 * 0.045, 6);
    expect(energy.adcPj).toBe(0);
    expect(energy.dacPj).toBe(0);
    // Outside the macro: tile accumulation, buffers, digital work and the TCAM.
    expect(energy.accumulatePj).toBeCloseTo(70, 6);
    expect(energy.camReadoutPj).toBeGreaterThan(0);
  });

  it('derives the cell read energy from V^2 G t of the profile window', () => {
    const { hrsUs, lrsUs } = DEFAULT_DEVICE_PROFILE.conductance;
    const readVolts = 0.2;
    const pulseSeconds = 10e-9;
    const pairJoules = readVolts ** 2 * (lrsUs + hrsUs) * 1e-6 * pulseSeconds;
    expect(DEFAULT_DEVICE_PROFILE.energy.cellReadPjPerPulse).toBeCloseTo(pairJoules * 1e12, 4);
  });

  it('models ADC energy within 0.5% of the ISAAC table from 4 to 10 bits', () => {
    const isaacTablePj: Record<number, number> = {
      4: 0.79,
      5: 0.99,
      6: 1.2,
      7: 1.42,
      8: 1.67,
      9: 1.969,
      10: 2.379,
    };
    for (const [bits, tablePj] of Object.entries(isaacTablePj)) {
      const modelPj = adcConversionPj(DEFAULT_DEVICE_PROFILE, Number(bits));
      expect(Math.abs(modelPj / tablePj - 1)).toBeLessThan(0.005);
    }
    const sixBit = withOverrides(DEFAULT_DEVICE_PROFILE, { adc: { bits: 6 } });
    expect(
      chipEnergyPj({ ...emptyOperationCounts(), adcConversions: 10 }, sixBit).adcPj,
    ).toBeCloseTo(10 * (0.1955 * 6 + 0.000412 * 64), 9);
    expect(dacConversionPj(DEFAULT_DEVICE_PROFILE, 4)).toBeCloseTo(4 * 0.417, 12);
  });

  it('prices a crossbar call from its own counts', () => {
    // The counts a crossbar call records (crossbar.spec.ts pins crossbarMatMul to them).
    const rows = 256;
    const cols = 200;
    const counts = crossbarOperationCounts(2, rows, cols, 128, 128);
    // 2 row tiles, 2 column tiles: each input driven (and fetched) twice.
    const expectedPj =
      2 * rows * cols * 8 * 0.0164 +
      2 * 2 * cols * 1.669472 +
      2 * rows * 2 * 8 * 0.417 +
      2 * 1 * cols * 0.1 +
      (2 * rows * 2 + 2 * cols) * ACTIVATION_ACCESS_PJ;
    expect(chipEnergyPj(counts, DEFAULT_DEVICE_PROFILE).totalPj).toBeCloseTo(expectedPj, 6);
  });
});

describe('reductions', () => {
  it('reports 1 - dynamic / static, as Zhang et al. 2024 do', () => {
    expect(computeReductionVsStatic(519, 1000)).toBeCloseTo(0.481, 12);
    expect(() => computeReductionVsStatic(1, 0)).toThrow(/reference must be > 0/);
  });
});
