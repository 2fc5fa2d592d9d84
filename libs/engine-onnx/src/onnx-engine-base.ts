import * as ort from 'onnxruntime-node';
import { CounterRng, DeviceProfile, ProgrammedArray } from '@engram/hardware';
import { ExitNetwork, ExitNetworkLayout, ExitPoint, WeightLayer } from '@engram/models';
import { EngineNetwork, NetworkEngine, ReadNoiseStream } from '@engram/evaluation';
import type { NetworkCalibration } from '@engram/evaluation';
import { CrossbarLayerProgram, TileStrategy, crossbarLayerProgram } from './crossbar-graph';
import {
  ResNetSegment,
  SegmentGraph,
  SegmentGraphOptions,
  batchNormAffine,
  segmentName,
} from './resnet-graphs';
import { cachedSession, createSession, ortThreads } from './sessions';

export const IDEAL_RANGES = { inputRange: 1, inputSigned: true, adcRange: 1 };

/** Plain weights [rows][out] dressed as a programmed array (the ideal engine reads the weights). */
export function idealArray(weights: Float32Array, cols: number): ProgrammedArray {
  const rows = weights.length / cols;
  return {
    rows,
    cols,
    effectiveWeights: weights,
    readNoiseVariance: new Float32Array(0),
    readNoiseColumnVariance: null,
    codes: new Int8Array(0),
    columnAlphas: new Float32Array(cols),
    gPlusUs: new Float32Array(0),
    gMinusUs: new Float32Array(0),
    plusFaults: new Uint8Array(0),
    minusFaults: new Uint8Array(0),
    windowUs: 1,
  };
}

/** A batch between two segments: row-major values and dims (batch first; feature maps NCHW). */
export interface OnnxState {
  data: Float32Array;
  dims: number[];
}

export interface OnnxEngineOptions {
  /** How multi-tile conv layers compute their tiles (default 'bbox'). */
  strategy?: TileStrategy;
  /**
   * Where the run's programmed weights go: 'initializers' (default) embeds them and creates the
   * run's own sessions (constant weights: pre-packed, blocked conv kernels); 'inputs' feeds them
   * at every session run, with one session per graph structure cached for the process.
   */
  params?: 'initializers' | 'inputs';
  /** Intra-op threads (default: ortThreads(), see sessions.ts). */
  threads?: number;
  /**
   * The software network on the same graph structure (plain float layers: no DAC, tiles, read
   * noise or ADC), with the network's own weights: a reference for benchmarks.
   */
  ideal?: boolean;
  /**
   * Samples per session run (default 64): a batch is cut into chunks so that a chunk's feature
   * maps stay in cache. Numerically the same at any size (noise is drawn per sample).
   */
  chunk?: number;
}

export const DEFAULT_ONNX_CHUNK = 64;

/** The network an onnxruntime engine programs: its weight layers, parameters and spec. */
export type OnnxNetwork = EngineNetwork &
  Pick<
    ExitNetwork<{ exits: readonly ExitPoint[]; numClasses: number }, ExitNetworkLayout, never>,
    'spec' | 'params' | 'weightLayers' | 'weight'
  >;

/** What the engines' segment graph builders return. */
export type OnnxSegmentGraph = Pick<SegmentGraph, 'builder' | 'params' | 'layers' | 'outputDims'>;

interface Segment<Graph extends OnnxSegmentGraph> {
  graph: Graph;
  session: Promise<ort.InferenceSession>;
  feeds: Record<string, ort.Tensor>;
  /** Per-sample size of each layer's output, for its noise inputs. */
  layerSizes: number[];
}

/** The data inputs of samples [start, start + n) of a batch. */
export type ChunkInputs = (start: number, n: number) => Record<string, ort.Tensor>;

/** Samples [start, start + n) of a [batch][...dims] array as a tensor. */
export function sampleSlice(
  values: Float32Array,
  dims: number[],
  start: number,
  n: number,
): ort.Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  return new ort.Tensor('float32', values.subarray(start * size, (start + n) * size), [n, ...dims]);
}

/**
 * What the onnxruntime engines share: the crossbar layer programs of a network programmed on one
 * simulated chip, one graph and session per segment (stage, exit head, classifier; built by the
 * engine on first use), run on onnxruntime-node's CPU provider in chunks. Read noise comes from
 * the run's ReadNoiseStream keyed by sample, the draws the TensorFlow.js HardwareExecutor reads
 * for the same layer calls.
 */
export abstract class OnnxEngineBase<
  Network extends OnnxNetwork,
  Graph extends OnnxSegmentGraph,
> extends NetworkEngine<Network> {
  readonly name = 'onnx';
  readonly layerCalls = new Map<string, number>();
  /** Milliseconds spent creating sessions (or waiting for cached ones) by this engine. */
  sessionMs = 0;

  private readonly programs = new Map<string, CrossbarLayerProgram>();
  private readonly segments = new Map<string, Segment<Graph>>();
  private readonly readNoise: ReadNoiseStream | null;
  private readonly paramsMode: 'initializers' | 'inputs';
  private readonly threads: number;
  private readonly chunk: number;
  private readonly structureKey: string;
  private readonly graphOptions: SegmentGraphOptions;

  constructor(
    network: Network,
    arrays: Map<string, ProgrammedArray> | null,
    calibration: NetworkCalibration | null,
    profile: DeviceProfile,
    readNoiseRng: CounterRng | null,
    options: OnnxEngineOptions = {},
  ) {
    super(network);
    const { layer: outputLayer, bias: outputBias } = this.outputLayer();
    const ideal = options.ideal ?? false;
    // The chip's read-noise stream is null when its profile has no read noise.
    const readNoise = !ideal && readNoiseRng !== null;
    this.readNoise = readNoise ? new ReadNoiseStream(readNoiseRng) : null;
    const strategy = options.strategy ?? 'bbox';
    this.paramsMode = options.params ?? 'initializers';
    this.threads = options.threads ?? ortThreads();
    this.chunk = options.chunk ?? DEFAULT_ONNX_CHUNK;
    const uniformAdc = profile.adc.rangePolicy === 'calibrated';
    for (const layer of network.weightLayers) {
      const array = ideal
        ? idealArray(network.weight(layer).dataSync() as Float32Array, layer.outChannels)
        : arrays?.get(layer.name);
      const ranges = ideal ? IDEAL_RANGES : calibration?.get(layer.name);
      if (!array || !ranges) {
        throw new Error(`layer ${layer.name} is not programmed or not calibrated`);
      }
      const affine = layer.batchNorm
        ? batchNormAffine(network, layer.batchNorm)
        : {
            scale: new Float32Array(layer.outChannels).fill(1),
            shift: layer === outputLayer ? outputBias : new Float32Array(layer.outChannels),
          };
      this.programs.set(
        layer.name,
        crossbarLayerProgram(layer, array, ranges, profile, readNoise, affine.scale, affine.shift),
      );
    }
    this.structureKey = JSON.stringify({
      spec: network.spec,
      tileRows: profile.tile.rows,
      strategy,
      uniformAdc,
      ideal,
      noise: [...this.programs.values()].map((p) => p.noise),
    });
    this.graphOptions = { strategy, uniformAdc, params: this.paramsMode, ideal };
  }

  /**
   * The output layer: no batch norm, it adds `bias` (the other layers without batch norm add
   * nothing). Called by the constructor (the network is set, the engine's own fields are not).
   */
  protected abstract outputLayer(): { layer: WeightLayer; bias: Float32Array };

  /** The start of the keys of the process's cached sessions. */
  protected abstract readonly sessionPrefix: string;

  /** The graph of a segment on the programmed layers. */
  protected abstract readonly buildGraph: (
    network: Network,
    segment: ResNetSegment,
    programs: Map<string, CrossbarLayerProgram>,
    options: SegmentGraphOptions,
  ) => Graph;

  beginPass(): void {
    this.layerCalls.clear();
  }

  private segment(segment: ResNetSegment): Segment<Graph> {
    const name = segmentName(segment);
    let built = this.segments.get(name);
    if (!built) {
      const graph = this.buildGraph(this.network, segment, this.programs, this.graphOptions);
      const session =
        this.paramsMode === 'inputs'
          ? cachedSession(
              `${this.sessionPrefix}${name}|${this.structureKey}`,
              () => graph.builder.build(),
              this.threads,
            )
          : createSession(graph.builder.build(), this.threads);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [input, { values, dims }] of graph.params.feeds) {
        feeds[input] = new ort.Tensor('float32', values, dims);
      }
      const layerSizes = graph.layers.map(({ layer }) =>
        layer.kind === 'conv'
          ? layer.outChannels * layer.outHeight * layer.outWidth
          : layer.outChannels,
      );
      built = { graph, session, feeds, layerSizes };
      this.segments.set(name, built);
    }
    return built;
  }

  /**
   * Runs a segment over the batch of `state` in chunks; returns its output
   * [batch][...outputDims]. The state's samples key the read noise.
   */
  protected async run(
    segment: ResNetSegment,
    state: object,
    batch: number,
    chunkInputs: ChunkInputs,
  ): Promise<OnnxState> {
    const samples = this.samplesOf(state);
    if (samples.length !== batch) {
      throw new Error(`${segmentName(segment)}: ${batch} rows but ${samples.length} sample keys`);
    }
    const { graph, session, feeds, layerSizes } = this.segment(segment);
    const waited = performance.now();
    const ready = await session;
    this.sessionMs += performance.now() - waited;
    const calls = graph.layers.map(({ layer }) => {
      this.layerCalls.set(layer.name, (this.layerCalls.get(layer.name) ?? 0) + 1);
      return this.nextBatchCall(layer.name);
    });
    const outputSize = graph.outputDims.reduce((a, b) => a * b, 1);
    const output = new Float32Array(batch * outputSize);
    for (let start = 0, n = 0; start < batch; start += n) {
      n = this.chunkLength(samples, start, batch);
      const inputs: Record<string, ort.Tensor> = { ...feeds, ...chunkInputs(start, n) };
      graph.layers.forEach(({ layer, noise: names }, i) => {
        const readNoise = this.readNoise;
        if (!names || !readNoise) return;
        const dims =
          layer.kind === 'conv'
            ? [n, layer.outChannels, layer.outHeight, layer.outWidth]
            : [n, layer.outChannels];
        names.forEach((name, t) => {
          const normals = readNoise.samples(
            layer.name,
            calls[i],
            t,
            layerSizes[i],
            samples.subarray(start, start + n),
          );
          inputs[name] = new ort.Tensor('float32', normals, dims);
        });
      });
      // The session writes each chunk's output in place (no copy, and no output tensor built
      // from the native side, which jest's separate typed-array realm would reject).
      const y = new ort.Tensor(
        'float32',
        output.subarray(start * outputSize, (start + n) * outputSize),
        [n, ...graph.outputDims],
      );
      await ready.run(inputs, { y });
    }
    return { data: output, dims: [batch, ...graph.outputDims] };
  }

  /**
   * Samples of the chunk starting at `start`: at most `chunk`, and with read noise, where the
   * samples run consecutively, not past the end of their read-noise block, so that the chunk
   * reads its noise as one window of the pool, without a copy (a batch of 500 at offset 500
   * would otherwise copy the noise of almost every chunk). Results do not depend on it.
   */
  private chunkLength(samples: Int32Array, start: number, batch: number): number {
    const n = Math.min(this.chunk, batch - start);
    if (!this.readNoise) return n;
    const first = samples[start];
    const toBlockEnd = this.readNoise.samplesToBlockEnd(first);
    return n > toBlockEnd && samples[start + toBlockEnd - 1] === first + toBlockEnd - 1
      ? toBlockEnd
      : n;
  }

  release(): void {
    // States are plain arrays: the garbage collector frees them.
  }

  async dispose(): Promise<void> {
    const segments = [...this.segments.values()];
    this.segments.clear();
    if (this.paramsMode === 'initializers') {
      await Promise.all(segments.map(async (s) => (await s.session).release()));
    }
  }
}
