import { DeviceProfile, ProgrammedArray, adcMaxCode, dacMaxCode } from '@engram/hardware';
import { WeightLayer, layerRows } from '@engram/models';
import { rowTileRanges } from '@engram/evaluation';
import type { LayerRanges } from '@engram/evaluation';
import { GraphBuilder } from './graph-builder';

/**
 * How a multi-tile conv layer computes its row tiles' partial sums. Rows are in (kh, kw, in)
 * order, so a tile is a contiguous range of kernel positions (a boundary may split one position's
 * channels). Convs read the layer's (unpadded) DAC codes with their own padding where they can:
 * - 'bbox' (default): one conv per tile over the bounding rectangle of its kernel positions, grown
 *   until its padding is valid, zero weights on the other tiles' rows: no copies, 1 to 2.3 x the
 *   real MACs for 3 x 3 kernels;
 * - 'grown-rect': the tile's positions as at most three rectangles, each grown likewise: no
 *   copies, one conv per rectangle;
 * - 'rect': the exact rectangles (the real MACs); those that cannot pad themselves run on crops of
 *   the padded input (copies);
 * - 'masked': one full k x k conv per tile with the other tiles' rows zeroed (T x the MACs).
 * Single-tile convs are one conv either way; dense layers are a slice and a MatMul per tile.
 */
export type TileStrategy = 'bbox' | 'rect' | 'grown-rect' | 'masked';

/** Where a conv layer's rows meet the kernel: rectangle of kernel positions and channel range. */
interface KernelRect {
  ky: number;
  kx: number;
  height: number;
  width: number;
  /** Channels [c0, c1) of the rectangle's positions that belong to the tile. */
  c0: number;
  c1: number;
}

/** Row range [start, end) of a k x k x C conv as kernel rectangles (see TileStrategy). */
export function kernelRects(
  start: number,
  end: number,
  kernel: number,
  channels: number,
): KernelRect[] {
  const first = Math.floor(start / channels);
  const last = Math.floor((end - 1) / channels);
  const rects: KernelRect[] = [];
  // Kernel positions whose channels are split by a tile boundary stand alone (1 x 1).
  let from = first;
  let to = last;
  if (start % channels !== 0 || (first === last && end - start < channels)) {
    const c1 = first === last ? end - first * channels : channels;
    rects.push(positionRect(first, kernel, start - first * channels, c1));
    from = first + 1;
  }
  let tail: KernelRect | null = null;
  if (to >= from && end % channels !== 0) {
    tail = positionRect(last, kernel, 0, end - last * channels);
    to = last - 1;
  }
  // Whole positions from..to (raster order): partial first row, full rows, partial last row.
  let p = from;
  while (p <= to) {
    const ky = Math.floor(p / kernel);
    const kx = p % kernel;
    if (kx === 0 && to - p + 1 >= kernel) {
      const rows = Math.floor((to - p + 1) / kernel);
      rects.push({ ky, kx: 0, height: rows, width: kernel, c0: 0, c1: channels });
      p += rows * kernel;
    } else {
      const width = Math.min(kernel - kx, to - p + 1);
      rects.push({ ky, kx, height: 1, width, c0: 0, c1: channels });
      p += width;
    }
  }
  if (tail) rects.push(tail);
  return rects;
}

function positionRect(position: number, kernel: number, c0: number, c1: number): KernelRect {
  return {
    ky: Math.floor(position / kernel),
    kx: position % kernel,
    height: 1,
    width: 1,
    c0,
    c1,
  };
}

/** TensorFlow 'same' padding of a conv layer: [top, left, bottom, right]. */
export function samePadding(layer: WeightLayer): [number, number, number, number] {
  const pad = (input: number, output: number): [number, number] => {
    const total = Math.max((output - 1) * layer.stride + layer.kernel - input, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  };
  const [top, bottom] = pad(layer.inHeight, layer.outHeight);
  const [left, right] = pad(layer.inWidth, layer.outWidth);
  return [top, left, bottom, right];
}

export type ReadNoiseMode = 'none' | 'column' | 'cell';

/**
 * One weight layer as programmed for a run, in the units the graph computes in: inputs as DAC
 * codes, partial sums as ADC codes (so the DAC step and the ADC step are folded into the
 * weights, and the ADC step and the batch norm into one output affine).
 */
export interface CrossbarLayerProgram {
  layer: WeightLayer;
  tiles: [number, number][];
  dacStep: number;
  dacLow: number;
  dacHigh: number;
  adcMax: number;
  /** ADC step of each tile (range / max code). */
  adcSteps: number[];
  /** Effective weights [rows][out]. */
  weights: Float32Array;
  noise: ReadNoiseMode;
  /** Per-column variance (column mode) or per-cell variance (cell mode), weight units squared. */
  variance: Float32Array | null;
  /** Digital affine after the tile sum: batch norm (scale, shift), or 1 and the classifier bias. */
  scale: Float32Array;
  shift: Float32Array;
}

function maxAbs(values: Float32Array): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** The layer's program from the chip's programmed array, its calibration and the profile. */
export function crossbarLayerProgram(
  layer: WeightLayer,
  array: ProgrammedArray,
  ranges: LayerRanges,
  profile: DeviceProfile,
  readNoise: boolean,
  scale: Float32Array,
  shift: Float32Array,
): CrossbarLayerProgram {
  const tiles = rowTileRanges(layer, profile.tile.rows);
  const dacMax = dacMaxCode(profile.dac.bits, ranges.inputSigned);
  const adcMax = adcMaxCode(profile.adc.bits);
  const wMax = maxAbs(array.effectiveWeights);
  const adcSteps = tiles.map(
    ([start, end]) =>
      (profile.adc.rangePolicy === 'calibrated'
        ? ranges.adcRange
        : (end - start) * ranges.inputRange * wMax) / adcMax,
  );
  const column = readNoise ? (array.readNoiseColumnVariance ?? null) : null;
  const noise: ReadNoiseMode = !readNoise ? 'none' : column ? 'column' : 'cell';
  return {
    layer,
    tiles,
    dacStep: ranges.inputRange / dacMax,
    dacLow: ranges.inputSigned ? -dacMax : 0,
    dacHigh: dacMax,
    adcMax,
    adcSteps,
    weights: array.effectiveWeights,
    noise,
    variance: noise === 'column' ? column : noise === 'cell' ? array.readNoiseVariance : null,
    scale,
    shift,
  };
}

/**
 * Per-run numbers of a graph: embedded as initializers (a session per run) or declared as graph
 * inputs and fed at every run (one session per graph structure, cached).
 */
export class GraphParams {
  /** Values of the inputs-mode parameters, by input name. */
  readonly feeds = new Map<string, { values: Float32Array; dims: number[] }>();

  constructor(
    private readonly g: GraphBuilder,
    readonly mode: 'initializers' | 'inputs',
  ) {}

  tensor(name: string, values: Float32Array, dims: number[]): string {
    if (this.mode === 'initializers') return this.g.initializer(name, values, dims);
    this.feeds.set(name, { values, dims });
    return this.g.input(name, dims);
  }

  scalar(name: string, value: number): string {
    return this.tensor(name, Float32Array.of(value), []);
  }
}

/** Names of the read-noise inputs of a layer, one per row tile. */
export function noiseInputNames(layer: WeightLayer, tiles: number): string[] {
  return Array.from({ length: tiles }, (_, t) => `${layer.name}.z${t}`);
}

/** Output dims of a layer per sample, in the graph's layout (conv NCHW, dense [out]). */
export function layerOutputDims(layer: WeightLayer): number[] {
  return layer.kind === 'conv'
    ? [layer.outChannels, layer.outHeight, layer.outWidth]
    : [layer.outChannels];
}

/**
 * Kernel [out, C, h, w] of conv rectangle `rect` holding the rows of `tile` (a rectangle inside
 * it; the rest is zero) from rows [r][out] times `factor`.
 */
function rectKernel(
  layer: WeightLayer,
  matrix: Float32Array,
  columns: number,
  rect: KernelRect,
  tile: KernelRect,
  factor: number,
): Float32Array {
  const { kernel, inChannels: channels } = layer;
  const out = new Float32Array(columns * channels * rect.height * rect.width);
  for (let dy = 0; dy < rect.height; dy++) {
    for (let dx = 0; dx < rect.width; dx++) {
      const ky = rect.ky + dy;
      const kx = rect.kx + dx;
      if (ky < tile.ky || ky >= tile.ky + tile.height) continue;
      if (kx < tile.kx || kx >= tile.kx + tile.width) continue;
      const position = ky * kernel + kx;
      for (let c = tile.c0; c < tile.c1; c++) {
        const row = position * channels + c;
        for (let o = 0; o < columns; o++) {
          out[((o * channels + c) * rect.height + dy) * rect.width + dx] =
            matrix[row * columns + o] * factor;
        }
      }
    }
  }
  return out;
}

/**
 * Kernel [out, C, h, w] of conv rectangle `rect` holding rows [start, end) of `matrix` (all of
 * whose kernel positions lie in `rect`) times `factor`, zero elsewhere.
 */
function rowsKernel(
  layer: WeightLayer,
  matrix: Float32Array,
  columns: number,
  start: number,
  end: number,
  rect: KernelRect,
  factor: number,
): Float32Array {
  const { kernel, inChannels: channels } = layer;
  const out = new Float32Array(columns * channels * rect.height * rect.width);
  for (let row = start; row < end; row++) {
    const position = Math.floor(row / channels);
    const c = row % channels;
    const dy = Math.floor(position / kernel) - rect.ky;
    const dx = (position % kernel) - rect.kx;
    for (let o = 0; o < columns; o++) {
      out[((o * channels + c) * rect.height + dy) * rect.width + dx] =
        matrix[row * columns + o] * factor;
    }
  }
  return out;
}

/** The smallest rectangle of kernel positions holding rows [start, end). */
function boundingRect(start: number, end: number, kernel: number, channels: number): KernelRect {
  const first = Math.floor(start / channels);
  const last = Math.floor((end - 1) / channels);
  const ky = Math.floor(first / kernel);
  const yEnd = Math.floor(last / kernel) + 1;
  const oneRow = yEnd - ky === 1;
  const kx = oneRow ? first % kernel : 0;
  const xEnd = oneRow ? (last % kernel) + 1 : kernel;
  return { ky, kx, height: yEnd - ky, width: xEnd - kx, c0: 0, c1: channels };
}

function scaledRows(
  matrix: Float32Array,
  columns: number,
  start: number,
  end: number,
  factor: number,
): Float32Array {
  const out = matrix.slice(start * columns, end * columns);
  for (let i = 0; i < out.length; i++) out[i] *= factor;
  return out;
}

/**
 * Emits a conv layer's "rows x matrix" product for one tile: sum over the tile's kernel
 * rectangles (or one masked conv) of conv(input codes, kernel). `matrix` is [rows][columns]:
 * the weights, the per-cell variances, or ones (columns = 1) for sum-of-squares.
 */
class ConvTileEmitter {
  private readonly pads: [number, number, number, number];
  private padded: string | null = null;
  private readonly crops = new Map<string, string>();
  private readonly channelSlices = new Map<string, string>();

  /**
   * @param pointwiseSlices a 1x1 conv's tile (a channel range) reads its channels' slice of the
   * input with a kernel of its own rows only (the real MACs, one copy of the slice), instead of
   * the strategy's zero-padded kernel over every channel (opt-in; the strategy's 'masked' keeps
   * its definition).
   */
  constructor(
    private readonly g: GraphBuilder,
    private readonly layer: WeightLayer,
    private readonly input: string,
    private readonly strategy: TileStrategy,
    private readonly pointwiseSlices = false,
  ) {
    this.pads = samePadding(layer);
  }

  /** Channels [start, end) of the input (NCHW), sliced once per range. */
  private channelSlice(start: number, end: number): string {
    const key = `${start},${end}`;
    let slice = this.channelSlices.get(key);
    if (!slice) {
      slice = this.g.node('Slice', [
        this.input,
        this.g.ints([start]),
        this.g.ints([end]),
        this.g.ints([1]),
      ]);
      this.channelSlices.set(key, slice);
    }
    return slice;
  }

  private conv(input: string, kernel: string, pads: number[]): string {
    const { stride } = this.layer;
    return this.g.node('Conv', [input, kernel], { strides: [stride, stride], pads });
  }

  /** Padding of a direct conv of the rectangle over the unpadded input (may be negative). */
  private directPads(rect: KernelRect): [number, number, number, number] {
    const { stride, inHeight, inWidth, outHeight, outWidth } = this.layer;
    const [top, left] = this.pads;
    const padTop = top - rect.ky;
    const padLeft = left - rect.kx;
    const padBottom = (outHeight - 1) * stride + rect.height - inHeight - padTop;
    const padRight = (outWidth - 1) * stride + rect.width - inWidth - padLeft;
    return [padTop, padLeft, padBottom, padRight];
  }

  /** The smallest rectangle holding `rect` that a direct conv can compute (non-negative pads). */
  grown(rect: KernelRect): KernelRect {
    const [top, left, bottom, right] = this.pads;
    const { kernel } = this.layer;
    const ky = Math.min(rect.ky, top);
    const kx = Math.min(rect.kx, left);
    const yEnd = Math.max(rect.ky + rect.height, kernel - bottom);
    const xEnd = Math.max(rect.kx + rect.width, kernel - right);
    return { ...rect, ky, kx, height: yEnd - ky, width: xEnd - kx };
  }

  /** Conv of a rectangle: straight on the input when its padding is valid, else on a crop. */
  private rectConv(rect: KernelRect, kernel: string): string {
    const pads = this.directPads(rect);
    if (Math.min(...pads) >= 0) return this.conv(this.input, kernel, pads);
    const { stride, outHeight, outWidth } = this.layer;
    const key = `${rect.ky},${rect.kx},${rect.height},${rect.width}`;
    let crop = this.crops.get(key);
    if (!crop) {
      if (!this.padded) {
        const [t, l, b, r] = this.pads;
        this.padded = this.g.node('Pad', [this.input, this.g.ints([0, 0, t, l, 0, 0, b, r])]);
      }
      crop = this.g.node('Slice', [
        this.padded,
        this.g.ints([rect.ky, rect.kx]),
        this.g.ints([
          rect.ky + (outHeight - 1) * stride + rect.height,
          rect.kx + (outWidth - 1) * stride + rect.width,
        ]),
        this.g.ints([2, 3]),
      ]);
      this.crops.set(key, crop);
    }
    return this.conv(crop, kernel, [0, 0, 0, 0]);
  }

  product(
    params: GraphParams,
    name: string,
    matrix: Float32Array,
    columns: number,
    start: number,
    end: number,
    factor: number,
  ): string {
    const { kernel, inChannels: channels } = this.layer;
    const whole = start === 0 && end === layerRows(this.layer);
    if (this.pointwiseSlices && kernel === 1 && !whole && this.strategy !== 'masked') {
      // Rows of a 1x1 conv are its input channels: kernel [out, end - start, 1, 1].
      const values = new Float32Array(columns * (end - start));
      for (let r = start; r < end; r++) {
        for (let o = 0; o < columns; o++) {
          values[o * (end - start) + r - start] = matrix[r * columns + o] * factor;
        }
      }
      const w = params.tensor(name, values, [columns, end - start, 1, 1]);
      return this.conv(this.channelSlice(start, end), w, [...this.pads]);
    }
    if (this.strategy === 'masked' || whole) {
      const full: KernelRect = { ky: 0, kx: 0, height: kernel, width: kernel, c0: 0, c1: channels };
      const values = rowsKernel(this.layer, matrix, columns, start, end, full, factor);
      const w = params.tensor(name, values, [columns, channels, kernel, kernel]);
      return this.conv(this.input, w, [...this.pads]);
    }
    if (this.strategy === 'bbox') {
      const rect = this.grown(boundingRect(start, end, kernel, channels));
      const values = rowsKernel(this.layer, matrix, columns, start, end, rect, factor);
      const w = params.tensor(name, values, [columns, channels, rect.height, rect.width]);
      return this.conv(this.input, w, this.directPads(rect));
    }
    const parts = kernelRects(start, end, kernel, channels).map((tileRect, i) => {
      const rect = this.strategy === 'grown-rect' ? this.grown(tileRect) : tileRect;
      const values = rectKernel(this.layer, matrix, columns, rect, tileRect, factor);
      const w = params.tensor(`${name}.r${i}`, values, [
        columns,
        channels,
        rect.height,
        rect.width,
      ]);
      return this.rectConv(rect, w);
    });
    return parts.length > 1 ? this.g.node('Sum', parts) : parts[0];
  }
}

/**
 * Emits a layer as plain float arithmetic (no DAC, tiles, read noise or ADC) followed by its
 * output affine: the software network on the same graph structure, for benchmarks.
 */
export function emitIdealLayer(
  g: GraphBuilder,
  params: GraphParams,
  program: CrossbarLayerProgram,
  x: string,
): string {
  const { layer } = program;
  const columns = layer.outChannels;
  const rows = layerRows(layer);
  let y: string;
  if (layer.kind === 'conv') {
    const { kernel, inChannels: channels } = layer;
    const full: KernelRect = { ky: 0, kx: 0, height: kernel, width: kernel, c0: 0, c1: channels };
    const w = params.tensor(
      `${layer.name}.w`,
      rowsKernel(layer, program.weights, columns, 0, rows, full, 1),
      [columns, channels, kernel, kernel],
    );
    y = g.node('Conv', [x, w], { strides: [layer.stride, layer.stride], pads: samePadding(layer) });
  } else {
    y = g.node('MatMul', [x, params.tensor(`${layer.name}.w`, program.weights, [rows, columns])]);
  }
  const broadcast = layer.kind === 'conv' ? [1, columns, 1, 1] : [columns];
  return g.node('Add', [
    g.node('Mul', [y, params.tensor(`${layer.name}.scale`, program.scale, broadcast)]),
    params.tensor(`${layer.name}.shift`, program.shift, broadcast),
  ]);
}

/**
 * Emits one crossbar layer with the semantics of the hardware library's crossbarMatMul (see
 * HardwareExecutor): DAC codes of the input; per row tile the partial sum in ADC codes, read
 * noise sqrt(sum_i x_i^2 v_ij) * z, ADC (clip, round half to even); digital sum over the tiles;
 * then the output affine. `noise` names the tiles' standard-normal inputs (null: noiseless).
 * Input and output: conv NCHW, dense [batch, features]. `pointwiseSlices`: a multi-tile 1x1
 * conv's tiles read channel slices of the input (see ConvTileEmitter).
 */
export function emitCrossbarLayer(
  g: GraphBuilder,
  params: GraphParams,
  program: CrossbarLayerProgram,
  x: string,
  strategy: TileStrategy,
  uniformAdc: boolean,
  noise: string[] | null,
  pointwiseSlices = false,
): string {
  const { layer, tiles, adcSteps } = program;
  const name = layer.name;
  const columns = layer.outChannels;
  const codes = g.node('Round', [
    g.node('Clip', [
      g.node('Div', [x, params.scalar(`${name}.dac_step`, program.dacStep)]),
      params.scalar(`${name}.dac_low`, program.dacLow),
      params.scalar(`${name}.dac_high`, program.dacHigh),
    ]),
  ]);
  const adcHigh = params.scalar(`${name}.adc_high`, program.adcMax);
  const adcLow = params.scalar(`${name}.adc_low`, -program.adcMax);
  const factors = adcSteps.map((step) => (step > 0 ? program.dacStep / step : 0));
  const squares = noise && program.noise !== 'none' ? g.node('Mul', [codes, codes]) : null;
  const conv =
    layer.kind === 'conv' ? new ConvTileEmitter(g, layer, codes, strategy, pointwiseSlices) : null;
  const squaresConv =
    conv && squares ? new ConvTileEmitter(g, layer, squares, strategy, pointwiseSlices) : null;
  const broadcast = layer.kind === 'conv' ? [1, columns, 1, 1] : [columns];
  const ones = new Float32Array(layerRows(layer)).fill(1);

  const denseSlice = (value: string, start: number, end: number): string =>
    tiles.length === 1
      ? value
      : g.node('Slice', [value, g.ints([start]), g.ints([end]), g.ints([1])]);

  const quantized = tiles.map(([start, end], t) => {
    const factor = factors[t];
    let partial = conv
      ? conv.product(params, `${name}.w${t}`, program.weights, columns, start, end, factor)
      : g.node('MatMul', [
          denseSlice(codes, start, end),
          params.tensor(`${name}.w${t}`, scaledRows(program.weights, columns, start, end, factor), [
            end - start,
            columns,
          ]),
        ]);
    if (noise && squares && program.variance) {
      let std: string;
      if (program.noise === 'column') {
        // Read-noise std of tile t's partial sum: sqrt(sum over its rows of codes^2) * c_j.
        const sumSquares = squaresConv
          ? squaresConv.product(params, `${name}.ones${t}`, ones, 1, start, end, 1)
          : g.node('ReduceSumSquare', [denseSlice(codes, start, end)], {
              axes: [1],
              keepdims: 1,
            });
        const columnStd = Float32Array.from(program.variance, (v) => Math.sqrt(v) * factor);
        std = g.node('Mul', [
          g.node('Sqrt', [sumSquares]),
          params.tensor(`${name}.noise_std${t}`, columnStd, broadcast),
        ]);
      } else {
        const variance = squaresConv
          ? squaresConv.product(
              params,
              `${name}.var${t}`,
              program.variance,
              columns,
              start,
              end,
              factor * factor,
            )
          : g.node('MatMul', [
              denseSlice(squares, start, end),
              params.tensor(
                `${name}.var${t}`,
                scaledRows(program.variance, columns, start, end, factor * factor),
                [end - start, columns],
              ),
            ]);
        std = g.node('Sqrt', [variance]);
      }
      partial = g.node('Add', [partial, g.node('Mul', [std, noise[t]])]);
    }
    const code = g.node('Round', [g.node('Clip', [partial, adcLow, adcHigh])]);
    if (uniformAdc) return code;
    return g.node('Mul', [code, params.scalar(`${name}.adc_step${t}`, adcSteps[t])]);
  });
  const sum = quantized.length > 1 ? g.node('Sum', quantized) : quantized[0];
  // uniformAdc: y = step * sum of codes, folded into the affine's scale.
  const scale = uniformAdc
    ? Float32Array.from(program.scale, (s) => s * adcSteps[0])
    : program.scale;
  return g.node('Add', [
    g.node('Mul', [sum, params.tensor(`${name}.scale`, scale, broadcast)]),
    params.tensor(`${name}.shift`, program.shift, broadcast),
  ]);
}

/** The segment graph builders' options for their crossbar layers. */
export interface CrossbarLayerOptions {
  strategy: TileStrategy;
  /** One ADC step for all tiles of a layer (the 'calibrated' range policy). */
  uniformAdc: boolean;
  /** Plain float layers instead of the crossbars (the software network, for benchmarks). */
  ideal?: boolean;
}

/**
 * The emitter of a segment graph's weight layers: each on its programmed crossbars (with its
 * read-noise inputs, as graph inputs [N, ...layer output dims]) or, `ideal`, as a plain float
 * layer; it records the layers in execution order, with their noise input names, in `layers`.
 */
export function segmentCrossbar(
  g: GraphBuilder,
  params: GraphParams,
  programs: Map<string, CrossbarLayerProgram>,
  options: CrossbarLayerOptions,
  layers: { layer: WeightLayer; noise: string[] | null }[],
  pointwiseSlices = false,
): (layer: WeightLayer, x: string) => string {
  return (layer, x) => {
    const program = programs.get(layer.name);
    if (!program) throw new Error(`layer ${layer.name} is not programmed`);
    if (options.ideal) {
      layers.push({ layer, noise: null });
      return emitIdealLayer(g, params, program, x);
    }
    const noise =
      program.noise === 'none'
        ? null
        : noiseInputNames(layer, program.tiles.length).map((name) =>
            g.input(name, ['N', ...layerOutputDims(layer)]),
          );
    layers.push({ layer, noise });
    return emitCrossbarLayer(
      g,
      params,
      program,
      x,
      options.strategy,
      options.uniformAdc,
      noise,
      pointwiseSlices,
    );
  };
}
