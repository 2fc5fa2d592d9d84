import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import { resolveDeviceParameters } from './device-knobs';

describe('resolveDeviceParameters', () => {
  it('reads the profile value of every knob the run leaves unset', () => {
    const p = DEFAULT_DEVICE_PROFILE;
    const resolved = resolveDeviceParameters(undefined, {});
    expect(resolved).toMatchObject({
      deviceProfile: p.name,
      adcBits: p.adc.bits,
      dacBits: p.dac.bits,
      tileRows: p.tile.rows,
      tileCols: p.tile.cols,
      stuckAtLrsRate: p.stuckAtFaults.lrsRate,
      stuckAtHrsRate: p.stuckAtFaults.hrsRate,
      tcamSenseNoise: p.tcam.senseNoiseRelativeStd,
      programmingNoiseModel: p.programmingNoise.model,
      readNoiseModel: p.readNoise.model,
    });
    // The default programming noise is per state: two numbers, not one.
    expect(p.programmingNoise.model).toBe('state-dependent');
    if (p.programmingNoise.model === 'state-dependent') {
      expect(resolved?.programmingNoiseLrs).toBe(p.programmingNoise.lrsRelativeStd);
      expect(resolved?.programmingNoiseHrs).toBe(p.programmingNoise.hrsRelativeStd);
    }
  });

  it('takes the knobs a run sets, a uniform noise giving the same std in both states', () => {
    const resolved = resolveDeviceParameters(DEFAULT_DEVICE_PROFILE.name, {
      programmingNoise: 0.07,
      adcBits: 4,
      stuckAtHrsRate: 0.01,
    });
    expect(resolved).toMatchObject({
      programmingNoiseModel: 'uniform',
      programmingNoiseLrs: 0.07,
      programmingNoiseHrs: 0.07,
      adcBits: 4,
      stuckAtHrsRate: 0.01,
      stuckAtLrsRate: DEFAULT_DEVICE_PROFILE.stuckAtFaults.lrsRate,
    });
  });

  it('is null for a profile or knobs the run would be refused for', () => {
    expect(resolveDeviceParameters('no-such-profile', {})).toBeNull();
    expect(
      resolveDeviceParameters(undefined, { stuckAtLrsRate: 0.7, stuckAtHrsRate: 0.7 }),
    ).toBeNull();
  });
});
