// The energy library's public face: what a pass costs on the chip and on the digital
// accelerators it is compared with (`npm run report:exports` counts it).
export {
  ENERGY_MODEL_VERSION,
  chipEnergyPj,
  reductionFraction,
  type ChipEnergyBreakdownPj,
} from './energy';
export { DEFAULT_ENERGY_PARAMETERS, type EnergyParameters } from './energy-parameters';
export { type DataflowLayer } from './dataflow';
export {
  digitalWorkEnergyPj,
  sumDigitalBreakdowns,
  weightsFromDram,
  type DigitalAccelerator,
  type DigitalEnergyBreakdownPj,
  type DigitalWork,
} from './digital-baseline';
