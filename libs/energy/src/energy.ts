/**
 * Chip energy: every component's energy is its operation count times a per-operation constant
 * from the device profile (sources in default-profile.ts and docs/energy-model.md). With p pulses
 * per input (one per DAC bit):
 *
 *   crossbar array   component level: cimMacs * p * cellReadPjPerPulse
 *                    macro level:     cimMacs * macroMacPj (ADC, DAC and shift-add included)
 *   ADC              adcConversions * (adcPjPerBit * adc.bits + adcPjPerLevel * 2^adc.bits)  [component]
 *   DAC              dacConversions * p * dacPjPerBit                                         [component]
 *   accumulate       accumulateOps * accumulatePj
 *   activation SRAM  (activationReads + activationWrites) * SRAM access at activationBufferKb
 *   digital          digitalOps * digitalOpPj
 *   point sampling   pointSamplingOps * digitalOpPj (farthest point sampling, ball query)
 *   TCAM search      camBitSearches * camBitSearchPj
 *   TCAM readout     camRowReadouts * ADC energy at camReadoutBits
 */
import type { DeviceProfile, OperationCounts } from '@engram/hardware';
import { DEFAULT_ENERGY_PARAMETERS, EnergyParameters, sramAccessPj } from './energy-parameters';

/** Version of the energy model that produced a result (stored with it). */
export const ENERGY_MODEL_VERSION = 2;

export interface ChipEnergyBreakdownPj {
  /** Cell reads (component level) or the macro's whole energy per MAC (macro level). */
  readonly crossbarArrayPj: number;
  readonly adcPj: number;
  readonly dacPj: number;
  readonly accumulatePj: number;
  readonly activationBufferPj: number;
  readonly digitalPj: number;
  readonly pointSamplingPj: number;
  readonly camSearchPj: number;
  readonly camReadoutPj: number;
  readonly totalPj: number;
}

/** Energy of one ADC conversion at `bits` (default: the profile's ADC). */
export function adcConversionPj(profile: DeviceProfile, bits = profile.adc.bits): number {
  const { adcPjPerBit, adcPjPerLevel } = profile.energy;
  return adcPjPerBit * bits + adcPjPerLevel * 2 ** bits;
}

/** Energy of one DAC conversion of a `bits`-bit input (default: the profile's DAC). */
export function dacConversionPj(profile: DeviceProfile, bits = profile.dac.bits): number {
  return bits * profile.energy.dacPjPerBit;
}

export function chipEnergyPj(
  counts: Readonly<OperationCounts>,
  profile: DeviceProfile,
  parameters: EnergyParameters = DEFAULT_ENERGY_PARAMETERS,
): ChipEnergyBreakdownPj {
  const { energy } = profile;
  const pulses = profile.dac.bits;
  const macroLevel = energy.macroMacPj !== null;
  const crossbarArrayPj =
    energy.macroMacPj !== null
      ? counts.cimMacs * energy.macroMacPj
      : counts.cimMacs * pulses * (energy.cellReadPjPerPulse ?? 0);
  const adcPj = macroLevel ? 0 : counts.adcConversions * adcConversionPj(profile);
  const dacPj = macroLevel ? 0 : counts.dacConversions * dacConversionPj(profile);
  const accumulatePj = counts.accumulateOps * energy.accumulatePj;
  const activationBufferPj =
    (counts.activationReads + counts.activationWrites) *
    sramAccessPj(energy.activationBufferKb, parameters);
  const digitalPj = counts.digitalOps * energy.digitalOpPj;
  const pointSamplingPj = counts.pointSamplingOps * energy.digitalOpPj;
  const camSearchPj = counts.camBitSearches * energy.camBitSearchPj;
  const camReadoutPj = counts.camRowReadouts * adcConversionPj(profile, energy.camReadoutBits);
  return {
    crossbarArrayPj,
    adcPj,
    dacPj,
    accumulatePj,
    activationBufferPj,
    digitalPj,
    pointSamplingPj,
    camSearchPj,
    camReadoutPj,
    totalPj:
      crossbarArrayPj +
      adcPj +
      dacPj +
      accumulatePj +
      activationBufferPj +
      digitalPj +
      pointSamplingPj +
      camSearchPj +
      camReadoutPj,
  };
}

/** 1 - value / reference: the fraction saved relative to the reference. */
export function reductionFraction(value: number, reference: number): number {
  if (!(reference > 0)) {
    throw new RangeError(`reductionFraction: reference must be > 0, got ${reference}`);
  }
  return 1 - value / reference;
}

/** MACs saved by the dynamic network (early exits) vs the static network. */
export function computeReductionVsStatic(dynamicMacs: number, staticMacs: number): number {
  return reductionFraction(dynamicMacs, staticMacs);
}
