import type { DigitalBaselineName } from './digital-baseline';

/**
 * Device profile: the memristor technology, the crossbar and TCAM periphery and the energy
 * constants one simulated run assumes. Versioned so stored sweep results stay interpretable.
 * The default profile and the source of every value are in `default-profile.ts`.
 */

/**
 * Gaussian conductance deviation, expressed as a fraction of the conductance window
 * (G_LRS - G_HRS). 'uniform' uses one sigma for every cell (the sweep "noise level");
 * 'state-dependent' uses one sigma for cells in the low-resistance state and one for cells in the
 * high-resistance state.
 */
export type ConductanceNoiseModel =
  | { readonly model: 'uniform'; readonly relativeStd: number }
  | {
      readonly model: 'state-dependent';
      readonly lrsRelativeStd: number;
      readonly hrsRelativeStd: number;
    };

/** Power-law conductance drift G(t) = G0 * (t / t0)^-nu, evaluated at the read time. */
export interface DriftModel {
  readonly nu: number;
  readonly referenceTimeSeconds: number;
  readonly readTimeSeconds: number;
}

/**
 * How the ADC's input range R is chosen per layer: 'full-scale' takes the largest partial sum the
 * tile can produce (never clips, coarse steps); 'calibrated' takes a percentile of |partial sum|
 * over calibration inputs (fine steps, rare clipping).
 */
export type AdcRangePolicy = 'full-scale' | 'calibrated';

export interface DeviceProfile {
  readonly version: 1;
  readonly name: string;
  readonly conductance: {
    /** High-resistance-state (OFF) conductance, µS. */
    readonly hrsUs: number;
    /** Low-resistance-state (ON) conductance, µS. */
    readonly lrsUs: number;
    /** Physical ceiling: programmed conductances are clipped to [0, maxUs]. */
    readonly maxUs: number;
  };
  /** Write-verify residual, drawn once per programmed array. */
  readonly programmingNoise: ConductanceNoiseModel;
  /** Fluctuation drawn anew at every read. */
  readonly readNoise: ConductanceNoiseModel;
  /** Probability that a cell is stuck at LRS / at HRS regardless of its target. */
  readonly stuckAtFaults: { readonly lrsRate: number; readonly hrsRate: number };
  /** Long-term drift, or null when the technology shows none at the read time. */
  readonly drift: DriftModel | null;
  /** Crossbar tile (one analog array with its periphery): rows = inputs, cols = outputs. */
  readonly tile: { readonly rows: number; readonly cols: number };
  readonly dac: {
    readonly bits: number;
    /** Percentile of |input| over calibration data that becomes the DAC input range. */
    readonly calibrationPercentile: number;
  };
  readonly adc: {
    readonly bits: number;
    readonly rangePolicy: AdcRangePolicy;
    /** Percentile of |tile partial sum| used by the 'calibrated' policy. */
    readonly calibrationPercentile: number;
  };
  readonly tcam: {
    /** Programming deviation of the TCAM's 2T2R cells, drawn once per programmed TCAM. */
    readonly programmingNoise: ConductanceNoiseModel;
    /** Sense-amplifier noise on a row's summed conductance, as a fraction of one window. */
    readonly senseNoiseRelativeStd: number;
  };
  /**
   * Chip energy constants. The crossbar is priced either at macro level (`macroMacPj`: a
   * published macro's energy per MAC, its ADCs, DACs and shift-add included) or at component level
   * (`cellReadPjPerPulse` plus the ADC and DAC models below), never both: exactly one of the two
   * is a number, the other null.
   */
  readonly energy: {
    /** Macro level: energy of one MAC of a published macro including its periphery, pJ. */
    readonly macroMacPj: number | null;
    /** Component level: one weight's differential cell pair read by one input pulse, pJ. */
    readonly cellReadPjPerPulse: number | null;
    /** ADC energy per conversion: E_adc(b) = adcPjPerBit * b + adcPjPerLevel * 2^b, pJ. */
    readonly adcPjPerBit: number;
    readonly adcPjPerLevel: number;
    /** DAC energy per input pulse; an input of b bits is b pulses: E_dac(b) = b * dacPjPerBit. */
    readonly dacPjPerBit: number;
    /** One digital add of a tile's converted partial sum into its column's total, pJ. */
    readonly accumulatePj: number;
    /** SRAM holding activations (operands fetched per DAC drive, outputs written), KB. */
    readonly activationBufferKb: number;
    /** One query bit compared against one stored bit, pJ. */
    readonly camBitSearchPj: number;
    /** Resolution of the match-line readout that turns a row's mismatch into a number, bits. */
    readonly camReadoutBits: number;
    /** One digital add, compare or max, pJ. */
    readonly digitalOpPj: number;
  };
  /** The conventional digital accelerator results are compared with (see digital-baseline.ts). */
  readonly digitalBaseline: {
    readonly name: DigitalBaselineName;
    /** SRAM holding the int8 (or ternary) weights, KB; weights that do not fit stream from DRAM. */
    readonly weightBufferKb: number;
  };
}

/** Recursively optional view of a profile, for sweep overrides. */
export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
