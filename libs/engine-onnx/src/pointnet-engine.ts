import * as ort from 'onnxruntime-node';
import type * as tf from '@tensorflow/tfjs';
import {
  GroupingCache,
  InferenceEngine,
  PointNetNetwork,
  WeightLayer,
  groupedCoordinates,
} from '@engram/models';
import { OnnxEngineBase, sampleSlice } from './onnx-engine-base';
import { PointNetSegmentGraph, buildPointNetSegmentGraph } from './pointnet-graphs';

const HEAD_BIAS = 'head.out.b';

/**
 * The process's farthest-point-sampling and ball-query results per cloud: a sweep runs the same
 * clouds through many chips, and the indices depend only on the coordinates (the chip still
 * counts them as digital operations on every pass). About 45 KB per cloud for the two levels.
 */
const groupingCache = new GroupingCache(4096);

/** The process's grouping cache, for benchmarks (hits, misses, clear). */
export function pointNetGroupingCache(): GroupingCache {
  return groupingCache;
}

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

/**
 * The onnxruntime engine of a PointNet++ programmed on one simulated chip: one graph per stage
 * (set-abstraction levels, the global level), exit head and classifier (pointnet-graphs.ts), the
 * crossbar layers as in crossbar-graph.ts. Farthest point sampling, ball query and the grouped
 * coordinates are computed on the host with the network's own functions (the indices cached per
 * cloud for the process) and fed to the graphs.
 * Read noise comes from the run's ReadNoiseStream, the draws the TensorFlow.js HardwareExecutor
 * reads for the same layer calls (conv outputs [sample][out][npoint][nsample], dense
 * [sample][out]), so both engines compute the same network sample by sample.
 */
export class OnnxPointNetEngine
  extends OnnxEngineBase<PointNetNetwork, PointNetSegmentGraph>
  implements InferenceEngine<OnnxPointCloudState>
{
  protected readonly sessionPrefix = 'pointnet2/';
  protected readonly buildGraph = buildPointNetSegmentGraph;

  protected outputLayer(): { layer: WeightLayer; bias: Float32Array } {
    const { head } = this.network.layout;
    const bias = this.network.params.get(HEAD_BIAS).dataSync() as Float32Array;
    return { layer: head[head.length - 1], bias };
  }

  async begin(input: tf.Tensor, firstSample: number): Promise<OnnxPointCloudState> {
    const [batch, points, d] = input.shape;
    if (input.rank !== 3 || points !== this.network.spec.numPoints || d !== 3) {
      throw new Error(
        `pointnet2: expected clouds [batch, ${this.network.spec.numPoints}, 3], got [${input.shape.join(', ')}]`,
      );
    }
    const xyz = (input.dataSync() as Float32Array).slice();
    return this.withSamples(
      { batch, points, xyz, channels: 0, features: null },
      this.beginBatch(firstSample, batch),
    );
  }

  async stage(index: number, state: OnnxPointCloudState): Promise<OnnxPointCloudState> {
    return this.withSamples(await this.stageOf(index, state), this.samplesOf(state));
  }

  private async stageOf(index: number, state: OnnxPointCloudState): Promise<OnnxPointCloudState> {
    const { layout, spec } = this.network;
    if (index < layout.levels.length) return this.setAbstraction(index, state);
    if (index !== layout.levels.length) throw new RangeError(`pointnet2: no stage ${index}`);
    const { batch, points, channels, features } = state;
    if (!features) throw new Error('pointnet2: the global level needs point features');
    const { data: global } = await this.run({ kind: 'stage', index }, state, batch, (start, n) => ({
      xyz: sampleSlice(state.xyz, [points, 3], start, n),
      f: sampleSlice(features, [points, channels], start, n),
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
    const grouping = groupingCache.group(state.xyz, batch, points, level.spec);
    const absolute = index === 0 && this.network.spec.firstLevelAbsoluteXyz;
    const { grouped, centroids } = groupedCoordinates(state.xyz, grouping, radius, absolute);
    const perCloud = npoint * nsample;
    const { data: output } = await this.run({ kind: 'stage', index }, state, batch, (start, n) => {
      const inputs: Record<string, ort.Tensor> = {
        g: sampleSlice(grouped, [npoint, nsample, absolute ? 6 : 3], start, n),
      };
      if (features) {
        inputs['f'] = sampleSlice(features, [points, channels], start, n);
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
    const { data } = await this.run(
      { kind: 'exit', index: exitIndex },
      state,
      batch,
      (start, n) => ({
        f: sampleSlice(features, [points, channels], start, n),
      }),
    );
    return data;
  }

  async classify(state: OnnxPointCloudState): Promise<Float32Array> {
    const { batch, points, channels, features } = state;
    if (!features || points !== 1) throw new Error('pointnet2: classify needs the global features');
    const { data } = await this.run({ kind: 'head' }, state, batch, (start, n) => ({
      f: sampleSlice(features, [channels], start, n),
    }));
    return data;
  }

  select(state: OnnxPointCloudState, positions: Int32Array): OnnxPointCloudState {
    const gather = (values: Float32Array, size: number): Float32Array => {
      const out = new Float32Array(positions.length * size);
      positions.forEach((p, i) => out.set(values.subarray(p * size, (p + 1) * size), i * size));
      return out;
    };
    const samples = this.samplesOf(state);
    return this.withSamples(
      {
        batch: positions.length,
        points: state.points,
        xyz: gather(state.xyz, state.points * 3),
        channels: state.channels,
        features: state.features ? gather(state.features, state.points * state.channels) : null,
      },
      Int32Array.from(positions, (p) => samples[p]),
    );
  }
}
