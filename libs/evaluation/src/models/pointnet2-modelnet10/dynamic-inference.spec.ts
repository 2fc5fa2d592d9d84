import { DEFAULT_DEVICE_PROFILE, DeviceProfile, withOverrides } from '@engram/hardware';
import { PointNetLayout, layerMacs, pointNetMacs } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';
import { InferenceOutcome, runEngineInference } from '../../dynamic-inference';
import { programEngineChip } from '../../engine-chip';
import { ModelNetModelContext } from './model-context';
import { ballQueryOps, farthestPointSamplingOps, pointNetSegmentCosts } from './segment-costs';
import { TINY_POINTNET_SPEC, tinyPointNetContext } from './testing';

jest.setTimeout(120_000);

// The dynamic-vs-static equivalences of the ResNet issue, for PointNet++ on a tiny network.

const quiet = withOverrides(DEFAULT_DEVICE_PROFILE, {
  readNoise: { model: 'uniform', relativeStd: 0 },
});
const noisy = withOverrides(DEFAULT_DEVICE_PROFILE, {
  programmingNoise: { model: 'uniform', relativeStd: 0.1 },
  readNoise: { model: 'uniform', relativeStd: 0.05 },
});

let context: ModelNetModelContext;
let layout: PointNetLayout;
const COUNT = 40;

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
  context = tinyPointNetContext();
  layout = context.ternaryNetwork.layout;
});

async function run(
  profile: DeviceProfile,
  thresholds: number[],
  dynamic: boolean,
  seed = 7,
): Promise<{ outcome: InferenceOutcome; layerCalls: Map<string, number> }> {
  const { chip, engine } = await programEngineChip(
    context,
    profile,
    { seed, memories: context.memory(2, 0.25, 0), thresholds, exitRule: 'margin' },
    'tfjs',
  );
  try {
    const outcome = await runEngineInference(
      engine,
      chip,
      context.batches('test', COUNT),
      COUNT,
      dynamic,
    );
    return { outcome, layerCalls: new Map(engine.layerCalls) };
  } finally {
    await engine.dispose();
  }
}

describe('dynamic PointNet++ on simulated hardware', () => {
  it('equals the static network when the threshold never fires', async () => {
    const dynamic = (await run(quiet, [Infinity, Infinity], true)).outcome;
    const stat = (await run(quiet, [Infinity, Infinity], false)).outcome;
    expect(Array.from(dynamic.predictions)).toEqual(Array.from(stat.predictions));
    expect(Array.from(dynamic.exitIndex)).toEqual(new Array(COUNT).fill(2));
  });

  it('runs no later stage when every cloud leaves at exit 1', async () => {
    // The margin rule with threshold 0 lets every cloud leave at the first exit.
    const { outcome, layerCalls } = await run(quiet, [0, 0], true);
    expect(Array.from(outcome.exitIndex)).toEqual(new Array(COUNT).fill(0));
    const firstStage = [...layout.levels[0].layers, layout.exits[0].projection];
    expect([...layerCalls.keys()].sort()).toEqual(firstStage.map((l) => l.name).sort());
    const macs = firstStage.reduce((sum, l) => sum + layerMacs(l), 0);
    expect(outcome.counts.cimMacs / COUNT).toBe(macs);
  });

  it('counts the analytic MACs of the static network', async () => {
    const { outcome } = await run(quiet, [0.1, 0.1], false);
    // Hand count for TINY_POINTNET_SPEC: grouped points x in x out per shared-MLP layer.
    const expected =
      16 * 8 * (6 * 8 + 8 * 16) + // SA1: 16 centroids x 8 neighbours, (offset, xyz) -> 8 -> 16
      8 * 4 * ((3 + 16) * 16 + 16 * 16) + // SA2: 8 x 4, (offset, features) -> 16 -> 16
      8 * ((3 + 16) * 32) + // global level over 8 points
      32 * 16 + // head hidden
      16 * 4; // classifier
    expect(outcome.counts.cimMacs / COUNT).toBe(expected);
    expect(pointNetMacs(layout).total).toBe(expected);
    expect(TINY_POINTNET_SPEC.exits).toHaveLength(2);
  });

  it('reproduces a run bit for bit with the same seed and differs with another', async () => {
    const a = (await run(noisy, [0.05, 0.05], true, 11)).outcome;
    const b = (await run(noisy, [0.05, 0.05], true, 11)).outcome;
    const c = (await run(noisy, [0.05, 0.05], true, 12)).outcome;
    expect(Array.from(a.predictions)).toEqual(Array.from(b.predictions));
    expect(Array.from(a.exitIndex)).toEqual(Array.from(b.exitIndex));
    expect(a.counts).toEqual(b.counts);
    const staticA = (await run(noisy, [0.05, 0.05], false, 11)).outcome;
    const staticC = (await run(noisy, [0.05, 0.05], false, 12)).outcome;
    const differs =
      Array.from(a.exitIndex).join() !== Array.from(c.exitIndex).join() ||
      Array.from(staticA.predictions).join() !== Array.from(staticC.predictions).join();
    expect(differs).toBe(true);
  });
});

describe('pointNetSegmentCosts', () => {
  it('counts farthest point sampling and ball query apart from the other digital operations', async () => {
    const rows = [8, 8];
    const costs = pointNetSegmentCosts(layout, quiet, rows);
    const [sa1] = layout.levels;
    // SA1 over 64 points: FPS 16 x 64 x (3 + 2), ball query 16 x 64 x (3 + 1), offsets 16 x 8 x 6,
    // batch norm + ReLU 3 per output of each layer, max over 8 neighbours 16 x 7 x 16 (no
    // tile accumulation adds: every SA1 layer fits one 128-row tile).
    const expected = 16 * 8 * 6 + 3 * 16 * 8 * (8 + 16) + 16 * 7 * 16;
    expect(farthestPointSamplingOps(64, 16)).toBe(16 * 64 * 5);
    expect(ballQueryOps(64, 16)).toBe(16 * 64 * 4);
    expect(costs.stages[0].digitalOps).toBe(expected);
    expect(costs.stages[0].pointSamplingOps).toBe(
      farthestPointSamplingOps(64, 16) + ballQueryOps(64, 16),
    );
    expect(costs.digital.stages[0].pointSamplingOps).toBe(costs.stages[0].pointSamplingOps);
    expect(costs.stages[0].cimMacs).toBe(sa1.layers.reduce((s, l) => s + layerMacs(l), 0));
    expect(costs.stages).toHaveLength(3);
    expect(costs.exits[0].camBitSearches).toBe(8 * 16);
    expect(costs.staticNetwork.cimMacs).toBe(pointNetMacs(layout).total);
  });
});
