import * as tf from '@tensorflow/tfjs';
import { ParameterStore } from '../layers/parameters';
import {
  BATCH_NORM_EPSILON,
  ExitNetwork,
  ForwardContext,
  ForwardOptions,
  initialParameters,
} from '../layers/exit-network';
import type { WeightLayer } from '../layers/weight-layer';
import { PointNetLayout, PointNetSpec, SetAbstractionLayout, pointNetLayout } from './architecture';
import { LevelGrouping, flattenIndices, groupLevel } from './sampling';
import { batchNormTraining, maxOverNeighbours, meanOverNeighbours } from './ops';

/**
 * What flows between the stages: the points of the current level ([batch, points, 3]) and their
 * features ([batch, points, channels]; none before the first level). After the global level there
 * is one point (the origin) carrying the global feature vector.
 */
export type PointCloudState = { xyz: tf.Tensor3D; features?: tf.Tensor3D };

const HEAD_BIAS = 'head.out.b';

/**
 * Grouped coordinates of one level, computed on the host from the grouping indices: each
 * neighbour's offset to its centroid divided by the radius (and, if asked, its absolute
 * coordinates), [batch][npoint][nsample][3 or 6]; and the centroids' coordinates [batch][npoint][3].
 */
export function groupedCoordinates(
  xyz: Float32Array,
  grouping: LevelGrouping,
  radius: number,
  absolute: boolean,
): { grouped: Float32Array; centroids: Float32Array } {
  const { batch, inputPoints: n, npoint, nsample } = grouping;
  const width = absolute ? 6 : 3;
  const grouped = new Float32Array(batch * npoint * nsample * width);
  const centroids = new Float32Array(batch * npoint * 3);
  const scale = 1 / radius;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < npoint; p++) {
      const c = b * npoint + p;
      const q = (b * n + grouping.centroids[c]) * 3;
      const cx = xyz[q];
      const cy = xyz[q + 1];
      const cz = xyz[q + 2];
      centroids[c * 3] = cx;
      centroids[c * 3 + 1] = cy;
      centroids[c * 3 + 2] = cz;
      for (let s = 0; s < nsample; s++) {
        const g = c * nsample + s;
        const r = (b * n + grouping.neighbours[g]) * 3;
        const o = g * width;
        grouped[o] = (xyz[r] - cx) * scale;
        grouped[o + 1] = (xyz[r + 1] - cy) * scale;
        grouped[o + 2] = (xyz[r + 2] - cz) * scale;
        if (absolute) {
          grouped[o + 3] = xyz[r];
          grouped[o + 4] = xyz[r + 1];
          grouped[o + 5] = xyz[r + 2];
        }
      }
    }
  }
  return { grouped, centroids };
}

/**
 * The semantic-memory PointNet++ (single-scale grouping), split into the pieces dynamic inference
 * runs one at a time: set-abstraction levels (farthest point sampling and ball query on the host,
 * shared MLPs on the CIM, max pooling over the neighbours), the global level, exit heads (pooling
 * over the level's points + CIM projection + batch norm) and the classifier.
 */
export class PointNetNetwork extends ExitNetwork<PointNetSpec, PointNetLayout, PointCloudState> {
  readonly kind = 'pointnet2';

  constructor(spec: PointNetSpec, params: ParameterStore) {
    super(spec, params, pointNetLayout(spec));
  }

  static create(spec: PointNetSpec, seed: number): PointNetNetwork {
    return new PointNetNetwork(
      spec,
      initialParameters(pointNetLayout(spec), spec.numClasses, HEAD_BIAS, seed),
    );
  }

  /** The set-abstraction levels, then the global level. */
  get stageCount(): number {
    return this.spec.levels.length + 1;
  }

  /** Batch norm (then ReLU if asked): batch statistics in training, running ones at inference. */
  private batchNorm(name: string, x: tf.Tensor, ctx: ForwardContext, relu = false): tf.Tensor {
    if (ctx.batchNorm === 'running') {
      const y = this.runningBatchNorm(name, x);
      return relu ? tf.relu(y) : y;
    }
    const gamma = this.params.get(`${name}.gamma`);
    const beta = this.params.get(`${name}.beta`);
    const { y, mean, variance } = batchNormTraining(x, gamma, beta, BATCH_NORM_EPSILON, relu);
    if (ctx.statistics) ctx.statistics.set(name, { mean, variance });
    else tf.dispose([mean, variance]);
    return y;
  }

  private layerBnRelu(layer: WeightLayer, x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return this.batchNorm(layer.batchNorm as string, ctx.executor.run(layer, x), ctx, true);
  }

  /** Input clouds [batch, numPoints, 3] (normalized to the unit sphere) -> the state before stage 0. */
  begin(input: tf.Tensor, _ctx: ForwardContext): PointCloudState {
    const [, n, d] = input.shape;
    if (input.rank !== 3 || n !== this.spec.numPoints || d !== 3) {
      throw new Error(
        `pointnet2: expected clouds [batch, ${this.spec.numPoints}, 3], got [${input.shape.join(', ')}]`,
      );
    }
    return { xyz: tf.clone(input) as tf.Tensor3D };
  }

  /** Farthest point sampling and ball query of a level for the state's clouds (on the host). */
  grouping(level: number, state: PointCloudState): LevelGrouping {
    const [batch, n] = state.xyz.shape;
    return groupLevel(state.xyz.dataSync() as Float32Array, batch, n, this.spec.levels[level]);
  }

  stage(index: number, state: PointCloudState, ctx: ForwardContext): PointCloudState {
    if (index < this.spec.levels.length) return this.setAbstraction(index, state, ctx);
    if (index === this.spec.levels.length) return this.globalLevel(state, ctx);
    throw new RangeError(`pointnet2: no stage ${index}`);
  }

  private setAbstraction(
    index: number,
    state: PointCloudState,
    ctx: ForwardContext,
  ): PointCloudState {
    const level: SetAbstractionLayout = this.layout.levels[index];
    const { npoint, nsample, radius } = level.spec;
    const [batch, n] = state.xyz.shape;
    const coordinates = state.xyz.dataSync() as Float32Array;
    const grouping = groupLevel(coordinates, batch, n, level.spec);
    const absolute = index === 0 && this.spec.firstLevelAbsoluteXyz;
    const { grouped, centroids } = groupedCoordinates(coordinates, grouping, radius, absolute);
    const parts: tf.Tensor[] = [tf.tensor4d(grouped, [batch, npoint, nsample, absolute ? 6 : 3])];
    if (state.features) {
      const channels = state.features.shape[2];
      const indices = tf.tensor1d(
        flattenIndices(grouping.neighbours, npoint * nsample, n),
        'int32',
      );
      const flat = tf.reshape(state.features, [batch * n, channels]);
      parts.push(tf.reshape(tf.gather(flat, indices), [batch, npoint, nsample, channels]));
    }
    let x = parts.length === 1 ? parts[0] : tf.concat(parts, 3);
    for (const layer of level.layers) x = this.layerBnRelu(layer, x, ctx);
    return {
      xyz: tf.tensor3d(centroids, [batch, npoint, 3]),
      features: maxOverNeighbours(x) as tf.Tensor3D,
    };
  }

  private globalLevel(state: PointCloudState, ctx: ForwardContext): PointCloudState {
    const { features } = state;
    if (!features) throw new Error('pointnet2: the global level needs point features');
    const batch = state.xyz.shape[0];
    let x: tf.Tensor = tf.expandDims(tf.concat([state.xyz, features], 2), 1);
    for (const layer of this.layout.global.layers) x = this.layerBnRelu(layer, x, ctx);
    return { xyz: tf.zeros([batch, 1, 3]), features: maxOverNeighbours(x) as tf.Tensor3D };
  }

  /** Pools a level's point features (max, or max and mean) and projects them on the CIM. */
  exitSemantic(exitIndex: number, state: PointCloudState, ctx: ForwardContext): tf.Tensor2D {
    const exit = this.layout.exits[exitIndex];
    const { features } = state;
    if (!features) throw new Error(`pointnet2: exit ${exitIndex + 1} needs point features`);
    const max = maxOverNeighbours(features);
    const pooled = exit.pooling === 'max' ? max : tf.concat([max, meanOverNeighbours(features)], 1);
    return this.batchNorm(
      exit.projection.batchNorm as string,
      ctx.executor.run(exit.projection, pooled),
      ctx,
    ) as tf.Tensor2D;
  }

  classify(state: PointCloudState, ctx: ForwardContext): tf.Tensor2D {
    return this.classifyWith(state, ctx, {});
  }

  /** The global feature vector through the classifier (on the CIM, bias added digitally). */
  protected override classifyWith(
    state: PointCloudState,
    ctx: ForwardContext,
    options: ForwardOptions,
  ): tf.Tensor2D {
    const { features } = state;
    if (!features) throw new Error('pointnet2: classify needs the global features');
    let h: tf.Tensor = tf.reshape(features, [features.shape[0], -1]);
    const hidden = this.layout.head.slice(0, -1);
    hidden.forEach((layer, i) => {
      h = this.layerBnRelu(layer, h, ctx);
      if (options.dropout && options.dropout.rate > 0) {
        h = tf.dropout(h, options.dropout.rate, undefined, options.dropout.seed + i);
      }
    });
    const out = this.layout.head[this.layout.head.length - 1];
    return tf.add(ctx.executor.run(out, h), this.params.get(HEAD_BIAS)) as tf.Tensor2D;
  }

  select(state: PointCloudState, positions: tf.Tensor1D): PointCloudState {
    const xyz = tf.gather(state.xyz, positions);
    return state.features ? { xyz, features: tf.gather(state.features, positions) } : { xyz };
  }
}
