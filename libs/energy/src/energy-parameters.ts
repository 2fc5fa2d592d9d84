/**
 * The constants of the digital baselines and of the SRAM buffers both sides share, each declared
 * once with its value, unit, meaning and source (in the style of aihwkit's parameter dataclasses).
 * `docs/energy-model.md` lists the same table; a test checks that every entry appears there with
 * its value.
 */

export interface ParameterDeclaration {
  readonly value: number;
  readonly unit: string;
  readonly doc: string;
  /** Publication with figure/table, or "assumption: ..." with the reason. */
  readonly source: string;
}

const HOROWITZ = 'Horowitz, "Computing\'s energy problem", ISSCC 2014, Fig. 1.1.9 (45 nm, 0.9 V)';
const EYERISS_TABLE =
  'Chen, Emer, Sze, "Eyeriss: a spatial architecture for energy-efficient dataflow for CNNs", ISCA 2016, table "Normalized energy cost relative to a MAC operation extracted from a commercial 65nm process"';

export const ENERGY_PARAMETERS = {
  int8MultiplyPj: {
    value: 0.2,
    unit: 'pJ',
    doc: 'one 8-bit integer multiply',
    source: HOROWITZ,
  },
  int32AddPj: {
    value: 0.1,
    unit: 'pJ',
    doc: 'one 32-bit integer add (the accumulator of an int8 MAC; the ternary datapath add/subtract)',
    source: HOROWITZ,
  },
  int8AddPj: {
    value: 0.03,
    unit: 'pJ',
    doc: 'one 8-bit integer add (one byte of a digital semantic-memory search: XOR + popcount)',
    source: HOROWITZ,
  },
  registerFileAccessPerMac: {
    value: 1,
    unit: 'x MAC energy',
    doc: 'one register-file (0.5 kB) access of one operand',
    source: EYERISS_TABLE,
  },
  arrayAccessPerMac: {
    value: 2,
    unit: 'x MAC energy',
    doc: 'one operand moved between processing elements (inter-PE network)',
    source: EYERISS_TABLE,
  },
  bufferAccessPerMac: {
    value: 6,
    unit: 'x MAC energy',
    doc: 'one operand read or written in the global buffer, at the anchor size below',
    source: EYERISS_TABLE,
  },
  dramAccessPerMac: {
    value: 200,
    unit: 'x MAC energy',
    doc: 'one operand read from or written to DRAM',
    source: EYERISS_TABLE,
  },
  bufferAnchorKb: {
    value: 108,
    unit: 'KB',
    doc: 'buffer size at which bufferAccessPerMac holds; other sizes scale with the Horowitz SRAM curve',
    source:
      'Chen et al., "Eyeriss: an energy-efficient reconfigurable accelerator for deep CNNs", IEEE JSSC 52(1), 2017: the chip\'s 108 KB global buffer (the table gives ">100 kB")',
  },
  peRows: {
    value: 16,
    unit: 'PEs',
    doc: 'rows of the weight-stationary PE array (input rows of a weight tile)',
    source: 'assumption: 256 PEs, the array size of the Eyeriss ISCA 2016 dataflow comparison',
  },
  peCols: {
    value: 16,
    unit: 'PEs',
    doc: 'columns of the weight-stationary PE array (output columns of a weight tile)',
    source: 'assumption: as peRows',
  },
  int8WeightBits: {
    value: 8,
    unit: 'bit',
    doc: 'stored width of an int8 baseline weight; one access of it is one operand access',
    source: 'assumption: int8 inference (the multiply above is 8-bit)',
  },
  ternaryWeightBits: {
    value: 2,
    unit: 'bit',
    doc: 'stored width of a ternary weight; its accesses cost 2/8 of an int8 operand access',
    source: 'assumption: storage energy proportional to the bits moved',
  },
} as const satisfies Record<string, ParameterDeclaration>;

export type EnergyParameterName = keyof typeof ENERGY_PARAMETERS;

/** The values of ENERGY_PARAMETERS (the defaults), or a variant for a sensitivity study. */
export type EnergyParameters = { readonly [K in EnergyParameterName]: number };

export const DEFAULT_ENERGY_PARAMETERS: EnergyParameters = Object.freeze(
  Object.fromEntries(
    Object.entries(ENERGY_PARAMETERS).map(([name, declaration]) => [name, declaration.value]),
  ) as Record<EnergyParameterName, number>,
);

/** Energy of one int8 MAC (multiply + 32-bit accumulate): the unit of the Eyeriss ratios. */
export function int8MacPj(parameters: EnergyParameters = DEFAULT_ENERGY_PARAMETERS): number {
  return parameters.int8MultiplyPj + parameters.int32AddPj;
}

/**
 * Horowitz ISSCC 2014, Fig. 1.1.9: a 64-bit SRAM read costs 10 / 20 / 100 pJ from 8 KB / 32 KB /
 * 1 MB. Only the shape of this curve is used (how access energy grows with size).
 */
const HOROWITZ_SRAM_READ_64_BIT: readonly (readonly [kb: number, pj: number])[] = [
  [8, 10],
  [32, 20],
  [1024, 100],
];

/**
 * The Horowitz SRAM curve at `sizeKb`: log-log interpolation between its points, extrapolated
 * beyond them with the slope of the nearest segment.
 */
export function horowitzSramReadPj(sizeKb: number): number {
  if (!(sizeKb > 0)) throw new RangeError(`SRAM size must be > 0 KB, got ${sizeKb}`);
  const points = HOROWITZ_SRAM_READ_64_BIT;
  let i = 0;
  while (i < points.length - 2 && sizeKb > points[i + 1][0]) i++;
  const [kb0, pj0] = points[i];
  const [kb1, pj1] = points[i + 1];
  const slope = Math.log(pj1 / pj0) / Math.log(kb1 / kb0);
  return pj0 * (sizeKb / kb0) ** slope;
}

/**
 * Energy of one operand access to an SRAM buffer of `sizeKb`: the Eyeriss buffer cost at its
 * anchor size, scaled by how the Horowitz curve grows from the anchor to `sizeKb`.
 */
export function sramAccessPj(
  sizeKb: number,
  parameters: EnergyParameters = DEFAULT_ENERGY_PARAMETERS,
): number {
  const scale = horowitzSramReadPj(sizeKb) / horowitzSramReadPj(parameters.bufferAnchorKb);
  return parameters.bufferAccessPerMac * int8MacPj(parameters) * scale;
}
