import * as ort from 'onnxruntime-node';
import type * as tf from '@tensorflow/tfjs';
import { CounterRng, DeviceProfile, ProgrammedArray } from '@engram/hardware';
import { ExitPoint, InferenceEngine, ResNetNetwork } from '@engram/models';
import type { NetworkCalibration } from '../calibration';
import { hasReadNoise } from '../hardware-executor';
import { ReadNoiseStream } from '../read-noise';
import { CrossbarLayerProgram, TileStrategy, crossbarLayerProgram } from './crossbar-graph';
import {
  ResNetSegment,
  SegmentGraph,
  batchNormAffine,
  buildSegmentGraph,
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
   * maps stay in cache. Numerically the same at any size (noise is drawn per batch).
   */
  chunk?: number;
}

export const DEFAULT_ONNX_CHUNK = 64;

interface Segment {
  graph: SegmentGraph;
  session: Promise<ort.InferenceSession>;
  feeds: Record<string, ort.Tensor>;
  /** Per-sample size of each layer's output, for its noise inputs. */
  layerSizes: number[];
}

/**
 * The onnxruntime engine of a ResNet programmed on one simulated chip: one graph per stage, exit
 * head and classifier (see resnet-graphs.ts and crossbar-graph.ts for what they compute), run on
 * onnxruntime-node's CPU provider. Read noise comes from the run's ReadNoiseStream, the draws the
 * TensorFlow.js HardwareExecutor reads for the same layer calls.
 */
export class OnnxResNetEngine implements InferenceEngine<OnnxState> {
  readonly name = 'onnx';
  readonly layerCalls = new Map<string, number>();

  beginPass(): void {
    this.layerCalls.clear();
  }

  private readonly programs = new Map<string, CrossbarLayerProgram>();
  private readonly segments = new Map<string, Segment>();
  private readonly readNoise: ReadNoiseStream | null;
  private readonly strategy: TileStrategy;
  private readonly paramsMode: 'initializers' | 'inputs';
  private readonly threads: number;
  private readonly chunk: number;
  private readonly uniformAdc: boolean;
  private readonly structureKey: string;
  private readonly ideal: boolean;
  /** Milliseconds spent creating sessions (or waiting for cached ones) by this engine. */
  sessionMs = 0;

  constructor(
    private readonly network: ResNetNetwork,
    arrays: Map<string, ProgrammedArray> | null,
    calibration: NetworkCalibration | null,
    profile: DeviceProfile,
    readNoiseRng: CounterRng | null,
    options: OnnxEngineOptions = {},
  ) {
    const ideal = options.ideal ?? false;
    const readNoise = !ideal && readNoiseRng !== null && hasReadNoise(profile);
    this.readNoise = readNoise ? new ReadNoiseStream(readNoiseRng) : null;
    this.strategy = options.strategy ?? 'bbox';
    this.paramsMode = options.params ?? 'initializers';
    this.threads = options.threads ?? ortThreads();
    this.chunk = options.chunk ?? DEFAULT_ONNX_CHUNK;
    this.uniformAdc = profile.adc.rangePolicy === 'calibrated';
    const bias = network.params.get('head.fc.b').dataSync() as Float32Array;
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
            shift: layer === network.layout.head ? bias : new Float32Array(layer.outChannels),
          };
      this.programs.set(
        layer.name,
        crossbarLayerProgram(layer, array, ranges, profile, readNoise, affine.scale, affine.shift),
      );
    }
    this.structureKey = JSON.stringify({
      spec: network.spec,
      tileRows: profile.tile.rows,
      strategy: this.strategy,
      uniformAdc: this.uniformAdc,
      ideal,
      noise: [...this.programs.values()].map((p) => p.noise),
    });
    this.ideal = ideal;
  }

  get exits(): readonly ExitPoint[] {
    return this.network.exits;
  }

  get stageCount(): number {
    return this.network.stageCount;
  }

  get numClasses(): number {
    return this.network.numClasses;
  }

  private segment(segment: ResNetSegment): Segment {
    const name = segmentName(segment);
    let built = this.segments.get(name);
    if (!built) {
      const graph = buildSegmentGraph(this.network, segment, this.programs, {
        strategy: this.strategy,
        uniformAdc: this.uniformAdc,
        params: this.paramsMode,
        ideal: this.ideal,
      });
      const session =
        this.paramsMode === 'inputs'
          ? cachedSession(`${name}|${this.structureKey}`, () => graph.builder.build(), this.threads)
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

  private async run(segment: ResNetSegment, state: OnnxState): Promise<OnnxState> {
    const { graph, session, feeds, layerSizes } = this.segment(segment);
    const waited = performance.now();
    const ready = await session;
    this.sessionMs += performance.now() - waited;
    const batch = state.dims[0];
    const inputSize = state.data.length / batch;
    const calls = graph.layers.map(({ layer }) => {
      const call = this.layerCalls.get(layer.name) ?? 0;
      this.layerCalls.set(layer.name, call + 1);
      return call;
    });
    const outputDims = [batch, ...graph.outputDims];
    const outputSize = graph.outputDims.reduce((a, b) => a * b, 1);
    const output = new Float32Array(batch * outputSize);
    for (let start = 0; start < batch; start += this.chunk) {
      const n = Math.min(this.chunk, batch - start);
      const inputs: Record<string, ort.Tensor> = {
        ...feeds,
        x: new ort.Tensor(
          'float32',
          state.data.subarray(start * inputSize, (start + n) * inputSize),
          [n, ...state.dims.slice(1)],
        ),
      };
      graph.layers.forEach(({ layer, noise: names }, i) => {
        const readNoise = this.readNoise;
        if (!names || !readNoise) return;
        const dims =
          layer.kind === 'conv'
            ? [n, layer.outChannels, layer.outHeight, layer.outWidth]
            : [n, layer.outChannels];
        names.forEach((name, t) => {
          const normals = readNoise.tile(layer.name, calls[i], t, layerSizes[i], start, n);
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
    return { data: output, dims: outputDims };
  }

  async begin(input: tf.Tensor): Promise<OnnxState> {
    return { data: (input.dataSync() as Float32Array).slice(), dims: [...input.shape] };
  }

  stage(index: number, state: OnnxState): Promise<OnnxState> {
    return this.run({ kind: 'stage', index }, state);
  }

  async exitSemantic(exitIndex: number, state: OnnxState): Promise<Float32Array> {
    return (await this.run({ kind: 'exit', index: exitIndex }, state)).data;
  }

  async classify(state: OnnxState): Promise<Float32Array> {
    return (await this.run({ kind: 'head' }, state)).data;
  }

  select(state: OnnxState, positions: Int32Array): OnnxState {
    const size = state.data.length / state.dims[0];
    const data = new Float32Array(positions.length * size);
    positions.forEach((p, i) => data.set(state.data.subarray(p * size, (p + 1) * size), i * size));
    return { data, dims: [positions.length, ...state.dims.slice(1)] };
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
