import { DEFAULT_DEVICE_PROFILE, DIGITAL_BASELINE_NAMES, withOverrides } from '@engram/hardware';
import { weightsFromDram } from '@engram/energy';
import {
  POINTNET2_MODELNET10_SPEC,
  RESNET_MNIST_SPEC,
  pointNetLayout,
  resnetLayout,
} from '@engram/models';
import {
  acceleratorFor,
  chipCountsFor,
  digitalPassEnergyPj,
  passEnergyPj,
  segmentReach,
  staticReach,
} from './energy-accounting';
import { pointNetSegmentCosts } from './models/pointnet2-modelnet10/segment-costs';
import { segmentCosts } from './segment-costs';

const profile = DEFAULT_DEVICE_PROFILE;
const TCAM_ROWS = [20, 20];
const networks = {
  'resnet-mnist': segmentCosts(resnetLayout(RESNET_MNIST_SPEC), profile, TCAM_ROWS),
  'pointnet2-modelnet10': pointNetSegmentCosts(
    pointNetLayout(POINTNET2_MODELNET10_SPEC),
    profile,
    TCAM_ROWS,
  ),
};

describe('segmentReach', () => {
  it('runs each stage for the samples that have not left before it', () => {
    // 100 samples: 50 leave at exit 1 (after stage 0), 30 at exit 2 (after stage 1), 20 at the end.
    expect(segmentReach([50, 30, 20], [0, 1], 3)).toEqual({
      stages: [100, 50, 20],
      exits: [100, 50],
      head: 20,
    });
    expect(staticReach(100, 3, 2)).toEqual({ stages: [100, 100, 100], exits: [0, 0], head: 100 });
  });
});

const WEIGHTS = { 'resnet-mnist': 272_144, 'pointnet2-modelnet10': 645_376 };

describe.each(Object.entries(networks))('energy of %s', (name, costs) => {
  const samples = 100;
  const reach = segmentReach([50, 30, 20], [0, 1], 3);
  const pass = {
    dynamicCounts: chipCountsFor(costs, reach),
    staticCounts: chipCountsFor(costs, staticReach(samples, 3, 2)),
    reach,
  };

  it('holds the int8 weights of the whole network in the default 1 MB weight buffer', () => {
    // docs/energy-model.md quotes these counts.
    expect(costs.networkWeights).toBe(WEIGHTS[name as keyof typeof WEIGHTS]);
    expect(costs.networkWeights).toBeLessThan(1024 * 1024);
    expect(weightsFromDram(acceleratorFor(profile, costs))).toBe(false);
  });

  it('saves digital energy with exits, and exit heads cost extra when nobody leaves', () => {
    const energy = passEnergyPj(costs, pass, profile);
    const noExit = digitalPassEnergyPj(
      costs,
      segmentReach([0, 0, samples], [0, 1], 3),
      acceleratorFor(profile, costs),
    );
    // A pass where nobody leaves still runs the exit heads: it costs more than the static one.
    expect(noExit.totalPj).toBeGreaterThan(energy.digitalStatic.totalPj);
    expect(energy.digitalDynamic.totalPj).toBeLessThan(energy.digitalStatic.totalPj);
    expect(energy.reductionVsDigitalStatic).toBeGreaterThan(energy.reductionVsDigitalDynamic);
    expect(energy.reductionVsDigitalStatic).toBeCloseTo(
      1 - energy.chipDynamic.totalPj / energy.digitalStatic.totalPj,
      12,
    );
  });

  it('orders the baselines: DRAM weights cost most, MAC-only least', () => {
    const totals = Object.fromEntries(
      DIGITAL_BASELINE_NAMES.map((name) => [
        name,
        passEnergyPj(costs, pass, withOverrides(profile, { digitalBaseline: { name } }))
          .digitalStatic.totalPj,
      ]),
    );
    expect(totals['int8-dram-weights']).toBeGreaterThan(totals['int8-dataflow']);
    expect(totals['int8-dataflow']).toBeGreaterThan(totals['ternary-digital']);
    expect(totals['ternary-digital']).toBeGreaterThan(totals['int8-mac-only']);
  });

  it('charges the chip for activations and the TCAM readout, and no ADC or DAC at macro level', () => {
    const component = passEnergyPj(costs, pass, profile).chipDynamic;
    expect(component.activationBufferPj).toBeGreaterThan(0);
    expect(component.camReadoutPj).toBeGreaterThan(0);
    const macro = passEnergyPj(
      costs,
      pass,
      withOverrides(profile, { energy: { macroMacPj: 0.045, cellReadPjPerPulse: null } }),
    ).chipDynamic;
    expect(macro.adcPj + macro.dacPj).toBe(0);
    expect(macro.crossbarArrayPj).toBeCloseTo(pass.dynamicCounts.cimMacs * 0.045, 3);
    expect(macro.activationBufferPj).toBeCloseTo(component.activationBufferPj, 6);
  });
});
