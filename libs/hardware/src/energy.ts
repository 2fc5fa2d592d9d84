/**
 * Energy model: every component's energy is its operation count times a per-operation constant
 * from the device profile (sources in default-profile.ts).
 *
 *   CIM       cimMacs        * energy.cimMacPj
 *   ADC       adcConversions * (adcPjPerBit * adc.bits + adcPjPerLevel * 2^adc.bits)
 *   DAC       dacConversions * dac.bits * dacPjPerBit
 *   CAM       camBitSearches * camBitSearchPj
 *   digital   digitalOps     * digitalOpPj
 *
 * Digital baseline (the same static network on conventional hardware), per MAC:
 *   multiplyPj + accumulatePj + SRAM 64-bit read energy of the weight memory * weightBits / 64
 * plus digitalOps * digitalOpPj for the non-MAC work.
 */
import type { OperationCounts } from './operation-counts';
import type { DeviceProfile, WeightMemoryLevel } from './profile';

/** Horowitz, ISSCC 2014 (45 nm): energy of one 64-bit SRAM read, pJ, by array size. */
export const SRAM_READ_64_BIT_PJ: Readonly<Record<WeightMemoryLevel, number>> = Object.freeze({
  'sram-8kb': 10,
  'sram-32kb': 20,
  'sram-1mb': 100,
});

export interface EnergyBreakdownPj {
  readonly cimPj: number;
  readonly adcPj: number;
  readonly dacPj: number;
  readonly camPj: number;
  readonly digitalPj: number;
  readonly totalPj: number;
}

export interface DigitalBaselineEnergyPj {
  readonly multiplyPj: number;
  readonly accumulatePj: number;
  readonly weightFetchPj: number;
  readonly digitalOpsPj: number;
  readonly totalPj: number;
}

/** Energy of one ADC conversion at `bits` (default: the profile's ADC). */
export function adcConversionPj(profile: DeviceProfile, bits = profile.adc.bits): number {
  const { adcPjPerBit, adcPjPerLevel } = profile.energy;
  return adcPjPerBit * bits + adcPjPerLevel * 2 ** bits;
}

/** Energy of one DAC conversion at `bits` (default: the profile's DAC). */
export function dacConversionPj(profile: DeviceProfile, bits = profile.dac.bits): number {
  return bits * profile.energy.dacPjPerBit;
}

export function energyPj(
  counts: Readonly<OperationCounts>,
  profile: DeviceProfile,
): EnergyBreakdownPj {
  const cimPj = counts.cimMacs * profile.energy.cimMacPj;
  const adcPj = counts.adcConversions * adcConversionPj(profile);
  const dacPj = counts.dacConversions * dacConversionPj(profile);
  const camPj = counts.camBitSearches * profile.energy.camBitSearchPj;
  const digitalPj = counts.digitalOps * profile.energy.digitalOpPj;
  return {
    cimPj,
    adcPj,
    dacPj,
    camPj,
    digitalPj,
    totalPj: cimPj + adcPj + dacPj + camPj + digitalPj,
  };
}

/** Weight fetch energy per MAC of the digital baseline. */
export function digitalWeightFetchPj(profile: DeviceProfile): number {
  const { weightMemory, weightBits } = profile.digitalBaseline;
  return (SRAM_READ_64_BIT_PJ[weightMemory] * weightBits) / 64;
}

/** Energy per MAC of the digital baseline: multiply + accumulate + weight fetch. */
export function digitalBaselineMacPj(profile: DeviceProfile): number {
  const { multiplyPj, accumulatePj } = profile.digitalBaseline;
  return multiplyPj + accumulatePj + digitalWeightFetchPj(profile);
}

/** The static network on digital hardware: `macs` MACs plus `digitalOps` other operations. */
export function digitalBaselineEnergyPj(
  macs: number,
  digitalOps: number,
  profile: DeviceProfile,
): DigitalBaselineEnergyPj {
  const multiplyPj = macs * profile.digitalBaseline.multiplyPj;
  const accumulatePj = macs * profile.digitalBaseline.accumulatePj;
  const weightFetchPj = macs * digitalWeightFetchPj(profile);
  const digitalOpsPj = digitalOps * profile.energy.digitalOpPj;
  return {
    multiplyPj,
    accumulatePj,
    weightFetchPj,
    digitalOpsPj,
    totalPj: multiplyPj + accumulatePj + weightFetchPj + digitalOpsPj,
  };
}

/** 1 - value / reference: the fraction saved relative to the reference. */
export function reductionFraction(value: number, reference: number): number {
  if (!(reference > 0)) {
    throw new RangeError(`reductionFraction: reference must be > 0, got ${reference}`);
  }
  return 1 - value / reference;
}

/** Energy saved by the dynamic network on memristor hardware vs the static network on digital. */
export function energyReductionVsDigital(dynamicEnergyPj: number, digitalEnergyPj: number): number {
  return reductionFraction(dynamicEnergyPj, digitalEnergyPj);
}

/** MACs saved by the dynamic network (early exits) vs the static network. */
export function computeReductionVsStatic(dynamicMacs: number, staticMacs: number): number {
  return reductionFraction(dynamicMacs, staticMacs);
}
