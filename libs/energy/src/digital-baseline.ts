/**
 * Digital baselines: the same network (static, or with the chip's early exits) on a conventional
 * digital accelerator, priced from the weight-stationary access counts of every layer.
 */
import type { DigitalBaselineName } from '@engram/hardware';
import { DataflowAccesses, DataflowLayer, weightStationaryAccesses } from './dataflow';
import {
  DEFAULT_ENERGY_PARAMETERS,
  EnergyParameters,
  int8MacPj,
  sramAccessPj,
} from './energy-parameters';

/**
 * The digital accelerator one baseline runs on. The baselines (`DIGITAL_BASELINE_NAMES`, declared
 * with the device profile's field `digitalBaseline.name`):
 * - `int8-dataflow` (default): int8 weight-stationary accelerator; weights stay in the weight
 *   buffer when the network fits (else they stream from DRAM), activations in the activation buffer.
 * - `int8-mac-only`: only the int8 MACs and the non-MAC digital work, as if every operand came for
 *   free (perfect reuse): the most favourable digital case.
 * - `int8-dram-weights`: `int8-dataflow` with every weight read from DRAM at every inference.
 * - `ternary-digital`: `int8-dataflow` with 2-bit ternary weights and an add/subtract datapath.
 */
export interface DigitalAccelerator {
  readonly baseline: DigitalBaselineName;
  /** SRAM holding the weights, KB. */
  readonly weightBufferKb: number;
  /** SRAM holding activations and partial sums, KB. */
  readonly activationBufferKb: number;
  /** Weights of the whole network (every layer, exits included): decides if they fit on chip. */
  readonly networkWeights: number;
}

/** Digital work of one piece of the network for one sample. */
export interface DigitalWork {
  readonly layers: readonly DataflowLayer[];
  /** Non-MAC operations: batch norm, ReLU, pooling, residual adds, exit decisions. */
  readonly digitalOps: number;
  /** Farthest point sampling and ball query operations (PointNet++). */
  readonly pointSamplingOps: number;
  /** Bits compared by a digital semantic-memory search (the chip's TCAM bit searches). */
  readonly memoryBitSearches: number;
}

export interface DigitalEnergyBreakdownPj {
  readonly macPj: number;
  readonly registerFilePj: number;
  readonly arrayPj: number;
  readonly bufferPj: number;
  readonly dramPj: number;
  readonly digitalOpsPj: number;
  readonly pointSamplingPj: number;
  readonly searchPj: number;
  readonly totalPj: number;
}

const ZERO_BREAKDOWN: DigitalEnergyBreakdownPj = Object.freeze({
  macPj: 0,
  registerFilePj: 0,
  arrayPj: 0,
  bufferPj: 0,
  dramPj: 0,
  digitalOpsPj: 0,
  pointSamplingPj: 0,
  searchPj: 0,
  totalPj: 0,
});

function weightBits(baseline: DigitalBaselineName, parameters: EnergyParameters): number {
  return baseline === 'ternary-digital' ? parameters.ternaryWeightBits : parameters.int8WeightBits;
}

/** Whether the baseline reads its weights from DRAM at every inference. */
export function weightsFromDram(
  accelerator: DigitalAccelerator,
  parameters: EnergyParameters = DEFAULT_ENERGY_PARAMETERS,
): boolean {
  if (accelerator.baseline === 'int8-mac-only') return false;
  if (accelerator.baseline === 'int8-dram-weights') return true;
  const weightBytes =
    (accelerator.networkWeights * weightBits(accelerator.baseline, parameters)) / 8;
  return weightBytes > accelerator.weightBufferKb * 1024;
}

/** Energy of one layer's accesses on `accelerator` (MACs and data movement only). */
export function dataflowLayerEnergyPj(
  accesses: DataflowAccesses,
  accelerator: DigitalAccelerator,
  parameters: EnergyParameters = DEFAULT_ENERGY_PARAMETERS,
): DigitalEnergyBreakdownPj {
  const { baseline } = accelerator;
  const macPj =
    accesses.macs *
    (baseline === 'ternary-digital' ? parameters.int32AddPj : int8MacPj(parameters));
  if (baseline === 'int8-mac-only') return { ...ZERO_BREAKDOWN, macPj, totalPj: macPj };
  const unitPj = int8MacPj(parameters);
  // A weight access moves weightBits / int8WeightBits of an int8 operand.
  const weightShare = weightBits(baseline, parameters) / parameters.int8WeightBits;
  const registerFilePj =
    parameters.registerFileAccessPerMac *
    unitPj *
    ((accesses.weightRegisterFileReads + accesses.weightRegisterFileWrites) * weightShare +
      accesses.inputRegisterFileReads);
  const arrayPj =
    parameters.arrayAccessPerMac *
    unitPj *
    (accesses.inputArrayTransfers + accesses.psumArrayTransfers);
  const bufferPj =
    accesses.weightBufferReads *
      weightShare *
      sramAccessPj(accelerator.weightBufferKb, parameters) +
    (accesses.inputBufferReads + accesses.psumBufferReads + accesses.psumBufferWrites) *
      sramAccessPj(accelerator.activationBufferKb, parameters);
  const dramPj = accesses.weightDramReads * weightShare * parameters.dramAccessPerMac * unitPj;
  return {
    ...ZERO_BREAKDOWN,
    macPj,
    registerFilePj,
    arrayPj,
    bufferPj,
    dramPj,
    totalPj: macPj + registerFilePj + arrayPj + bufferPj + dramPj,
  };
}

/**
 * Energy of one sample through `work` on the baseline: every layer through the weight-stationary
 * dataflow, the non-MAC work (point sampling included) as 32-bit adds, and a semantic-memory search (if any) as one byte
 * read from the activation buffer and one 8-bit add (XOR + popcount) per 8 bits compared.
 */
export function digitalWorkEnergyPj(
  work: DigitalWork,
  accelerator: DigitalAccelerator,
  parameters: EnergyParameters = DEFAULT_ENERGY_PARAMETERS,
): DigitalEnergyBreakdownPj {
  const array = { peRows: parameters.peRows, peCols: parameters.peCols };
  const fromDram = weightsFromDram(accelerator, parameters);
  const layers = work.layers.map((layer) =>
    dataflowLayerEnergyPj(
      weightStationaryAccesses(layer, array, fromDram),
      accelerator,
      parameters,
    ),
  );
  const digitalOpsPj = work.digitalOps * parameters.int32AddPj;
  const pointSamplingPj = work.pointSamplingOps * parameters.int32AddPj;
  const searchBytes = work.memoryBitSearches / 8;
  const searchPj =
    accelerator.baseline === 'int8-mac-only'
      ? searchBytes * parameters.int8AddPj
      : searchBytes *
        (parameters.int8AddPj + sramAccessPj(accelerator.activationBufferKb, parameters));
  return sumDigitalBreakdowns([
    ...layers,
    {
      ...ZERO_BREAKDOWN,
      digitalOpsPj,
      pointSamplingPj,
      searchPj,
      totalPj: digitalOpsPj + pointSamplingPj + searchPj,
    },
  ]);
}

/** Component-wise sum of breakdowns, each optionally weighted (e.g. by samples). */
export function sumDigitalBreakdowns(
  parts: readonly DigitalEnergyBreakdownPj[],
  weights?: readonly number[],
): DigitalEnergyBreakdownPj {
  const total: Record<keyof DigitalEnergyBreakdownPj, number> = { ...ZERO_BREAKDOWN };
  parts.forEach((part, i) => {
    const weight = weights?.[i] ?? 1;
    for (const key of Object.keys(total) as (keyof DigitalEnergyBreakdownPj)[]) {
      total[key] += part[key] * weight;
    }
  });
  return total;
}
