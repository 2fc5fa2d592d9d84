/**
 * Inference engines side by side on a trained model (the MNIST ResNet by default, or the
 * PointNet++ on ModelNet10 with --model pointnet2-modelnet10), in one run:
 *   (a) float static network, TensorFlow.js (wasm)
 *   (b) hardware-simulated static network, TensorFlow.js (wasm)
 *   (c) hardware-simulated static network, onnxruntime
 *   (d) hardware-simulated dynamic network, onnxruntime, at a CAM threshold with about 50% compute
 *       reduction: its wall-time saving against (c) next to its MAC saving
 *   (e) a plain onnxruntime float MatMul 2048x2048, the machine's practical peak
 * and the ratios c/b (images/s) and c/e (GFLOP/s counting only the network's real MACs), then how
 * the onnxruntime engine's options compare (tile strategies, weights as initializers or inputs).
 *
 * Run: npm run bench:engines -- [--model resnet-mnist|pointnet2-modelnet10] [--samples N]
 *      [--threads N] [--skip-tfjs]
 * The default is the whole test set (10,000 digits, 908 clouds); --samples 500 gives a quick run.
 * "images" in the output are the model's samples (clouds for PointNet++).
 */
import * as os from 'node:os';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { CounterRng, DeviceProfile } from '@engram/hardware';
import {
  DEFAULT_DONT_CARE_MARGIN_STD,
  MnistModelContext,
  ModelNetModelContext,
  ModelUnavailableError,
  loadEvaluationModel,
  deviceProfileFor,
  programEngineChip,
  runEngineInference,
} from '@engram/evaluation';
import {
  GraphBuilder,
  OnnxEngineOptions,
  OnnxPointNetEngine,
  OnnxResNetEngine,
  ortThreads,
  pointNetGroupingCache,
} from '@engram/engine-onnx';
import {
  CimExecutor,
  DynamicNetwork,
  ForwardContext,
  InferenceEngine,
  PointwiseQuantizedExecutor,
  QuantizedExecutor,
} from '@engram/models';
import { initTensorEngine } from '@engram/tensor';

type BenchModel = 'resnet-mnist' | 'pointnet2-modelnet10';
const BENCH_MODELS: readonly BenchModel[] = ['resnet-mnist', 'pointnet2-modelnet10'];

interface Options {
  model: BenchModel;
  /** Unset: the whole test set. */
  samples: number | null;
  threads: number;
  skipTfjs: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    model: 'resnet-mnist',
    samples: null,
    threads: ortThreads(),
    skipTfjs: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--samples') options.samples = Number(argv[++i]);
    else if (arg === '--threads') options.threads = Number(argv[++i]);
    else if (arg === '--skip-tfjs') options.skipTfjs = true;
    else if (arg === '--model') {
      const model = argv[++i] as BenchModel;
      if (!BENCH_MODELS.includes(model)) {
        throw new Error(`--model must be one of ${BENCH_MODELS.join(', ')}, got ${model}`);
      }
      options.model = model;
    } else {
      throw new Error(
        `unknown option ${arg} (--model ${BENCH_MODELS.join('|')}, --samples N, --threads N, --skip-tfjs)`,
      );
    }
  }
  if (options.samples !== null && (!Number.isInteger(options.samples) || options.samples < 1)) {
    throw new Error('--samples must be an integer >= 1');
  }
  if (!Number.isInteger(options.threads) || options.threads < 1) {
    throw new Error('--threads must be an integer >= 1');
  }
  return options;
}

/** The trained models the benchmark runs: both contexts share the evaluation's interface. */
type Context = MnistModelContext | ModelNetModelContext;

let CONFIG: { model: BenchModel; camThreshold: number; memorySize: number; seed: number } = {
  model: 'resnet-mnist',
  camThreshold: 0,
  memorySize: 4,
  seed: 1,
};

interface Measured {
  images: number;
  ms: number;
}

const rate = (m: Measured) => (m.images / m.ms) * 1000;

function line(label: string, m: Measured, flopsPerImage: number, extra = ''): void {
  const gflops = (rate(m) * flopsPerImage) / 1e9;
  console.log(
    `  ${label.padEnd(52)}${rate(m).toFixed(0).padStart(7)} images/s ` +
      `${gflops.toFixed(1).padStart(7)} GFLOP/s  (${m.images} images, ${(m.ms / 1000).toFixed(1)} s)${extra}`,
  );
}

/** (a) The float network without hardware, TensorFlow.js (the context's own executors). */
function floatTfjs(context: Context, count: number): Measured {
  if (context instanceof ModelNetModelContext) {
    const network = context.floatNetwork;
    const executor = new PointwiseQuantizedExecutor((layer) => network.weight(layer), 'float');
    return timedFloatPass(context, count, network, executor);
  }
  const network = context.floatNetwork;
  const executor = new QuantizedExecutor((layer) => network.weight(layer), 'float');
  return timedFloatPass(context, count, network, executor);
}

function timedFloatPass<State extends tf.TensorContainer>(
  context: Context,
  count: number,
  network: DynamicNetwork<State>,
  executor: CimExecutor & { dispose(): void },
): Measured {
  const ctx: ForwardContext = { executor, batchNorm: 'running' };
  const started = performance.now();
  for (const { x } of context.batches('test', count)) {
    tf.tidy(() => {
      let state = network.begin(x, ctx);
      for (let s = 0; s < network.stageCount; s++) state = network.stage(s, state, ctx);
      tf.argMax(network.classify(state, ctx), 1).dataSync();
    });
    x.dispose();
  }
  const ms = performance.now() - started;
  executor.dispose();
  return { images: count, ms };
}

/** The float network on the onnxruntime engine's graphs without the hardware (a reference). */
async function floatOnnx(
  context: Context,
  profile: DeviceProfile,
  count: number,
  threads: number,
): Promise<Measured> {
  const options = { ideal: true, threads };
  const engine = (
    context instanceof ModelNetModelContext
      ? new OnnxPointNetEngine(context.floatNetwork, null, null, profile, null, options)
      : new OnnxResNetEngine(context.floatNetwork, null, null, profile, null, options)
  ) as InferenceEngine<unknown>;
  const pass = async (n: number) => {
    for (const { x, offset } of context.batches('test', n)) {
      let state = await engine.begin(x, offset);
      x.dispose();
      for (let s = 0; s < engine.stageCount; s++) state = await engine.stage(s, state);
      await engine.classify(state);
    }
  };
  await pass(1);
  const started = performance.now();
  await pass(count);
  const ms = performance.now() - started;
  await engine.dispose();
  return { images: count, ms };
}

/** One pass of the hardware-simulated network on an engine (programming excluded). */
async function hardwarePass(
  context: Context,
  profile: DeviceProfile,
  engineName: 'onnx' | 'tfjs',
  count: number,
  threshold: number | null,
  onnx: OnnxEngineOptions = {},
): Promise<Measured & { computeReduction: number; sessionMs: number }> {
  const memories = context.memory(CONFIG.memorySize, DEFAULT_DONT_CARE_MARGIN_STD, 0);
  const programStarted = performance.now();
  const { chip, engine } = await programEngineChip(
    context,
    profile,
    {
      seed: CONFIG.seed,
      memories,
      thresholds: network(context).exits.map(() => threshold ?? Infinity),
      exitRule: 'margin',
    },
    engineName,
    onnx,
  );
  // Sessions (onnx) are created on first use: a one-image warm-up pass counts them.
  await runEngineInference(engine, chip, context.batches('test', 1), 1, false);
  const sessionMs = performance.now() - programStarted;
  const started = performance.now();
  const outcome = await runEngineInference(
    engine,
    chip,
    context.batches('test', count),
    count,
    threshold !== null,
  );
  const ms = performance.now() - started;
  await engine.dispose();
  const staticMacs = chip.costs.staticNetwork.cimMacs * count;
  return {
    images: count,
    ms,
    computeReduction: 1 - outcome.counts.cimMacs / staticMacs,
    sessionMs,
  };
}

const network = (context: Context) => context.ternaryNetwork;

/** (e) A plain float MatMul n x n on onnxruntime: GFLOP/s of the best of a few runs. */
async function matMulPeak(threads: number, n = 2048): Promise<number> {
  const g = new GraphBuilder('matmul');
  g.output(g.node('MatMul', [g.input('a', [n, n]), g.input('b', [n, n])]), 'c');
  const session = await ort.InferenceSession.create(g.build(), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const rng = new CounterRng(1, 'bench/matmul');
  const a = new Float32Array(n * n);
  const b = new Float32Array(n * n);
  rng.fillUniform(a, -1, 1);
  rng.fillUniform(b, -1, 1);
  const feeds = {
    a: new ort.Tensor('float32', a, [n, n]),
    b: new ort.Tensor('float32', b, [n, n]),
  };
  await session.run(feeds);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await session.run(feeds);
    best = Math.min(best, performance.now() - started);
  }
  await session.release();
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

/** A threshold whose dynamic pass saves about half the MACs, by bisection on a subset. */
async function halfComputeThreshold(
  context: Context,
  profile: DeviceProfile,
  count: number,
  threads: number,
): Promise<number> {
  let low = 0; // every sample leaves at the first exit
  let high = 1;
  let best = { threshold: 0.1, error: Infinity };
  for (let i = 0; i < 8; i++) {
    const threshold = (low + high) / 2;
    const { computeReduction } = await hardwarePass(context, profile, 'onnx', count, threshold, {
      threads,
    });
    const error = Math.abs(computeReduction - 0.5);
    if (error < best.error) best = { threshold, error };
    if (error < 0.02) break;
    if (computeReduction > 0.5) low = threshold;
    else high = threshold;
  }
  return best.threshold;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  CONFIG = { ...CONFIG, model: options.model };
  await initTensorEngine({ log: () => undefined });
  let context: Context;
  try {
    context = (await loadEvaluationModel(options.model)) as Context;
  } catch (error) {
    if (error instanceof ModelUnavailableError) {
      console.error(
        `inference engines: ${options.model} has no trained artifact, nothing to measure.\n  ${error.message}`,
      );
      process.exit(2);
    }
    throw error;
  }
  const profile = deviceProfileFor(CONFIG);
  const testCount = context.sampleCount('test');
  if (options.samples !== null && options.samples > testCount) {
    throw new Error(`--samples must be at most ${testCount} (the ${options.model} test set)`);
  }
  const count = options.samples ?? testCount;
  // Per-process work done before any timing: calibration, memories (the read-noise pool is drawn
  // by the warm-up pass with read noise below).
  context.calibration(profile);
  context.memory(CONFIG.memorySize, DEFAULT_DONT_CARE_MARGIN_STD, 0);
  const costs = context.segmentCosts(profile, [1, 1]);
  const flopsPerImage = 2 * costs.staticNetwork.cimMacs;
  const onnx: OnnxEngineOptions = { threads: options.threads };
  // Warm-up: the JavaScript around the sessions (TCAM search, batching) compiled, the process's
  // memory touched once.
  await hardwarePass(context, profile, 'onnx', Math.min(count, 1000), null, onnx);
  await hardwarePass(context, profile, 'onnx', Math.min(count, 1000), 0.1, onnx);

  console.log(
    `inference engines: ${options.model} (${(costs.staticNetwork.cimMacs / 1e6).toFixed(1)} M MACs per image), ` +
      `${count} test images, default device ${profile.name} (read noise on), ` +
      `onnxruntime ${options.threads} intra-op thread(s); ${os.availableParallelism()} cores, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const e = await matMulPeak(options.threads);
  const threshold = await halfComputeThreshold(
    context,
    profile,
    Math.min(count, 1000),
    options.threads,
  );
  // (c) and (d) alternately, twice each; the faster of each (the machine may be shared).
  const c1 = await hardwarePass(context, profile, 'onnx', count, null, onnx);
  const d1 = await hardwarePass(context, profile, 'onnx', count, threshold, onnx);
  const c2 = await hardwarePass(context, profile, 'onnx', count, null, onnx);
  const d2 = await hardwarePass(context, profile, 'onnx', count, threshold, onnx);
  const c = c1.ms <= c2.ms ? c1 : c2;
  const d = d1.ms <= d2.ms ? d1 : d2;
  // The PointNet++ engine keeps each cloud's farthest point sampling and ball query for the
  // process (a sweep's worker computes them in its first run): (c) and (d) run with it warm, as
  // every later run of a sweep does; one static pass with it cleared shows the first run's cost.
  let cold: Measured | null = null;
  if (context instanceof ModelNetModelContext) {
    pointNetGroupingCache().clear();
    cold = await hardwarePass(context, profile, 'onnx', count, null, onnx);
  }
  const floatOrt = await floatOnnx(context, profile, count, options.threads);
  const a = options.skipTfjs ? null : floatTfjs(context, count);
  const b = options.skipTfjs ? null : await hardwarePass(context, profile, 'tfjs', count, null);

  if (a) line('(a) float static, TensorFlow.js wasm', a, flopsPerImage);
  if (b) line('(b) hardware static, TensorFlow.js wasm', b, flopsPerImage);
  line("(a') float static, onnxruntime (no hardware)", floatOrt, flopsPerImage);
  line(
    '(c) hardware static, onnxruntime',
    c,
    flopsPerImage,
    `; programming + sessions ${c.sessionMs.toFixed(0)} ms; best of 2`,
  );
  if (cold) {
    line('(c) with farthest point sampling + ball query (1st run)', cold, flopsPerImage);
  }
  const wallSaving = 1 - d.ms / c.ms;
  line(
    `(d) hardware dynamic, onnxruntime, threshold ${threshold.toFixed(4)}`,
    d,
    flopsPerImage * (1 - d.computeReduction),
    '; best of 2',
  );
  console.log(
    `      MAC saving ${(100 * d.computeReduction).toFixed(1)}%, wall-time saving vs (c) ` +
      `${(100 * wallSaving).toFixed(1)}% = ${(wallSaving / d.computeReduction).toFixed(2)} x the MAC saving (target >= 0.8)`,
  );
  console.log(
    `  ${'(e) onnxruntime float MatMul 2048x2048'.padEnd(52)}${e.toFixed(1).padStart(23)} GFLOP/s`,
  );
  const cGflops = (rate(c) * flopsPerImage) / 1e9;
  if (b) console.log(`  c/b = ${(rate(c) / rate(b)).toFixed(1)} (images/s; target >= 8)`);
  console.log(`  c/e = ${(cGflops / e).toFixed(2)} (GFLOP/s, real MACs only; target >= 0.5)`);

  // The engine's options, each a static pass over min(samples, 2000) images; weights as inputs
  // twice: the first creates the process's cached sessions, the second reuses them.
  const n = Math.min(count, 2000);
  console.log(`onnxruntime engine options, static pass over ${n} images:`);
  for (const variant of [
    { strategy: 'bbox', params: 'initializers' },
    { strategy: 'grown-rect', params: 'initializers' },
    { strategy: 'rect', params: 'initializers' },
    { strategy: 'masked', params: 'initializers' },
    { strategy: 'bbox', params: 'inputs' },
    { strategy: 'bbox', params: 'inputs' },
  ] as const) {
    const m = await hardwarePass(context, profile, 'onnx', n, null, { ...onnx, ...variant });
    line(
      `${variant.strategy}, weights as ${variant.params}`,
      m,
      flopsPerImage,
      `; programming + sessions ${m.sessionMs.toFixed(0)} ms`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
