/**
 * An analytical weight-stationary dataflow (the taxonomy of Chen, Emer and Sze, ISCA 2016): the
 * accesses one sample's pass through a conv or dense layer makes at each level of a digital
 * accelerator's memory hierarchy (DRAM, global buffer, inter-PE array, PE register file).
 *
 * The PE array holds a tile of peRows x peCols weights, one per PE. For each weight tile, every
 * output position streams through: the unrolled input operands of the tile's rows are read from the
 * buffer and delivered to the PEs of their row; each PE multiplies its stationary weight and adds
 * the product to the partial sum passed down its column; the sum leaving the column goes back to
 * the buffer (to be continued by the next row tile, or as the output).
 */

/** A conv or dense layer as the dataflow sees it (per sample). */
export interface DataflowLayer {
  /** Output positions: output pixels (or points) of a conv, 1 for a dense layer. */
  readonly positions: number;
  /** Inputs of one output value: kernel x kernel x input channels (dense: input features). */
  readonly rows: number;
  /** Output channels (dense: output features). */
  readonly cols: number;
}

export interface PeArrayShape {
  readonly peRows: number;
  readonly peCols: number;
}

/** Accesses of one sample through one layer, per level and per operand. */
export interface DataflowAccesses {
  readonly macs: number;
  /** Weights fetched from DRAM (0 when they stay in the on-chip weight buffer). */
  readonly weightDramReads: number;
  /** Each weight is read from the buffer once per pass and written into its PE's register file. */
  readonly weightBufferReads: number;
  readonly weightRegisterFileWrites: number;
  /** One read of the stationary weight per MAC. */
  readonly weightRegisterFileReads: number;
  /** Unrolled input operands read from the buffer, once per column tile (no convolutional reuse). */
  readonly inputBufferReads: number;
  /** Each MAC receives its input over the array and reads it from the PE's register. */
  readonly inputArrayTransfers: number;
  readonly inputRegisterFileReads: number;
  /** Partial sums passed from PE to PE down a column: rows - 1 hops per row tile and output. */
  readonly psumArrayTransfers: number;
  /** Partial sums read back to continue with the next row tile. */
  readonly psumBufferReads: number;
  /** Partial sums written after every row tile, the last one being the output value. */
  readonly psumBufferWrites: number;
}

function positiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`dataflow: ${name} must be a positive integer, got ${value}`);
  }
}

export function weightStationaryAccesses(
  layer: DataflowLayer,
  array: PeArrayShape,
  weightsFromDram: boolean,
): DataflowAccesses {
  const { positions, rows, cols } = layer;
  positiveInteger(positions, 'positions');
  positiveInteger(rows, 'rows');
  positiveInteger(cols, 'cols');
  positiveInteger(array.peRows, 'peRows');
  positiveInteger(array.peCols, 'peCols');
  const rowTiles = Math.ceil(rows / array.peRows);
  const colTiles = Math.ceil(cols / array.peCols);
  const weights = rows * cols;
  const macs = positions * weights;
  const outputs = positions * cols;
  return {
    macs,
    weightDramReads: weightsFromDram ? weights : 0,
    weightBufferReads: weights,
    weightRegisterFileWrites: weights,
    weightRegisterFileReads: macs,
    inputBufferReads: positions * rows * colTiles,
    inputArrayTransfers: macs,
    inputRegisterFileReads: macs,
    psumArrayTransfers: outputs * (rows - rowTiles),
    psumBufferReads: outputs * (rowTiles - 1),
    psumBufferWrites: outputs * rowTiles,
  };
}
