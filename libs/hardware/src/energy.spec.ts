import { crossbarMatMul } from './crossbar';
import { idealCrossbarOperand } from './crossbar-operand';
import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import {
  adcConversionPj,
  computeReductionVsStatic,
  dacConversionPj,
  digitalBaselineEnergyPj,
  digitalBaselineMacPj,
  energyPj,
  energyReductionVsDigital,
} from './energy';
import { addOperationCounts, emptyOperationCounts, mergeOperationCounts } from './operation-counts';
import { withOverrides } from './profile-overrides';

describe('energyPj', () => {
  it('equals counts times the default constants, by component', () => {
    const counts = {
      cimMacs: 1_000_000,
      adcConversions: 1000,
      dacConversions: 2000,
      camBitSearches: 5000,
      digitalOps: 300,
    };
    const energy = energyPj(counts, DEFAULT_DEVICE_PROFILE);
    expect(energy.cimPj).toBeCloseTo(1_000_000 * 0.045, 6);
    expect(energy.adcPj).toBeCloseTo(1000 * (0.1955 * 8 + 0.000412 * 256), 6);
    expect(energy.dacPj).toBeCloseTo(2000 * 8 * 0.417, 6);
    expect(energy.camPj).toBeCloseTo(5000 * 0.02, 6);
    expect(energy.digitalPj).toBeCloseTo(300 * 0.1, 6);
    expect(energy.totalPj).toBeCloseTo(45_000 + 1669.472 + 6672 + 100 + 30, 6);
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
    expect(energyPj({ ...emptyOperationCounts(), adcConversions: 10 }, sixBit).adcPj).toBeCloseTo(
      10 * (0.1955 * 6 + 0.000412 * 64),
      9,
    );
    expect(dacConversionPj(DEFAULT_DEVICE_PROFILE, 4)).toBeCloseTo(4 * 0.417, 12);
  });

  it('prices a crossbar call from its own counts', () => {
    const counters = emptyOperationCounts();
    const rows = 256;
    const cols = 200;
    crossbarMatMul(
      new Float32Array(2 * rows),
      2,
      idealCrossbarOperand(new Float32Array(rows * cols), rows, cols),
      {
        tileRows: 128,
        tileCols: 128,
        dacBits: 8,
        inputRange: 1,
        inputSigned: false,
        adcBits: 8,
        adcRange: { policy: 'full-scale' },
        readNoise: false,
      },
      null,
      undefined,
      counters,
    );
    // 2 row tiles, 2 column tiles.
    const expectedPj =
      2 * rows * cols * 0.045 +
      2 * 2 * cols * 1.669472 +
      2 * rows * 2 * 8 * 0.417 +
      2 * 1 * cols * 0.1;
    expect(energyPj(counters, DEFAULT_DEVICE_PROFILE).totalPj).toBeCloseTo(expectedPj, 6);
  });
});

describe('digital baseline', () => {
  it('costs int8 multiply + 32-bit add + an 8-bit share of a 1 MB SRAM 64-bit read per MAC', () => {
    expect(digitalBaselineMacPj(DEFAULT_DEVICE_PROFILE)).toBeCloseTo(0.2 + 0.1 + 100 / 8, 12);
    const energy = digitalBaselineEnergyPj(1000, 10, DEFAULT_DEVICE_PROFILE);
    expect(energy.multiplyPj).toBeCloseTo(200, 9);
    expect(energy.accumulatePj).toBeCloseTo(100, 9);
    expect(energy.weightFetchPj).toBeCloseTo(12_500, 9);
    expect(energy.digitalOpsPj).toBeCloseTo(1, 9);
    expect(energy.totalPj).toBeCloseTo(12_801, 9);
  });

  it('follows the chosen weight memory level', () => {
    const small = withOverrides(DEFAULT_DEVICE_PROFILE, {
      digitalBaseline: { weightMemory: 'sram-8kb' },
    });
    expect(digitalBaselineMacPj(small)).toBeCloseTo(0.2 + 0.1 + 10 / 8, 12);
  });
});

describe('reductions', () => {
  it('reports 1 - dynamic / static, as Zhang et al. 2024 do', () => {
    expect(computeReductionVsStatic(519, 1000)).toBeCloseTo(0.481, 12);
    expect(energyReductionVsDigital(22.4, 100)).toBeCloseTo(0.776, 12);
    expect(() => computeReductionVsStatic(1, 0)).toThrow(/reference must be > 0/);
  });
});

describe('operation counts', () => {
  it('adds in place and merges into a new record', () => {
    const a = {
      cimMacs: 1,
      adcConversions: 2,
      dacConversions: 3,
      camBitSearches: 4,
      digitalOps: 5,
    };
    const b = {
      cimMacs: 10,
      adcConversions: 20,
      dacConversions: 30,
      camBitSearches: 40,
      digitalOps: 50,
    };
    const merged = mergeOperationCounts(a, b, a);
    expect(merged).toEqual({
      cimMacs: 12,
      adcConversions: 24,
      dacConversions: 36,
      camBitSearches: 48,
      digitalOps: 60,
    });
    expect(a.cimMacs).toBe(1);
    const target = emptyOperationCounts();
    expect(addOperationCounts(target, b)).toBe(target);
    expect(target).toEqual(b);
  });
});
