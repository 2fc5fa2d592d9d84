export { CounterRng } from './rng';

export type {
  AdcRangePolicy,
  ConductanceNoiseModel,
  DeepPartial,
  DeviceProfile,
  DriftModel,
} from './profile';
export { DEFAULT_DEVICE_PROFILE } from './default-profile';
export { DeviceProfileError, parseDeviceProfile } from './profile-parse';
export { withOverrides } from './profile-overrides';
export {
  DEVICE_KNOB_FIELDS,
  DEVICE_PROFILES,
  deviceProfileWithKnobs,
  profileFieldAt,
  profileValueAt,
  resolveDeviceParameters,
  type DeviceKnobName,
  type DeviceKnobs,
  type ResolvedDeviceParameters,
} from './device-knobs';
export { loadDeviceProfile } from './profile-load';

export {
  TWN_THRESHOLD_FACTOR,
  dequantizeTernary,
  quantizeTernary,
  type TernaryOptions,
  type TernaryScaleMode,
  type TernaryWeights,
} from './ternary';
export {
  CellFault,
  programTernaryArray,
  realizeEffectiveWeights,
  type ProgrammedArray,
} from './programming';

export { idealCrossbarOperand, type CrossbarOperand } from './crossbar-operand';
export {
  crossbarSettingsFromProfile,
  type AdcRangeSetting,
  type CrossbarSettings,
  type LayerCalibration,
} from './crossbar-settings';
export { crossbarMatMul, crossbarOperationCounts } from './crossbar';
export {
  adcMaxCode,
  dacMaxCode,
  quantizeAdcOutput,
  quantizeDacInput,
  roundHalfToEven,
} from './quantizers';
export {
  absolutePercentile,
  calibrateAdcRange,
  calibrateInputRange,
  type AdcCalibrationSettings,
} from './calibration';

export {
  ProgrammedTcam,
  TCAM_DONT_CARE,
  programTernaryCam,
  type TcamSearchOptions,
  type TcamSearchResult,
} from './tcam';

export {
  addOperationCounts,
  emptyOperationCounts,
  mergeOperationCounts,
  type OperationCounts,
} from './operation-counts';
export {
  ENERGY_MODEL_VERSION,
  adcConversionPj,
  chipEnergyPj,
  computeReductionVsStatic,
  dacConversionPj,
  reductionFraction,
  type ChipEnergyBreakdownPj,
} from './energy';
export {
  DEFAULT_ENERGY_PARAMETERS,
  ENERGY_PARAMETERS,
  sramAccessPj,
  type EnergyParameters,
} from './energy-parameters';
export { weightStationaryAccesses, type DataflowLayer } from './dataflow';
export {
  DIGITAL_BASELINE_NAMES,
  digitalWorkEnergyPj,
  sumDigitalBreakdowns,
  weightsFromDram,
  type DigitalAccelerator,
  type DigitalBaselineName,
  type DigitalEnergyBreakdownPj,
  type DigitalWork,
} from './digital-baseline';
