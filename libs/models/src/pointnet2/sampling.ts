/**
 * The index computations of a set-abstraction level, in plain TypeScript on typed arrays: they
 * depend only on the coordinates, run outside the tensor engine (on the chip: digital logic,
 * counted as digital operations), and are deterministic.
 */

/**
 * Farthest point sampling of one cloud of `n` points (x y z at xyz[offset + 3i ..]): the first
 * centroid is point `start` (0 by default), each next one the point whose squared distance to the
 * nearest chosen centroid is largest (ties go to the lowest index). Writes `npoint` indices into
 * `out` at `outOffset`.
 */
export function farthestPointSample(
  xyz: Float32Array,
  n: number,
  npoint: number,
  out: Int32Array = new Int32Array(npoint),
  options: { offset?: number; outOffset?: number; start?: number; scratch?: Float64Array } = {},
): Int32Array {
  const { offset = 0, outOffset = 0, start = 0 } = options;
  if (npoint > n) throw new RangeError(`cannot sample ${npoint} centroids from ${n} points`);
  if (start < 0 || start >= n) throw new RangeError(`start ${start} is not a point of the cloud`);
  const nearest = options.scratch ?? new Float64Array(n);
  nearest.fill(Infinity, 0, n);
  let current = start;
  for (let i = 0; i < npoint; i++) {
    out[outOffset + i] = current;
    const c = offset + 3 * current;
    const cx = xyz[c];
    const cy = xyz[c + 1];
    const cz = xyz[c + 2];
    let best = 0;
    let bestDistance = -1;
    for (let j = 0, p = offset; j < n; j++, p += 3) {
      const dx = xyz[p] - cx;
      const dy = xyz[p + 1] - cy;
      const dz = xyz[p + 2] - cz;
      const d = dx * dx + dy * dy + dz * dz;
      if (d < nearest[j]) nearest[j] = d;
      if (nearest[j] > bestDistance) {
        bestDistance = nearest[j];
        best = j;
      }
    }
    current = best;
  }
  return out;
}

/**
 * Ball query of one cloud: for each centroid (given as a point index of the same cloud), the first
 * `nsample` points in index order whose squared distance is below radius^2; when fewer are found,
 * the remaining slots repeat the first one found (the PointNet++ convention). The centroid itself
 * is always in its ball, so every group is filled.
 */
export function ballQuery(
  xyz: Float32Array,
  n: number,
  centroids: ArrayLike<number>,
  radius: number,
  nsample: number,
  out: Int32Array = new Int32Array(centroids.length * nsample),
  options: { offset?: number; centroidOffset?: number; count?: number; outOffset?: number } = {},
): Int32Array {
  const { offset = 0, centroidOffset = 0, outOffset = 0 } = options;
  const count = options.count ?? centroids.length - centroidOffset;
  const r2 = radius * radius;
  for (let c = 0; c < count; c++) {
    const index = centroids[centroidOffset + c];
    const q = offset + 3 * index;
    const cx = xyz[q];
    const cy = xyz[q + 1];
    const cz = xyz[q + 2];
    const base = outOffset + c * nsample;
    let found = 0;
    for (let j = 0, p = offset; j < n && found < nsample; j++, p += 3) {
      const dx = xyz[p] - cx;
      const dy = xyz[p + 1] - cy;
      const dz = xyz[p + 2] - cz;
      if (dx * dx + dy * dy + dz * dz < r2) {
        if (found === 0) out.fill(j, base, base + nsample);
        out[base + found] = j;
        found++;
      }
    }
    if (found === 0) throw new RangeError(`centroid ${index} has no point within its ball`);
  }
  return out;
}

/** The grouping of one set-abstraction level for a batch of clouds. */
export interface LevelGrouping {
  batch: number;
  /** Points per cloud at the level's input. */
  inputPoints: number;
  npoint: number;
  nsample: number;
  /** Centroid indices within each cloud, [batch][npoint]. */
  centroids: Int32Array;
  /** Neighbour indices within each cloud, [batch][npoint][nsample]. */
  neighbours: Int32Array;
}

type LevelSpec = { npoint: number; radius: number; nsample: number };

/**
 * A batch's grouping, one cloud at a time: `groupCloud(b, into)` writes cloud b's centroids and
 * neighbours into the batch's arrays at the given offsets.
 */
function groupBatch(
  xyz: Float32Array,
  batch: number,
  n: number,
  level: LevelSpec,
  groupCloud: (b: number, into: LevelGrouping, offsets: { centroid: number; neighbour: number }) => void,
): LevelGrouping {
  const { npoint, nsample } = level;
  if (xyz.length !== batch * n * 3) {
    throw new RangeError(`expected ${batch} x ${n} x 3 coordinates, got ${xyz.length}`);
  }
  const grouping: LevelGrouping = {
    batch,
    inputPoints: n,
    npoint,
    nsample,
    centroids: new Int32Array(batch * npoint),
    neighbours: new Int32Array(batch * npoint * nsample),
  };
  for (let b = 0; b < batch; b++) {
    groupCloud(b, grouping, { centroid: b * npoint, neighbour: b * npoint * nsample });
  }
  return grouping;
}

/**
 * Farthest point sampling and ball query for every cloud of a batch (xyz [batch][n][3]).
 */
export function groupLevel(
  xyz: Float32Array,
  batch: number,
  n: number,
  level: LevelSpec,
): LevelGrouping {
  const { npoint, radius, nsample } = level;
  const scratch = new Float64Array(n);
  return groupBatch(xyz, batch, n, level, (b, { centroids, neighbours }, outOffset) => {
    const offset = b * n * 3;
    farthestPointSample(xyz, n, npoint, centroids, {
      offset,
      outOffset: outOffset.centroid,
      scratch,
    });
    ballQuery(xyz, n, centroids, radius, nsample, neighbours, {
      offset,
      centroidOffset: outOffset.centroid,
      count: npoint,
      outOffset: outOffset.neighbour,
    });
  });
}

/**
 * Indices into the batch's points flattened to [batch * n]: index + cloud * n, where each cloud
 * owns `perCloud` consecutive entries of `indices`. (tf.gather with batchDims is avoided: it
 * returns wrong values on the wasm backend, tfjs#8658.)
 */
export function flattenIndices(indices: Int32Array, perCloud: number, n: number): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = indices[i] + Math.floor(i / perCloud) * n;
  return out;
}

interface CachedGrouping {
  /** The cloud's coordinates, compared on every hit: a hit is exact, never a hash collision. */
  xyz: Float32Array;
  centroids: Int32Array;
  neighbours: Int32Array;
}

/**
 * groupLevel with a memory: farthest point sampling and ball query depend only on a cloud's
 * coordinates (and the level), so a process that runs the same test clouds through many
 * simulated chips (a sweep) computes each cloud's grouping once. Bounded: when full it is
 * cleared. Results equal groupLevel's exactly.
 */
export class GroupingCache {
  private readonly entries = new Map<string, CachedGrouping>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = 4096) {}

  clear(): void {
    this.entries.clear();
  }

  group(xyz: Float32Array, batch: number, n: number, level: LevelSpec): LevelGrouping {
    const { npoint, radius, nsample } = level;
    return groupBatch(xyz, batch, n, level, (b, { centroids, neighbours }, offsets) => {
      const cloud = xyz.subarray(b * n * 3, (b + 1) * n * 3);
      const key = `${npoint}|${radius}|${nsample}|${n}|${cloudHash(cloud)}`;
      let entry = this.entries.get(key);
      if (entry && !sameValues(entry.xyz, cloud)) entry = undefined;
      if (entry) {
        this.hits++;
      } else {
        this.misses++;
        const one = groupLevel(cloud, 1, n, level);
        entry = { xyz: cloud.slice(), centroids: one.centroids, neighbours: one.neighbours };
        if (this.entries.size >= this.maxEntries) this.entries.clear();
        this.entries.set(key, entry);
      }
      centroids.set(entry.centroids, offsets.centroid);
      neighbours.set(entry.neighbours, offsets.neighbour);
    });
  }
}

/** Two 32-bit FNV-1a-style hashes of the coordinates' bits, as one key. */
function cloudHash(cloud: Float32Array): string {
  const words = new Uint32Array(cloud.buffer, cloud.byteOffset, cloud.length);
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < words.length; i++) {
    a = Math.imul(a ^ words[i], 0x01000193);
    b = Math.imul(b ^ words[i], 0x5bd1e995) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

/** Bit-for-bit equality of two clouds. */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
