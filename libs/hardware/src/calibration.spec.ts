import { absolutePercentile, calibrateAdcRange, calibrateInputRange } from './calibration';
import { idealCrossbarOperand } from './crossbar-operand';
import { crossbarSettingsFromProfile } from './crossbar-settings';
import { DEFAULT_DEVICE_PROFILE } from './default-profile';
import { withOverrides } from './profile-overrides';
import { quantizeDacInput, dacMaxCode } from './quantizers';

describe('absolutePercentile', () => {
  it('takes the nearest rank of |v|: element ceil(p/100 n) - 1 of the sorted magnitudes', () => {
    const values = new Float64Array(100);
    for (let index = 0; index < 100; index++) values[index] = (index % 2 ? -1 : 1) * (100 - index);
    expect(absolutePercentile(values, 100)).toBe(100);
    expect(absolutePercentile(values, 99.9)).toBe(100);
    expect(absolutePercentile(values, 99)).toBe(99);
    expect(absolutePercentile(values, 50)).toBe(50);
    expect(absolutePercentile(values, 50.5)).toBe(51);
    expect(absolutePercentile(values, 0.1)).toBe(1);
    expect(() => absolutePercentile(values, 0)).toThrow(/\(0, 100\]/);
  });
});

describe('calibrateInputRange', () => {
  it('returns the percentile of |x|, falling back to max|x| and then to 1', () => {
    expect(calibrateInputRange(new Float32Array([0.5, -2, 1, 0.25]), 100)).toBe(2);
    expect(calibrateInputRange(new Float32Array([0.5, -2, 1, 0.25]), 50)).toBe(0.5);
    expect(calibrateInputRange(new Float32Array([0, 0, 0, 5]), 50)).toBe(5);
    expect(calibrateInputRange(new Float32Array(4), 99)).toBe(1);
  });
});

describe('calibrateAdcRange', () => {
  it('is the percentile of |noiseless tile partial sums| of DAC-quantized inputs', () => {
    // 3 rows, tile of 2 rows: tile 0 = rows 0-1, tile 1 = row 2. Two columns, two inputs.
    const weights = new Float32Array([1, -1, 2, 0.5, -3, 1]);
    const operand = idealCrossbarOperand(weights, 3, 2);
    const inputs = new Float32Array([0.26, 1, 0.5, -1, 0.74, 0.1]);
    const settings = { tileRows: 2, dacBits: 2, inputRange: 1, inputSigned: false };
    const x = Array.from(inputs, (value) =>
      quantizeDacInput(value, 1, dacMaxCode(2, false), false),
    );
    // x = [1/3, 1, 2/3, 0, 2/3, 0]
    const partialSums = [
      x[0] * 1 + x[1] * 2,
      x[0] * -1 + x[1] * 0.5,
      x[2] * -3,
      x[2] * 1,
      x[3] * 1 + x[4] * 2,
      x[3] * -1 + x[4] * 0.5,
      x[5] * -3,
      x[5] * 1,
    ]
      .map(Math.abs)
      .sort((a, b) => a - b);
    expect(calibrateAdcRange(inputs, 2, operand, settings, 100)).toBeCloseTo(partialSums[7], 6);
    expect(calibrateAdcRange(inputs, 2, operand, settings, 50)).toBeCloseTo(partialSums[3], 6);
  });
});

describe('crossbarSettingsFromProfile', () => {
  it('takes tile, DAC and ADC from the profile and ranges from calibration', () => {
    const settings = crossbarSettingsFromProfile(DEFAULT_DEVICE_PROFILE, {
      inputRange: 1,
      inputSigned: false,
      adcRange: 12,
    });
    expect(settings).toEqual({
      tileRows: 128,
      tileCols: 128,
      dacBits: 8,
      inputRange: 1,
      inputSigned: false,
      adcBits: 8,
      adcRange: { policy: 'calibrated', range: 12 },
      readNoise: true,
    });
  });

  it('requires a calibrated ADC range under the calibrated policy only', () => {
    expect(() =>
      crossbarSettingsFromProfile(DEFAULT_DEVICE_PROFILE, { inputRange: 1, inputSigned: true }),
    ).toThrow(/calibrateAdcRange/);
    const fullScale = withOverrides(DEFAULT_DEVICE_PROFILE, { adc: { rangePolicy: 'full-scale' } });
    expect(
      crossbarSettingsFromProfile(fullScale, { inputRange: 1, inputSigned: true }).adcRange,
    ).toEqual({ policy: 'full-scale' });
  });
});
