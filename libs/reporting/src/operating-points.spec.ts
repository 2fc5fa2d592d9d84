import { initTensorEngine } from '@engram/tensor';
import '@engram/engine-onnx';
import type { EvaluationConfig } from '@engram/contracts';
import {
  DEFAULT_DONT_CARE_MARGIN_STD,
  MnistModelContext,
  ModelNetModelContext,
  evaluateOnEngine,
  deviceProfileFor,
  evaluate,
  loadEvaluationModel,
} from '@engram/evaluation';
import {
  tinyPointNetContext,
  writeTinyResNetArtifact,
  runEvaluation,
} from '@engram/evaluation/testing';
import { sweepOperatingPoints } from './operating-points';

// The first sweep also builds the tiny model's calibration and memories.
jest.setTimeout(300_000);

// The sweep and evaluate on the default engine (onnx, registered by the import above).
const base: EvaluationConfig = {
  model: 'resnet-mnist',
  camThreshold: 0.05,
  memorySize: 2,
  seed: 7,
  sampleCount: 300,
};

let context: MnistModelContext;

beforeAll(async () => {
  await initTensorEngine({ log: () => undefined });
  process.env.ENGRAM_MODELS_DIR = writeTinyResNetArtifact();
  context = (await loadEvaluationModel('resnet-mnist')) as MnistModelContext;
});

describe('operating points on the tiny network', () => {
  /** The operating-point sweep of `config`'s chip over its first 200 test digits, K = 2. */
  const sweepOnePoint = (config: EvaluationConfig, thresholds: number[]) =>
    sweepOperatingPoints(context, deviceProfileFor(config), {
      seed: config.seed,
      split: 'test',
      count: 200,
      memorySizes: [2],
      thresholds: [thresholds],
      exitRule: 'margin',
      dontCareMarginStd: DEFAULT_DONT_CARE_MARGIN_STD,
    });

  it('measures each truncated network as the dynamic one in which every sample leaves there', async () => {
    const config: EvaluationConfig = { ...base, device: { programmingNoise: 0.05 } };
    // Margin >= 0 always holds: threshold 0 sends every remaining sample out at that exit.
    const sweep = await sweepOnePoint(config, [0, 0]);
    const atSecond = await sweepOnePoint(config, [Infinity, 0]);
    const [first, second] = sweep.truncated;
    expect(sweep.points[0].exitHistogram).toEqual([200, 0, 0]);
    expect(first.accuracy).toBe(sweep.points[0].dynamicAccuracy);
    expect(atSecond.points[0].exitHistogram).toEqual([0, 200, 0]);
    expect(second.accuracy).toBe(atSecond.points[0].dynamicAccuracy);
    const dynamicMacs = (point: { computeReduction: number }) =>
      sweep.staticMacsPerSample * (1 - point.computeReduction);
    expect(first.macsPerSample).toBeCloseTo(dynamicMacs(sweep.points[0]), 6);
    // Leaving at exit 2, the dynamic network has also searched exit 1; the truncated one has not.
    const exitOneHead = dynamicMacs(atSecond.points[0]) - second.macsPerSample;
    expect(exitOneHead).toBeGreaterThan(0);
    expect(exitOneHead).toBeLessThan(0.01 * sweep.staticMacsPerSample);
  });

  it('derives the same operating points from one hardware pass as real dynamic inference', async () => {
    // Read and sense noise on: both are keyed by sample, so the pass and a dynamic run agree.
    const device = { readNoise: 0.05, programmingNoise: 0.05 };
    const config: EvaluationConfig = { ...base, sampleCount: 200, device, camThreshold: 0.03 };
    const real = await evaluate({ ...config, timing: 'measured' });
    expect(real.exitHistogram[0]).toBeGreaterThan(0);
    expect(real.exitHistogram[0]).toBeLessThan(200);
    const sweep = await sweepOnePoint(config, [0.03, 0.03]);
    expect(sweep.staticAccuracy).toBe(real.staticAccuracy);
    expect(sweep.points[0].exitHistogram).toEqual(real.exitHistogram);
    expect(sweep.points[0].dynamicAccuracy).toBe(real.dynamicAccuracy);
    expect(sweep.points[0].computeReduction).toBeCloseTo(real.computeReduction, 12);
    expect(sweep.points[0].energyPerInferencePj).toBeCloseTo(real.energyPerInferencePj, 6);
    expect(sweep.points[0].energyReductionVsDigitalStatic).toBeCloseTo(
      real.energyReductionVsDigitalStatic,
      9,
    );
    expect(sweep.points[0].energyReductionVsDigitalDynamic).toBeCloseTo(
      real.energyReductionVsDigitalDynamic,
      9,
    );
  });

  it('runs the same static pass as evaluate, read noise included', async () => {
    const config: EvaluationConfig = {
      ...base,
      sampleCount: 200,
      device: { readNoise: 0.05, programmingNoise: 0.05 },
    };
    const real = await runEvaluation(config);
    const sweep = await sweepOnePoint(config, [0.03, 0.03]);
    expect(sweep.staticAccuracy).toBe(real.result.staticAccuracy);
    // The loss's standard error comes from the samples on which dynamic and static disagree.
    const point = sweep.points[0];
    expect(point.lossStdError).toBeGreaterThanOrEqual(0);
    expect(point.lossStdError).toBeLessThan(Math.sqrt(200) / 200 + 1e-12);
    const never = await sweepOnePoint(config, [Infinity, Infinity]);
    expect(never.points[0].lossStdError).toBe(0);
    expect(never.points[0].dynamicAccuracy).toBe(never.staticAccuracy);
  });
});

describe('operating points on the tiny PointNet++', () => {
  let context: ModelNetModelContext;
  const config = {
    model: 'pointnet2-modelnet10' as const,
    memorySize: 2,
    seed: 3,
    sampleCount: 30,
    device: { programmingNoise: 0.05, readNoise: 0 },
  };

  beforeAll(() => {
    context = tinyPointNetContext(5);
  });

  afterAll(() => context.dispose());

  it('agrees with the operating-point sweep when there is no noise to realize differently', async () => {
    const quiet = { ...config, device: { programmingNoise: 0, readNoise: 0, tcamSenseNoise: 0 } };
    const thresholds = [0.03, 0.06];
    const single = (await evaluateOnEngine(context, { ...quiet, camThreshold: thresholds })).result;
    const sweep = await sweepOperatingPoints(
      context,
      deviceProfileFor({ ...quiet, camThreshold: 0 }),
      {
        seed: quiet.seed,
        split: 'test',
        count: 30,
        memorySizes: [2],
        thresholds: [thresholds],
        exitRule: 'margin',
        dontCareMarginStd: 0.25,
      },
    );
    expect(sweep.points[0].exitHistogram).toEqual(single.exitHistogram);
    expect(sweep.points[0].dynamicAccuracy).toBeCloseTo(single.dynamicAccuracy, 12);
    expect(sweep.points[0].computeReduction).toBeCloseTo(single.computeReduction, 12);
    expect(sweep.staticAccuracy).toBeCloseTo(single.staticAccuracy, 12);
  });
});
