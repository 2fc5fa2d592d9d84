import { DEFAULT_DEVICE_PROFILE } from '@engram/hardware';
import { RESNET_MNIST_SPEC, resnetLayout } from '@engram/models';
import { segmentReach } from '@engram/evaluation';
import { segmentCosts } from '@engram/evaluation/testing';
import type { OperatingPointSweep } from './operating-points';
import { energySection } from './energy-section';

/** A chip's sweep with one operating point: 100 samples, 50 leave at exit 1, 30 at exit 2. */
function sweep(histogram: number[]): OperatingPointSweep {
  const costs = segmentCosts(resnetLayout(RESNET_MNIST_SPEC), DEFAULT_DEVICE_PROFILE, [20, 20]);
  return {
    samples: 100,
    staticAccuracy: 0.99,
    staticMacsPerSample: 0,
    staticEnergyPerInferencePj: 0,
    digitalBaselineEnergyPerInferencePj: 0,
    points: [
      {
        memorySize: 2,
        thresholds: [0.1, 0.1],
        dynamicAccuracy: 0.99,
        computeReduction: 0,
        energyReductionVsDigitalStatic: 0,
        energyReductionVsDigitalDynamic: 0,
        energyReductionVsStatic: 0,
        energyPerInferencePj: 0,
        exitHistogram: histogram,
        lossStdError: 0,
        reach: segmentReach(histogram, [0, 1], 3),
        costs,
      },
    ],
    truncated: [],
  };
}

describe('energySection', () => {
  const { lines, data } = energySection(
    'resnet-mnist',
    [sweep([50, 30, 20]), sweep([40, 40, 20])],
    0,
    DEFAULT_DEVICE_PROFILE,
  );
  const text = lines.join('\n');

  it('gives the reduction against every baseline, static and with the same exits', () => {
    for (const name of [
      'int8-dataflow (headline)',
      'int8-mac-only',
      'int8-dram-weights',
      'ternary-digital',
    ]) {
      expect(text).toMatch(
        new RegExp(
          `\\| ${name.replace(/[()]/g, '\\$&')} \\| [0-9.]+ µJ \\| [0-9.]+ µJ \\| -?[0-9.]+% \\| -?[0-9.]+% \\|`,
        ),
      );
    }
    const baselines = (
      data as { baselines: { name: string; vsStatic: number; vsDynamic: number }[] }
    ).baselines;
    for (const b of baselines) expect(b.vsStatic).toBeGreaterThan(b.vsDynamic);
  });

  it('breaks the energy down per component on both sides and varies the main constants', () => {
    expect(text).toContain('| chip (dynamic network) | energy | share |');
    expect(text).toContain('| digital int8-dataflow (static network) | energy | share |');
    expect(text).toMatch(/\| dac \| [0-9.]+ nJ \| [0-9.]+% \|/);
    expect(text).toMatch(/\| registerFile \| [0-9.]+ nJ \| [0-9.]+% \|/);
    for (const row of [
      'ADC energy per conversion x 2',
      'DAC pulses per input 4',
      'SRAM 32 KB activations',
      'crossbar at macro level',
    ]) {
      expect(text).toContain(`| ${row}`);
    }
  });

  it('places the paper figure in the range it spans', () => {
    const { range } = data as { range: { low: { value: number }; high: { value: number } } };
    expect(text).toContain('The paper reports 77.6% for this task.');
    const inside = 0.776 >= range.low.value && 0.776 <= range.high.value;
    expect(text).toContain(`lies ${inside ? 'inside' : 'outside'} that range`);
  });
});
