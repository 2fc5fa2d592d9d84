import * as ort from 'onnxruntime-node';
import type * as tf from '@tensorflow/tfjs';
import { CounterRng, DeviceProfile, ProgrammedArray } from '@engram/hardware';
import {
  ExitPoint,
  InferenceEngine,
  PointNetNetwork,
  groupLevel,
  groupedCoordinates,
} from '@engram/models';
import type { NetworkCalibration } from '../calibration';
import { hasReadNoise } from '../hardware-executor';
import { ReadNoiseStream } from '../read-noise';
import { CrossbarLayerProgram, TileStrategy, crossbarLayerProgram } from './crossbar-graph';
import {
  PointNetSegment,
  PointNetSegmentGraph,
  buildPointNetSegmentGraph,
} from './pointnet-graphs';
import { batchNormAffine, segmentName } from './resnet-graphs';
import { DEFAULT_ONNX_CHUNK, IDEAL_RANGES, OnnxEngineOptions, idealArray } from './resnet-engine';
import { cachedSession, createSession, ortThreads } from './sessions';

const HEAD_BIAS = 'head.out.b';

/**
 * A batch of point clouds between two segments, as plain arrays: the current level's points
 * [batch][points][3] and their features [batch][points][channels] (none before the first level;
 * after the global level one point at the origin carrying the global features).
 */
export interface OnnxPointCloudState {
  batch: number;
  points: number;
  xyz: Float32Array;
  channels: number;
  features: Float32Array | null;
}

interface Segment {
  graph: PointNetSegmentGraph;
  session: Promise<ort.InferenceSession>;
  feeds: Record<string, ort.Tensor>;
  /** Per-sample size of each layer's output, for its noise inputs. */
  layerSizes: number[];
}

/** The data inputs of samples [start, start + n) of a batch. */
type ChunkInputs = (start: number, n: number) => Record<string, ort.Tensor>;

/**
 * The onnxruntime engine of a PointNet++ programmed on one simulated chip: one graph per stage
 * (set-abstraction levels, the global level), exit head and classifier (pointnet-graphs.ts), the
 * crossbar layers as in crossbar-graph.ts. Farthest point sampling, ball query and the grouped
 * coordinates are computed on the host with the network's own functions and fed to the graphs.
 * Read noise comes from the run's ReadNoiseStream, the draws the TensorFlow.js HardwareExecutor
 * reads for the same layer calls (conv outputs [sample][out][npoint][nsample], dense
 * [sample][out]), so both engines compute the same network sample by sample.
 */
export class OnnxPointNetEngine implements InferenceEngine<OnnxPointCloudState> {
  readonly name = 'onnx';
  readonly layerCalls = new Map<string, number>();
  /** Milliseconds spent creating sessions (or waiting for cached ones) by this engine. */
  sessionMs = 0;

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

  constructor(
    private readonly network: PointNetNetwork,
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
    const outputLayer = network.layout.head[network.layout.head.length - 1];
    const bias = network.params.get(HEAD_BIAS).dataSync() as Float32Array;
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
            shift: layer === outputLayer ? bias : new Float32Array(layer.outChannels),
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

  beginPass(): void {
    this.layerCalls.clear();
  }

  private segment(segment: PointNetSegment): Segment {
    const name = segmentName(segment);
    let built = this.segments.get(name);
    if (!built) {
      const graph = buildPointNetSegmentGraph(this.network, segment, this.programs, {
        strategy: this.strategy,
        uniformAdc: this.uniformAdc,
        params: this.paramsMode,
        ideal: this.ideal,
      });
      const session =
        this.paramsMode === 'inputs'
          ? cachedSession(
              `pointnet2/${name}|${this.structureKey}`,
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

  /** Runs a segment over a batch in chunks; returns its output [batch][...outputDims]. */
  private async run(
    segment: PointNetSegment,
    batch: number,
    chunkInputs: ChunkInputs,
  ): Promise<Float32Array> {
    const { graph, session, feeds, layerSizes } = this.segment(segment);
    const waited = performance.now();
    const ready = await session;
    this.sessionMs += performance.now() - waited;
    const calls = graph.layers.map(({ layer }) => {
      const call = this.layerCalls.get(layer.name) ?? 0;
      this.layerCalls.set(layer.name, call + 1);
      return call;
    });
    const outputSize = graph.outputDims.reduce((a, b) => a * b, 1);
    const output = new Float32Array(batch * outputSize);
    for (let start = 0; start < batch; start += this.chunk) {
      const n = Math.min(this.chunk, batch - start);
      const inputs: Record<string, ort.Tensor> = { ...feeds, ...chunkInputs(start, n) };
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
      // Outputs are written in place (see OnnxResNetEngine.run).
      const y = new ort.Tensor(
        'float32',
        output.subarray(start * outputSize, (start + n) * outputSize),
        [n, ...graph.outputDims],
      );
      await ready.run(inputs, { y });
    }
    return output;
  }

  /** Samples [start, start + n) of a [batch][...dims] array as a tensor. */
  private static slice(values: Float32Array, dims: number[], start: number, n: number): ort.Tensor {
    const size = dims.reduce((a, b) => a * b, 1);
    return new ort.Tensor('float32', values.subarray(start * size, (start + n) * size), [
      n,
      ...dims,
    ]);
  }

  async begin(input: tf.Tensor): Promise<OnnxPointCloudState> {
    const [batch, points, d] = input.shape;
    if (input.rank !== 3 || points !== this.network.spec.numPoints || d !== 3) {
      throw new Error(
        `pointnet2: expected clouds [batch, ${this.network.spec.numPoints}, 3], got [${input.shape.join(', ')}]`,
      );
    }
    const xyz = (input.dataSync() as Float32Array).slice();
    return { batch, points, xyz, channels: 0, features: null };
  }

  async stage(index: number, state: OnnxPointCloudState): Promise<OnnxPointCloudState> {
    const { layout, spec } = this.network;
    if (index < layout.levels.length) return this.setAbstraction(index, state);
    if (index !== layout.levels.length) throw new RangeError(`pointnet2: no stage ${index}`);
    const { batch, points, channels, features } = state;
    if (!features) throw new Error('pointnet2: the global level needs point features');
    const global = await this.run({ kind: 'stage', index }, batch, (start, n) => ({
      xyz: OnnxPointNetEngine.slice(state.xyz, [points, 3], start, n),
      f: OnnxPointNetEngine.slice(features, [points, channels], start, n),
    }));
    const outChannels = spec.globalMlp[spec.globalMlp.length - 1];
    return {
      batch,
      points: 1,
      xyz: new Float32Array(batch * 3),
      channels: outChannels,
      features: global,
    };
  }

  private async setAbstraction(
    index: number,
    state: OnnxPointCloudState,
  ): Promise<OnnxPointCloudState> {
    const level = this.network.layout.levels[index];
    const { npoint, nsample, radius } = level.spec;
    const { batch, points, channels, features } = state;
    const grouping = groupLevel(state.xyz, batch, points, level.spec);
    const absolute = index === 0 && this.network.spec.firstLevelAbsoluteXyz;
    const { grouped, centroids } = groupedCoordinates(state.xyz, grouping, radius, absolute);
    const perCloud = npoint * nsample;
    const output = await this.run({ kind: 'stage', index }, batch, (start, n) => {
      const inputs: Record<string, ort.Tensor> = {
        g: OnnxPointNetEngine.slice(grouped, [npoint, nsample, absolute ? 6 : 3], start, n),
      };
      if (features) {
        inputs['f'] = OnnxPointNetEngine.slice(features, [points, channels], start, n);
        // Neighbour rows of the chunk's features flattened to [n * points, channels].
        const indices = new Int32Array(n * perCloud);
        const neighbours = grouping.neighbours.subarray(start * perCloud, (start + n) * perCloud);
        for (let c = 0; c < n; c++) {
          const base = c * points;
          for (let i = c * perCloud; i < (c + 1) * perCloud; i++) indices[i] = neighbours[i] + base;
        }
        inputs['idx'] = new ort.Tensor('int32', indices, [indices.length]);
      }
      return inputs;
    });
    return {
      batch,
      points: npoint,
      xyz: centroids,
      channels: level.outChannels,
      features: output,
    };
  }

  async exitSemantic(exitIndex: number, state: OnnxPointCloudState): Promise<Float32Array> {
    const { batch, points, channels, features } = state;
    if (!features) throw new Error(`pointnet2: exit ${exitIndex + 1} needs point features`);
    return this.run({ kind: 'exit', index: exitIndex }, batch, (start, n) => ({
      f: OnnxPointNetEngine.slice(features, [points, channels], start, n),
    }));
  }

  async classify(state: OnnxPointCloudState): Promise<Float32Array> {
    const { batch, points, channels, features } = state;
    if (!features || points !== 1) throw new Error('pointnet2: classify needs the global features');
    return this.run({ kind: 'head' }, batch, (start, n) => ({
      f: OnnxPointNetEngine.slice(features, [channels], start, n),
    }));
  }

  select(state: OnnxPointCloudState, positions: Int32Array): OnnxPointCloudState {
    const gather = (values: Float32Array, size: number): Float32Array => {
      const out = new Float32Array(positions.length * size);
      positions.forEach((p, i) => out.set(values.subarray(p * size, (p + 1) * size), i * size));
      return out;
    };
    return {
      batch: positions.length,
      points: state.points,
      xyz: gather(state.xyz, state.points * 3),
      channels: state.channels,
      features: state.features ? gather(state.features, state.points * state.channels) : null,
    };
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
