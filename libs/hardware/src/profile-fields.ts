import { DeviceProfileError } from './profile-error';

/**
 * Every field of a device profile, declared once: its type, unit, bounds and meaning. The
 * DeviceProfile type is read from this declaration (profile.ts), the parser walks it
 * (profile-parse.ts), the device knobs a run may set point into it (device-knobs.ts), and the
 * field table of the hardware README is generated from it (profile-table.ts).
 */

/**
 * The digital accelerators a chip's energy is compared with (the profile's `digitalBaseline.name`);
 * the energy library prices each one (its digital-baseline.ts says what each counts).
 */
export const DIGITAL_BASELINE_NAMES = [
  'int8-dataflow',
  'int8-mac-only',
  'int8-dram-weights',
  'ternary-digital',
] as const;

export type DigitalBaselineName = (typeof DIGITAL_BASELINE_NAMES)[number];

/** A number (or integer) in [min, max], or (min, max] when minExclusive. */
export interface NumberField {
  readonly kind: 'number';
  readonly integer?: boolean;
  readonly min: number;
  readonly max: number;
  readonly minExclusive?: boolean;
  /** null allowed (energy: exactly one of the two crossbar pricings is set). */
  readonly nullable?: boolean;
  readonly unit: string;
  readonly doc: string;
}

export interface ChoiceField {
  readonly kind: 'choice';
  readonly choices: readonly string[];
  readonly unit: string;
  readonly doc: string;
}

/**
 * A Gaussian conductance deviation as a fraction of the conductance window (G_LRS − G_HRS):
 * `{model: 'uniform', relativeStd}` (one sigma for every cell) or `{model: 'state-dependent',
 * lrsRelativeStd, hrsRelativeStd}` (one sigma per state); each relative std in `bounds`.
 */
export interface NoiseModelField {
  readonly kind: 'noise-model';
  readonly bounds: NumberField;
  readonly unit: string;
  readonly doc: string;
}

/** A cross-field rule of a group, checked once the field `after` has been read. */
export interface GroupCheck {
  readonly after: string;
  /** Throws a DeviceProfileError when `values` (the fields read so far) break the rule. */
  readonly check: (values: Readonly<Record<string, unknown>>) => void;
}

export interface GroupField {
  readonly kind: 'group';
  readonly fields: Readonly<Record<string, ProfileField>>;
  /** null allowed (drift: the technology shows none). */
  readonly nullable?: boolean;
  readonly checks?: readonly GroupCheck[];
  readonly doc: string;
}

/** The format version (a constant) and the profile's name. */
export interface VersionField {
  readonly kind: 'version';
  readonly value: 1;
  readonly doc: string;
}

export interface NameField {
  readonly kind: 'name';
  readonly doc: string;
}

export type ProfileField =
  NumberField | ChoiceField | NoiseModelField | GroupField | VersionField | NameField;

const MAX_CONDUCTANCE_US = 10_000;
const MAX_ENERGY_PJ = 1e6;
const MAX_RELATIVE_STD = 10;
const MAX_TIME_SECONDS = 1e12;

const conductance = (doc: string) =>
  ({ kind: 'number', min: 0, max: MAX_CONDUCTANCE_US, unit: 'µS', doc }) as const;
const relativeStd = (doc: string) =>
  ({ kind: 'number', min: 0, max: MAX_RELATIVE_STD, unit: '× window', doc }) as const;
const probability = (doc: string) =>
  ({ kind: 'number', min: 0, max: 1, unit: 'fraction of cells', doc }) as const;
const percentile = (doc: string) =>
  ({ kind: 'number', min: 0, max: 100, minExclusive: true, unit: '%', doc }) as const;
const energyPj = (doc: string) =>
  ({ kind: 'number', min: 0, max: MAX_ENERGY_PJ, unit: 'pJ', doc }) as const;
const nullableEnergyPj = (doc: string) => ({ ...energyPj(doc), nullable: true }) as const;
const bufferKb = (doc: string) =>
  ({ kind: 'number', min: 0, max: 1 << 20, minExclusive: true, unit: 'KB', doc }) as const;
const bits = (min: number, doc: string) =>
  ({ kind: 'number', integer: true, min, max: 16, unit: 'bits', doc }) as const;
const tileSize = (doc: string) =>
  ({ kind: 'number', integer: true, min: 1, max: 4096, unit: 'cells', doc }) as const;
const seconds = (doc: string) =>
  ({ kind: 'number', min: 0, max: MAX_TIME_SECONDS, minExclusive: true, unit: 's', doc }) as const;
const noiseModel = (doc: string) =>
  ({ kind: 'noise-model', bounds: relativeStd('relative std'), unit: '× window', doc }) as const;

/** `value` must be above `bound` (at least, when allowEqual); the check names both fields. */
function requireAbove(
  value: number,
  fieldPath: string,
  boundPath: string,
  bound: number,
  allowEqual: boolean,
): void {
  if (allowEqual ? value < bound : value <= bound) {
    const relation = allowEqual ? 'at least' : 'greater than';
    throw new DeviceProfileError(
      fieldPath,
      `must be ${relation} ${boundPath} (${bound}), got ${value}`,
    );
  }
}

/** The declaration, in the order fields are read and listed. */
export const PROFILE_FIELDS = {
  version: { kind: 'version', value: 1, doc: 'Format version of the profile.' },
  name: { kind: 'name', doc: 'Name a run refers to the profile by.' },
  conductance: {
    kind: 'group',
    doc: 'Conductances of the two programmed states.',
    fields: {
      hrsUs: conductance('High-resistance-state (OFF) conductance.'),
      lrsUs: conductance('Low-resistance-state (ON) conductance.'),
      maxUs: conductance('Physical ceiling: programmed conductances are clipped to [0, maxUs].'),
    },
    checks: [
      {
        after: 'maxUs',
        check: (v) => {
          const [hrsUs, lrsUs, maxUs] = [v['hrsUs'], v['lrsUs'], v['maxUs']] as number[];
          requireAbove(lrsUs, 'conductance.lrsUs', 'conductance.hrsUs', hrsUs, false);
          requireAbove(maxUs, 'conductance.maxUs', 'conductance.lrsUs', lrsUs, true);
        },
      },
    ],
  },
  programmingNoise: noiseModel(
    'Programming noise: the write-verify residual, drawn once per programmed array.',
  ),
  readNoise: noiseModel('Read noise: a fluctuation drawn anew at every read of a cell.'),
  stuckAtFaults: {
    kind: 'group',
    doc: 'Cells stuck at one state regardless of their target.',
    fields: {
      lrsRate: probability('Fraction of cells stuck at the low-resistance state.'),
      hrsRate: probability('Fraction of cells stuck at the high-resistance state.'),
    },
    checks: [
      {
        after: 'hrsRate',
        check: (v) => {
          const [lrsRate, hrsRate] = [v['lrsRate'], v['hrsRate']] as number[];
          if (lrsRate + hrsRate > 1) {
            throw new DeviceProfileError(
              'stuckAtFaults.hrsRate',
              `must not exceed 1 - stuckAtFaults.lrsRate (${1 - lrsRate}), got ${hrsRate}`,
            );
          }
        },
      },
    ],
  },
  drift: {
    kind: 'group',
    nullable: true,
    doc: 'Power-law conductance drift G(t) = G0 · (t / t0)^−ν at the read time; null: none.',
    fields: {
      nu: { kind: 'number', min: 0, max: 1, unit: '', doc: 'Drift exponent ν.' },
      referenceTimeSeconds: seconds('Time t0 after programming at which G = G0.'),
      readTimeSeconds: seconds('Time t after programming at which the array is read.'),
    },
    checks: [
      {
        after: 'readTimeSeconds',
        check: (v) =>
          requireAbove(
            v['readTimeSeconds'] as number,
            'drift.readTimeSeconds',
            'drift.referenceTimeSeconds',
            v['referenceTimeSeconds'] as number,
            true,
          ),
      },
    ],
  },
  tile: {
    kind: 'group',
    doc: 'Crossbar tile: one analog array with its periphery.',
    fields: {
      rows: tileSize(
        'Crossbar tile rows (inputs); they bound the partial sum each ADC conversion sees.',
      ),
      cols: tileSize('Crossbar tile columns (outputs).'),
    },
  },
  dac: {
    kind: 'group',
    doc: 'Input digital-to-analog converters.',
    fields: {
      bits: bits(1, 'DAC (input) resolution in bits.'),
      calibrationPercentile: percentile(
        'Percentile of |input| over calibration data that becomes the DAC input range.',
      ),
    },
  },
  adc: {
    kind: 'group',
    doc: 'Output analog-to-digital converters.',
    fields: {
      // Two bits is the smallest symmetric ADC with a zero level (levels -1, 0, +1 steps).
      bits: bits(2, 'ADC resolution in bits.'),
      rangePolicy: {
        kind: 'choice',
        choices: ['full-scale', 'calibrated'],
        unit: '',
        doc:
          "How each layer's ADC input range is chosen: 'full-scale' takes the largest partial " +
          "sum the tile can produce (never clips, coarse steps), 'calibrated' a percentile of " +
          '|partial sum| over calibration inputs (fine steps, rare clipping).',
      },
      calibrationPercentile: percentile(
        "Percentile of |tile partial sum| that sets the range under the 'calibrated' policy.",
      ),
      calibrationData: {
        kind: 'choice',
        choices: ['artifact', 'chip'],
        unit: '',
        doc:
          "What the DAC and ADC ranges are calibrated on: 'artifact', the noise-free ternary " +
          "network (one calibration per artifact and profile, shared by every chip); 'chip', the " +
          'programmed chip itself, its noisy weights included, as real chips calibrate after ' +
          'programming (one calibration pass over the calibration inputs per chip: a one-off at ' +
          'programming time, not charged per inference).',
      },
    },
  },
  tcam: {
    kind: 'group',
    doc: "The semantic memory's ternary CAM.",
    fields: {
      programmingNoise: noiseModel(
        "Programming deviation of the TCAM's 2T2R cells, drawn once per programmed TCAM.",
      ),
      senseNoiseRelativeStd: relativeStd(
        "TCAM sense-amplifier noise on a row's summed conductance, per search.",
      ),
    },
  },
  energy: {
    kind: 'group',
    doc:
      'Chip energy constants. The crossbar is priced at macro level (macroMacPj) or at ' +
      'component level (cellReadPjPerPulse with the ADC and DAC models), never both.',
    fields: {
      macroMacPj: nullableEnergyPj(
        'Macro level: energy of one MAC of a published macro including its periphery (null: component level).',
      ),
      cellReadPjPerPulse: nullableEnergyPj(
        "Component level: one weight's differential cell pair read by one input pulse (null: macro level).",
      ),
      adcPjPerBit: energyPj(
        'ADC energy per conversion, E_adc(b) = adcPjPerBit · b + adcPjPerLevel · 2^b: the per-bit term.',
      ),
      adcPjPerLevel: energyPj('ADC energy per conversion: the per-level term (see adcPjPerBit).'),
      dacPjPerBit: energyPj('DAC energy per input pulse; a b-bit input is b pulses.'),
      accumulatePj: energyPj(
        "One digital add of a tile's converted partial sum into its column's total.",
      ),
      activationBufferKb: bufferKb(
        'SRAM holding activations (operands fetched per DAC drive, outputs written).',
      ),
      camBitSearchPj: energyPj('One query bit compared against one stored bit.'),
      camReadoutBits: {
        kind: 'number',
        integer: true,
        min: 1,
        max: 16,
        unit: 'bits',
        doc: "Resolution of the match-line readout that turns a row's mismatch into a number.",
      },
      digitalOpPj: energyPj('One digital add, compare or max.'),
    },
    checks: [
      {
        after: 'cellReadPjPerPulse',
        check: (v) => {
          const [macro, cell] = [v['macroMacPj'], v['cellReadPjPerPulse']];
          // A macro-level figure already includes the array read, ADCs, DACs and shift-add:
          // adding the component energies on top would count the periphery twice.
          if (macro !== null && cell !== null) {
            throw new DeviceProfileError(
              'energy.macroMacPj',
              'and energy.cellReadPjPerPulse are both set: a macro-level energy per MAC already includes ' +
                'the cell reads and the ADC/DAC periphery; set one and make the other null',
            );
          }
          if (macro === null && cell === null) {
            throw new DeviceProfileError(
              'energy.macroMacPj',
              'and energy.cellReadPjPerPulse are both null: set one (macro level or component level)',
            );
          }
        },
      },
    ],
  },
  digitalBaseline: {
    kind: 'group',
    doc: 'The conventional digital accelerator results are compared with (digital-baseline.ts).',
    fields: {
      name: {
        kind: 'choice',
        choices: DIGITAL_BASELINE_NAMES,
        unit: '',
        doc: 'Digital accelerator the energy reductions are measured against.',
      },
      weightBufferKb: bufferKb(
        'SRAM holding the int8 (or ternary) weights; weights that do not fit stream from DRAM.',
      ),
    },
  },
} as const satisfies Readonly<Record<string, ProfileField>>;

/** The value a declared field holds in a profile. */
export type FieldValue<F> = F extends { readonly kind: 'number' }
  ? F extends { readonly nullable: true }
    ? number | null
    : number
  : F extends { readonly kind: 'choice'; readonly choices: readonly (infer C)[] }
    ? C
    : F extends { readonly kind: 'noise-model' }
      ? ConductanceNoiseModel
      : F extends { readonly kind: 'version'; readonly value: infer V }
        ? V
        : F extends { readonly kind: 'name' }
          ? string
          : F extends { readonly kind: 'group'; readonly fields: infer G }
            ? F extends { readonly nullable: true }
              ? GroupValue<G> | null
              : GroupValue<G>
            : never;

export type GroupValue<G> = { readonly [K in keyof G]: FieldValue<G[K]> };

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

/** The models a noise-model field allows, in the order error messages list them. */
export const NOISE_MODELS = ['uniform', 'state-dependent'] as const;
