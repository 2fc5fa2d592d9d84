import * as os from 'node:os';
import { DEFAULT_DEVICE_PROFILE } from '@engram/hardware';
import type { EvaluationResult, ModelName } from '@engram/contracts';
import { DEFAULT_DONT_CARE_MARGIN_STD, evaluate, loadEvaluationModel } from '@engram/evaluation';
import { OperatingPoint, OperatingPointSweep, sweepOperatingPoints } from './operating-points';
import { ChipInterval, checkDisjointChipSets, chipInterval } from './chip-statistics';
import { RobustnessCurve, RobustnessCurveSpec, robustnessCurves } from './robustness';
import { REPORT_NOTES } from './report-notes';
import { ChartSeries, renderLineChart } from './svg-chart';
import { energySection } from './energy-section';

/** What a report checks: the issue's targets (fractions; points are percentage points). */
export interface ReportTargets {
  floatAccuracy: number;
  hardwareStaticWithinPoints: number;
  maxDynamicLossPoints: number;
  /** The paper's compute reduction for this task. */
  paperComputeReduction: number;
  /** Our own, higher goal where the issue sets one. */
  goalComputeReduction?: number;
}

export interface ReportOptions {
  /** Test samples (first n of the evaluation order; default all). */
  samples?: number;
  /** Validation samples the operating points are chosen on (default: the whole split). */
  validationSamples?: number;
  /** Chips (seeds) the operating point is chosen on, with the validation split. */
  selectionSeeds: number[];
  /** Chips the report's figures are measured on, with the test split (disjoint from the above). */
  testSeeds: number[];
  memorySizes: number[];
  /** Candidate thresholds; every exit takes every value (a grid of per-exit thresholds). */
  thresholds: number[];
  robustness: RobustnessOptions;
  onProgress?: (message: string) => void;
}

export interface RobustnessOptions {
  /** Test samples per chip and level (the first n; fewer than the headline figures: 10 chips x
   * every level is the costliest part of the report). */
  samples: number;
  programmingNoiseLevels: number[];
  adcBits: number[];
  readNoiseLevels: number[];
}

/** Ten chips choose the operating point, ten others report it. */
const SELECTION_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const TEST_SEEDS = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110];
const ROBUSTNESS_LEVELS = {
  programmingNoiseLevels: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3],
  adcBits: [4, 6, 8],
  readNoiseLevels: [0, 0.01, 0.02, 0.05, 0.1],
};
/** A stage that fewer than this fraction of samples reach is flagged. */
const STAGE_SERVICE_FLOOR = 0.01;

interface ReportProfile {
  title: string;
  /** What one sample is, plural ("MNIST test images"). */
  samplesNoun: string;
  targets: ReportTargets;
  defaults: ReportOptions;
}

const THRESHOLDS = [0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25];

/** Per model: the issue's targets and the committed report's settings. */
export const REPORT_PROFILES: Record<ModelName, ReportProfile> = {
  'resnet-mnist': {
    title: 'resnet-mnist: semantic-memory dynamic network on simulated memristor hardware',
    samplesNoun: 'MNIST test images',
    targets: {
      floatAccuracy: 0.993,
      hardwareStaticWithinPoints: 0.5,
      maxDynamicLossPoints: 0.5,
      paperComputeReduction: 0.481,
      goalComputeReduction: 0.55,
    },
    defaults: {
      selectionSeeds: SELECTION_SEEDS,
      testSeeds: TEST_SEEDS,
      memorySizes: [1, 2, 4, 8],
      thresholds: THRESHOLDS,
      robustness: { samples: 2000, ...ROBUSTNESS_LEVELS },
    },
  },
  'pointnet2-modelnet10': {
    title:
      'pointnet2-modelnet10: semantic-memory dynamic PointNet++ on simulated memristor hardware',
    samplesNoun: 'ModelNet10 test clouds',
    targets: {
      floatAccuracy: 0.9,
      hardwareStaticWithinPoints: 1,
      maxDynamicLossPoints: 1,
      paperComputeReduction: 0.159,
    },
    defaults: {
      selectionSeeds: SELECTION_SEEDS,
      testSeeds: TEST_SEEDS,
      memorySizes: [1, 2, 4, 8],
      thresholds: [...THRESHOLDS, 0.3, 0.35, 0.4],
      robustness: { samples: 300, ...ROBUSTNESS_LEVELS },
    },
  },
};

export interface ModelReport {
  markdown: string;
  data: unknown;
  /** Plotted figures, written next to the report: file name -> SVG. */
  figures: Record<string, string>;
}

const pct = (x: number, digits = 2): string =>
  Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : 'n/a';
/** "1 point", "0.5 points". */
const pointsText = (n: number): string => `${n} point${n === 1 ? '' : 's'}`;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** x <= bound for point differences of accuracies (1 - 0.99 is not exactly 0.01 in floats). */
const atMost = (x: number, bound: number): boolean => x <= bound + 1e-9;

/** Every combination of one threshold per exit. */
function thresholdGrid(values: number[], exits: number): number[][] {
  let grid: number[][] = [[]];
  for (let e = 0; e < exits; e++)
    grid = grid.flatMap((prefix) => values.map((v) => [...prefix, v]));
  return grid;
}

interface AveragedPoint {
  memorySize: number;
  thresholds: number[];
  dynamicAccuracy: number;
  lossPoints: number;
  /** Standard error of lossPoints (the chips' mean; they share the samples). */
  lossStdErrorPoints: number;
  computeReduction: number;
  /** Against the static network on the profile's digital baseline. */
  energyReductionVsDigital: number;
  /** Against the same digital baseline with the same exits. */
  energyReductionVsDigitalSameExits: number;
  energyReductionVsStatic: number;
  energyPerInferencePj: number;
  exitFractions: number[];
}

/** Operating points averaged over the chips (seeds) of one split. */
function averagePoints(sweeps: OperatingPointSweep[], count: number): AveragedPoint[] {
  const staticMean = mean(sweeps.map((s) => s.staticAccuracy));
  return sweeps[0].points.map((_, i) => {
    const at = (f: (p: OperatingPoint) => number): number =>
      mean(sweeps.map((s) => f(s.points[i])));
    const p0 = sweeps[0].points[i];
    const dynamicAccuracy = at((p) => p.dynamicAccuracy);
    return {
      memorySize: p0.memorySize,
      thresholds: p0.thresholds,
      dynamicAccuracy,
      lossPoints: 100 * (staticMean - dynamicAccuracy),
      lossStdErrorPoints: 100 * at((p) => p.lossStdError),
      computeReduction: at((p) => p.computeReduction),
      energyReductionVsDigital: at((p) => p.energyReductionVsDigitalStatic),
      energyReductionVsDigitalSameExits: at((p) => p.energyReductionVsDigitalDynamic),
      energyReductionVsStatic: at((p) => p.energyReductionVsStatic),
      energyPerInferencePj: at((p) => p.energyPerInferencePj),
      exitFractions: p0.exitHistogram.map((_, e) => at((p) => p.exitHistogram[e] / count)),
    };
  });
}

/**
 * An operating point is chosen on validation when its loss stays within the bound by this many
 * standard errors: the point with the largest compute reduction at exactly the bound would, by
 * chance alone, exceed it on the test split about half of the time.
 */
const SELECTION_STD_ERRORS = 2;

/** Per-chip figures of one operating point (index into the sweeps' points). */
function pointIntervals(sweeps: OperatingPointSweep[], index: number) {
  const at = (f: (s: OperatingPointSweep, p: OperatingPoint) => number): ChipInterval =>
    chipInterval(sweeps.map((s) => f(s, s.points[index])));
  return {
    staticAccuracy: at((s) => s.staticAccuracy),
    dynamicAccuracy: at((_, p) => p.dynamicAccuracy),
    lossPoints: at((s, p) => 100 * (s.staticAccuracy - p.dynamicAccuracy)),
    computeReduction: at((_, p) => p.computeReduction),
    energyReductionVsDigital: at((_, p) => p.energyReductionVsDigitalStatic),
    energyReductionVsDigitalSameExits: at((_, p) => p.energyReductionVsDigitalDynamic),
    energyReductionVsStatic: at((_, p) => p.energyReductionVsStatic),
  };
}

/** Fraction of samples that reach each stage after the first, from where they leave. */
function stageReach(exitFractions: number[]): number[] {
  const reach: number[] = [];
  let remaining = 1;
  for (let e = 0; e < exitFractions.length - 1; e++) {
    remaining -= exitFractions[e];
    reach.push(Math.max(0, remaining));
  }
  return reach;
}

const ci = (x: ChipInterval, digits = 2): string =>
  `${(100 * x.mean).toFixed(digits)}% ± ${(100 * x.halfWidth95).toFixed(digits)}`;
const ciPoints = (x: ChipInterval): string => `${x.mean.toFixed(2)} ± ${x.halfWidth95.toFixed(2)}`;

const CURVE_COLORS = ['#d62728', '#ff7f0e', '#1f77b4', '#2ca02c', '#9467bd'];

function robustnessSpecs(options: RobustnessOptions): RobustnessCurveSpec[] {
  return [
    ...options.adcBits.map((bits) => ({
      label: `ADC ${bits} bits`,
      knob: 'programmingNoise' as const,
      levels: options.programmingNoiseLevels,
      fixed: { adcBits: bits },
    })),
    {
      label: 'read noise',
      knob: 'readNoise' as const,
      levels: options.readNoiseLevels,
      fixed: {},
    },
  ];
}

/** An accuracy's interval drawn within [0, 100]% (a t interval of few chips can pass either end). */
const clampPercent = (fraction: number): number => Math.min(100, Math.max(0, 100 * fraction));

/** The report's two robustness figures (file name -> SVG) from its curves. */
function robustnessFigures(
  model: ModelName,
  chips: number,
  curves: RobustnessCurve[],
): Record<string, string> {
  return {
    [`${model}-programming-noise.svg`]: robustnessFigure(
      `${model}: accuracy vs programming noise (${chips} chips, 95% CI)`,
      'programming noise (relative std, fraction of the conductance window)',
      curves.filter((c) => c.knob === 'programmingNoise'),
    ),
    [`${model}-read-noise.svg`]: robustnessFigure(
      `${model}: accuracy vs read noise (${chips} chips, 95% CI)`,
      'read noise (relative std per read)',
      curves.filter((c) => c.knob === 'readNoise'),
    ),
  };
}

/**
 * The figures of a written report, redrawn from its JSON data (`engram report <model>
 * --figures-only`): what a change of the drawing needs, without recomputing the report.
 */
export function reportFiguresFromData(
  model: ModelName,
  data: { testSeeds: number[]; robustness: RobustnessCurve[] },
): Record<string, string> {
  if (!data.robustness?.length)
    throw new Error(`the ${model} report data has no robustness curves`);
  return robustnessFigures(model, data.testSeeds.length, data.robustness);
}

function robustnessFigure(title: string, xLabel: string, curves: RobustnessCurve[]): string {
  const series: ChartSeries[] = curves.flatMap((curve, i) => {
    const color = CURVE_COLORS[i % CURVE_COLORS.length];
    const label = curves.length > 1 ? `${curve.label}, ` : '';
    return [
      {
        label: `${label}static`,
        color,
        points: curve.points.map((p) => ({
          x: p.level,
          y: 100 * p.static.mean,
          low: clampPercent(p.static.low95),
          high: clampPercent(p.static.high95),
        })),
      },
      {
        label: `${label}dynamic`,
        color,
        dashed: true,
        points: curve.points.map((p) => ({
          x: p.level,
          y: 100 * p.dynamic.mean,
          low: clampPercent(p.dynamic.low95),
          high: clampPercent(p.dynamic.high95),
        })),
      },
    ];
  });
  return renderLineChart({ title, xLabel, yLabel: 'test accuracy (%)', series });
}

/**
 * The committed report of a model: software and hardware accuracies, then the dynamic network's
 * accuracy, compute and energy over CAM thresholds (per exit) and memory sizes. Operating points
 * are chosen on the validation split with one set of chips and reported on the test split with
 * another; every headline figure carries its 95% confidence interval over the test chips. Also:
 * the static network truncated at each exit, how many samples each stage serves, robustness
 * curves against device noise and ADC resolution, and a check with real dynamic inference.
 */
export async function buildModelReport(
  model: ModelName,
  overrides: Partial<ReportOptions> = {},
): Promise<ModelReport> {
  const profile = REPORT_PROFILES[model];
  const options: ReportOptions = { ...profile.defaults, ...overrides };
  checkDisjointChipSets(options.selectionSeeds, options.testSeeds);
  const targets = profile.targets;
  const started = Date.now();
  const log = options.onProgress ?? (() => undefined);
  const context = await loadEvaluationModel(model);
  const count = Math.min(options.samples ?? Infinity, context.sampleCount('test'));
  const labels = context.labels('test').subarray(0, count);
  const accuracyOf = (predictions: Uint16Array): number =>
    predictions.reduce((correct, p, i) => correct + (p === labels[i] ? 1 : 0), 0) / count;

  log('software accuracy (float and ternary, noise-free)');
  const floatAccuracy = accuracyOf(context.softwarePredictions('test', count, 'float'));
  const ternaryAccuracy = accuracyOf(context.softwarePredictions('test', count, 'ternary'));

  const exits = context.network.exits.length;
  const stages = context.network.stageCount;
  const grid = thresholdGrid(options.thresholds, exits);
  const validationCount = Math.min(
    options.validationSamples ?? Infinity,
    context.sampleCount('validation'),
  );
  const sweepSplit = async (
    split: 'test' | 'validation',
    n: number,
    seeds: number[],
  ): Promise<OperatingPointSweep[]> => {
    const sweeps: OperatingPointSweep[] = [];
    for (const seed of seeds) {
      log(
        `${split}, chip seed ${seed}: hardware pass over ${n} samples and ${grid.length * options.memorySizes.length} operating points`,
      );
      sweeps.push(
        await sweepOperatingPoints(context, DEFAULT_DEVICE_PROFILE, {
          seed,
          split,
          count: n,
          memorySizes: options.memorySizes,
          thresholds: grid,
          exitRule: 'margin',
          dontCareMarginStd: DEFAULT_DONT_CARE_MARGIN_STD,
          onProgress: log,
        }),
      );
    }
    return sweeps;
  };
  // Chosen on the validation split with the selection chips; reported on the test split with
  // other chips, so neither the samples nor the chips of a test figure took part in its choice.
  const validation = averagePoints(
    await sweepSplit('validation', validationCount, options.selectionSeeds),
    validationCount,
  );
  const sweeps = await sweepSplit('test', count, options.testSeeds);
  const staticAccuracy = chipInterval(sweeps.map((s) => s.staticAccuracy));
  const averaged = averagePoints(sweeps, count);
  const withinLoss = (p: AveragedPoint) =>
    atMost(
      p.lossPoints + SELECTION_STD_ERRORS * p.lossStdErrorPoints,
      targets.maxDynamicLossPoints,
    );
  const ranked = validation
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => withinLoss(p))
    .sort((a, b) => b.p.computeReduction - a.p.computeReduction);
  // The same rule, but every stage must serve at least STAGE_SERVICE_FLOOR of the samples (on
  // validation): an operating point that never runs the last stage is a truncated network.
  const rankedServingAll = ranked.filter(
    ({ p }) => p.exitFractions[exits] >= STAGE_SERVICE_FLOOR - 1e-12,
  );
  const eligible = ranked.map(({ i }) => averaged[i]);
  const best = eligible[0];
  const bestIndex = ranked[0]?.i;
  const constrainedIndex = rankedServingAll[0]?.i;
  const staticMacs = sweeps[0].staticMacsPerSample;
  const energy =
    bestIndex !== undefined && energySection(model, sweeps, bestIndex, DEFAULT_DEVICE_PROFILE);

  let check: EvaluationResult | undefined;
  let curves: RobustnessCurve[] = [];
  if (best) {
    log(
      `real dynamic inference at the chosen point (K=${best.memorySize}, thresholds ${best.thresholds.join('/')})`,
    );
    check = await evaluate({
      model,
      camThreshold: best.thresholds,
      memorySize: best.memorySize,
      seed: options.testSeeds[0],
      sampleCount: count,
      timing: 'measured',
    });
    curves = await robustnessCurves(context, robustnessSpecs(options.robustness), {
      seeds: options.testSeeds,
      count: Math.min(options.robustness.samples, count),
      memorySize: best.memorySize,
      thresholds: best.thresholds,
      onProgress: log,
    });
  }

  const lines: string[] = [];
  const date = new Date().toISOString().slice(0, 10);
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  lines.push(`# ${profile.title}`);
  lines.push('');
  lines.push(
    `Produced by \`npm run -s engram -- report ${model}\` on ${date} in ${Math.round((Date.now() - started) / 1000)} s on ${os.cpus().length} cores (${cpu}, Node ${process.version}). ` +
      `Artifact version \`${context.version}\`, device profile \`${DEFAULT_DEVICE_PROFILE.name}\`, ${count} ${profile.samplesNoun}.`,
  );
  lines.push('');
  lines.push(
    `Chips: operating points are chosen on the validation split (${validationCount} samples held out of the training set) with chips (seeds) ${options.selectionSeeds.join(', ')}, ` +
      `and every figure below is measured on the test split with other chips: ${options.testSeeds.join(', ')}. ` +
      `"a ± b" is the mean over the ${options.testSeeds.length} test chips and the half-width of its 95% confidence interval (Student's t over chips); the samples are the same on every chip, so the interval is the chip-to-chip (device) variation only.`,
  );
  lines.push('');
  lines.push('## Accuracy');
  lines.push('');
  lines.push('| network | accuracy | target |');
  lines.push('|---|---|---|');
  lines.push(
    `| float (software reference) | ${pct(floatAccuracy)} | >= ${pct(targets.floatAccuracy, 1)}: ${floatAccuracy >= targets.floatAccuracy ? 'met' : `missed by ${(100 * (targets.floatAccuracy - floatAccuracy)).toFixed(2)} points`} |`,
  );
  lines.push(`| ternary (software, noise-free) | ${pct(ternaryAccuracy)} | |`);
  const staticGap = chipInterval(sweeps.map((s) => 100 * (floatAccuracy - s.staticAccuracy)));
  lines.push(
    `| ternary on simulated hardware, static (${options.testSeeds.length} chips; sd ${(100 * staticAccuracy.sd).toFixed(2)}) | ${ci(staticAccuracy)} | within ${pointsText(targets.hardwareStaticWithinPoints)} of float: ${atMost(staticGap.mean, targets.hardwareStaticWithinPoints) ? 'met' : 'missed'} (${ciPoints(staticGap)} points below) |`,
  );
  lines.push('');
  const notes = REPORT_NOTES[model];
  if (notes) {
    const ternaryGap = 100 * (floatAccuracy - ternaryAccuracy);
    lines.push('### Closing the gap to float');
    lines.push('');
    lines.push(
      `Of the ${staticGap.mean.toFixed(2)} points between float and the static network on the test chips, ${ternaryGap.toFixed(2)} are the ternary network's own (noise-free software) and ${(staticGap.mean - ternaryGap).toFixed(2)} the simulated hardware (the default device profile's noise and converters).`,
    );
    lines.push('');
    lines.push('Tried:');
    lines.push('');
    notes.tried.forEach((note) => lines.push(`- ${note}`));
    lines.push('');
    lines.push('Not tried:');
    lines.push('');
    notes.notTried.forEach((note) => lines.push(`- ${note}`));
    lines.push('');
  }
  lines.push('## Dynamic network: one threshold for both exits');
  lines.push('');
  lines.push(
    'Loss is against the static network on the same simulated chips. Means over the test chips.',
  );
  lines.push('');
  lines.push(
    `| memory size K | threshold | dynamic accuracy | loss (points) | compute reduction | energy reduction vs digital (static network) | vs static on chip | left at ${[...Array(exits).keys()].map((e) => `exit ${e + 1}`).join(' / ')} / end |`,
  );
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const p of averaged.filter((q) => q.thresholds.every((t) => t === q.thresholds[0]))) {
    lines.push(
      `| ${p.memorySize} | ${p.thresholds[0]} | ${pct(p.dynamicAccuracy)} | ${p.lossPoints.toFixed(2)} | ${pct(p.computeReduction, 1)} | ${pct(p.energyReductionVsDigital, 1)} | ${pct(p.energyReductionVsStatic, 1)} | ${p.exitFractions.map((f) => pct(f, 1)).join(' / ')} |`,
    );
  }
  lines.push('');
  const bound = targets.maxDynamicLossPoints;
  lines.push(`## Chosen operating points (per-exit thresholds, loss <= ${pointsText(bound)})`);
  lines.push('');
  lines.push(
    `Rule, applied on validation with the selection chips: the largest compute reduction whose loss plus ${SELECTION_STD_ERRORS} standard errors stays within ${pointsText(bound)} (the point with the largest reduction at exactly the bound would exceed it on new samples about half of the time). ` +
      `The constrained choice adds that every stage serves at least ${pct(STAGE_SERVICE_FLOOR, 0)} of the samples on validation (a point that never runs the last stage is a truncated network, not a dynamic one).`,
  );
  lines.push('');
  const verdict = (reduction: number, target: number, lossPoints: number): string => {
    if (lossPoints > bound)
      return `missed: the loss, ${lossPoints.toFixed(2)} points, is over ${bound}`;
    return reduction >= target
      ? 'met'
      : `missed by ${(100 * (target - reduction)).toFixed(1)} points of compute reduction`;
  };
  const chosen: { name: string; index: number }[] = [];
  if (bestIndex !== undefined) chosen.push({ name: 'unconstrained', index: bestIndex });
  if (constrainedIndex !== undefined)
    chosen.push({ name: `every stage >= ${pct(STAGE_SERVICE_FLOOR, 0)}`, index: constrainedIndex });
  const chosenData = chosen.map(({ name, index }) => ({
    name,
    point: averaged[index],
    validation: validation[index],
    intervals: pointIntervals(sweeps, index),
  }));
  if (chosenData.length) {
    lines.push(
      `| choice | K | thresholds | dynamic accuracy | loss (points) | compute reduction | energy reduction vs digital: static / same exits | vs static on chip | samples reaching stage ${[...Array(stages - 1).keys()].map((s) => s + 2).join(' / ')} |`,
    );
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const { name, point, intervals } of chosenData) {
      const reach = stageReach(point.exitFractions);
      lines.push(
        `| ${name} | ${point.memorySize} | ${point.thresholds.join(' / ')} | ${ci(intervals.dynamicAccuracy)} | ${ciPoints(intervals.lossPoints)} | ${ci(intervals.computeReduction, 1)} | ${ci(intervals.energyReductionVsDigital, 1)} / ${ci(intervals.energyReductionVsDigitalSameExits, 1)} | ${ci(intervals.energyReductionVsStatic, 1)} | ${reach.map((r) => `${pct(r, 1)}${r < STAGE_SERVICE_FLOOR ? ' (flagged)' : ''}`).join(' / ')} |`,
      );
    }
    lines.push('');
    for (const { name, point, validation: v, intervals } of chosenData) {
      const reach = stageReach(point.exitFractions);
      const starved = reach
        .map((r, s) => ({ r, stage: s + 2 }))
        .filter(({ r }) => r < STAGE_SERVICE_FLOOR);
      lines.push(
        `- ${name}: on validation ${pct(v.computeReduction, 1)} at a loss of ${v.lossPoints.toFixed(2)} ± ${v.lossStdErrorPoints.toFixed(2)} (standard error) points. ` +
          `Paper (${pct(targets.paperComputeReduction, 1)}): ${verdict(intervals.computeReduction.mean, targets.paperComputeReduction, intervals.lossPoints.mean)}.` +
          (targets.goalComputeReduction === undefined
            ? ''
            : ` Goal (${pct(targets.goalComputeReduction, 0)}): ${verdict(intervals.computeReduction.mean, targets.goalComputeReduction, intervals.lossPoints.mean)}.`) +
          (starved.length
            ? ` **Flagged: stage ${starved.map((x) => x.stage).join(' and ')} serves ${starved.map((x) => pct(x.r, 2)).join(' and ')} of the test samples: at this point the network is in effect truncated before it; compare with the truncated static networks below.**`
            : ''),
      );
    }
    if (constrainedIndex === undefined) {
      lines.push(
        `- No point within the loss rule lets every stage serve ${pct(STAGE_SERVICE_FLOOR, 0)} of the validation samples.`,
      );
    }
  } else {
    lines.push(
      `- No operating point stays within ${pointsText(bound)} of the static accuracy on validation (by ${SELECTION_STD_ERRORS} standard errors).`,
    );
  }
  lines.push('');
  if (best) {
    lines.push('## Baselines for early exit: the static network truncated at each exit');
    lines.push('');
    if (notes?.exitDesign) {
      lines.push(notes.exitDesign);
      lines.push('');
    }
    lines.push(
      `Every sample leaves at the exit with the TCAM's best-matching class (memory size K = ${best.memorySize}, the chosen point's), on the same test chips: the accuracy a static network of that depth reaches on the same hardware, for a fixed share of the compute.`,
    );
    lines.push('');
    lines.push('| network | accuracy | MACs per sample | share of the static MACs |');
    lines.push('|---|---|---|---|');
    for (let e = 0; e < exits; e++) {
      const rows = sweeps.map((s) =>
        s.truncated.find((t) => t.exit === e && t.memorySize === best.memorySize)!,
      );
      const accuracy = chipInterval(rows.map((r) => r.accuracy));
      lines.push(
        `| truncated at exit ${e + 1} | ${ci(accuracy)} | ${rows[0].macsPerSample.toLocaleString('en-US')} | ${pct(rows[0].macsPerSample / staticMacs, 1)} |`,
      );
    }
    lines.push(
      `| static (whole network) | ${ci(staticAccuracy)} | ${staticMacs.toLocaleString('en-US')} | 100% |`,
    );
    for (const { name, intervals } of chosenData) {
      lines.push(
        `| dynamic, ${name} | ${ci(intervals.dynamicAccuracy)} | ${Math.round(staticMacs * (1 - intervals.computeReduction.mean)).toLocaleString('en-US')} | ${pct(1 - intervals.computeReduction.mean, 1)} |`,
      );
    }
    lines.push('');
  }
  if (check) {
    const dynamicMs = check.dynamicWallTimeMs ?? NaN;
    const staticMs = check.staticWallTimeMs ?? NaN;
    const wallSaving = 1 - dynamicMs / staticMs;
    lines.push('## Check with real dynamic inference');
    lines.push('');
    lines.push(
      `\`evaluate\` at the unconstrained point on test chip ${options.testSeeds[0]}: dynamic ${pct(check.dynamicAccuracy)} vs static ${pct(check.staticAccuracy)}, ` +
        `compute reduction ${pct(check.computeReduction, 1)}, energy reduction ${pct(check.energyReductionVsDigitalStatic, 1)} vs the static network on ${check.digitalBaseline} (${pct(check.energyReductionVsDigitalDynamic, 1)} with the same exits) and ${pct(check.energyReductionVsStatic, 1)} vs static on chip, ` +
        `wall time ${(dynamicMs / 1000).toFixed(1)} s dynamic vs ${(staticMs / 1000).toFixed(1)} s static (${pct(wallSaving, 1)} saved).`,
    );
    lines.push('');
  }
  const figures: Record<string, string> = {};
  if (curves.length && best) {
    const noiseCurves = curves.filter((c) => c.knob === 'programmingNoise');
    const readCurves = curves.filter((c) => c.knob === 'readNoise');
    const robustnessCount = Math.min(options.robustness.samples, count);
    const programmingFile = `${model}-programming-noise.svg`;
    const readFile = `${model}-read-noise.svg`;
    Object.assign(figures, robustnessFigures(model, options.testSeeds.length, curves));
    lines.push('## Robustness to the device');
    lines.push('');
    lines.push(
      `Static accuracy and the dynamic accuracy at the unconstrained operating point (K = ${best.memorySize}, thresholds ${best.thresholds.join(' / ')}) on the first ${robustnessCount} ${profile.samplesNoun}, ${options.testSeeds.length} test chips per level (mean ± 95% CI half-width). ` +
        `Programming noise here is the profile's uniform model (one relative std for both states; the default profile's state-dependent fit is 2.83% / 1.85%); everything else is the default profile (8-bit ADC unless stated, read noise 1%).`,
    );
    lines.push('');
    lines.push(`![accuracy vs programming noise](${programmingFile})`);
    lines.push('');
    lines.push(
      `| programming noise | ${noiseCurves.map((c) => `${c.label}: static | ${c.label}: dynamic`).join(' | ')} |`,
    );
    lines.push(`|---|${noiseCurves.map(() => '---|---|').join('')}`);
    for (let l = 0; l < options.robustness.programmingNoiseLevels.length; l++) {
      lines.push(
        `| ${options.robustness.programmingNoiseLevels[l]} | ${noiseCurves.map((c) => `${ci(c.points[l].static)} | ${ci(c.points[l].dynamic)}`).join(' | ')} |`,
      );
    }
    lines.push('');
    lines.push(`![accuracy vs read noise](${readFile})`);
    lines.push('');
    lines.push('| read noise | static | dynamic |');
    lines.push('|---|---|---|');
    for (const point of readCurves[0]?.points ?? []) {
      lines.push(`| ${point.level} | ${ci(point.static)} | ${ci(point.dynamic)} |`);
    }
    lines.push('');
  }
  if (energy) lines.push(...energy.lines);
  lines.push('## How the figures are made');
  lines.push('');
  lines.push(
    '- Operating points come from one hardware pass per chip: every sample runs the static network with both exit heads on the simulated crossbars; for each memory size the TCAMs are programmed and searched, and each threshold pair decides where every sample would have left. The counts (MACs, ADC/DAC conversions, CAM bit-searches, digital operations) are those of the stages and exits each sample really reaches. The check above runs real dynamic inference, which skips the stages in wall time.',
  );
  lines.push(
    `- Energy: the constants of profile ${DEFAULT_DEVICE_PROFILE.name} and the digital baselines of docs/energy-model.md; "energy reduction vs digital" in the tables above is against the static network on ${DEFAULT_DEVICE_PROFILE.digitalBaseline.name}.`,
  );
  lines.push('');
  return {
    markdown: lines.join('\n'),
    figures,
    data: {
      generated: { date, seconds: Math.round((Date.now() - started) / 1000), cpu },
      selectionSeeds: options.selectionSeeds,
      testSeeds: options.testSeeds,
      floatAccuracy,
      ternaryAccuracy,
      staticAccuracy,
      staticAccuracies: sweeps.map((s) => s.staticAccuracy),
      points: averaged,
      validationPoints: validation,
      chosen: chosenData,
      truncated: sweeps.map((s) => s.truncated),
      robustness: curves,
      energy: energy ? energy.data : null,
      check,
    },
  };
}
