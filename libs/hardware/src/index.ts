// The hardware library's public face: what other libraries, the apps and the benches use of it
// (`npm run report:exports` counts it). Its own specs import from the files.
export { CounterRng } from './rng';

export type { ConductanceNoiseModel, DeviceProfile } from './profile';
export { DEFAULT_DEVICE_PROFILE } from './default-profile';
export { DeviceProfileError } from './profile-parse';
export { DIGITAL_BASELINE_NAMES, type DigitalBaselineName } from './profile-fields';
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

export { realizeEffectiveWeights, type ProgrammedArray } from './programming';

export { crossbarSettingsFromProfile } from './crossbar-settings';
export { crossbarMatMul, crossbarOperationCounts } from './crossbar';
export { adcMaxCode, dacMaxCode } from './quantizers';
export { calibrateAdcRange, calibrateInputRange } from './calibration';

export { ProgrammedTcam, programTernaryCam } from './tcam';

export { addOperationCounts, emptyOperationCounts, type OperationCounts } from './operation-counts';
