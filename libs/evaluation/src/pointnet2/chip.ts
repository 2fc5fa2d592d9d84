import * as tf from '@tensorflow/tfjs';
import { CounterRng, DeviceProfile, programTernaryCam } from '@engram/hardware';
import { PointwiseQuantizedExecutor } from '@engram/models';
import type { PointCloudState } from '@engram/models';
import type { ExitRule, SemanticMemory } from '@engram/semantic-memory';
import type { ChipState } from '../dynamic-inference';
import { HardwareExecutor, hasReadNoise, programNetwork } from '../hardware-executor';
import { ModelNetModelContext, PointCloudSplit } from './model-context';
import { pointNetSegmentCosts } from './segment-costs';

export interface PointNetChipOptions {
  /** Seed of every random draw of the run. */
  seed: number;
  /** Stream name of the run (evaluate uses `${model}/run`). */
  runName: string;
  memories: SemanticMemory[];
  thresholds: number[];
  exitRule: ExitRule;
}

/**
 * Programs one simulated chip for a PointNet++ run, exactly as `evaluate` does for the ResNet:
 * every crossbar from the run's seed, the calibrated DAC/ADC ranges, the TCAMs from the semantic
 * memories, and the analytic per-segment costs (with FPS and ball query as digital operations).
 * The caller disposes `executor`.
 */
export function programPointNetChip(
  context: ModelNetModelContext,
  profile: DeviceProfile,
  options: PointNetChipOptions,
): { chip: ChipState<PointCloudState>; executor: HardwareExecutor } {
  const network = context.ternaryNetwork;
  const runRng = new CounterRng(options.seed, options.runName);
  const executor = new HardwareExecutor(
    network,
    programNetwork(network, profile, runRng.derive('crossbars')),
    context.calibration(profile),
    profile,
    hasReadNoise(profile) ? runRng.derive('read-noise') : null,
  );
  const tcams = options.memories.map((m, e) =>
    programTernaryCam(m.rows, m.rowClass.length, m.dim, profile, runRng.derive(`tcam/exit${e}`)),
  );
  const chip: ChipState<PointCloudState> = {
    network,
    executor,
    memories: options.memories,
    tcams,
    senseRng: profile.tcam.senseNoiseRelativeStd > 0 ? runRng.derive('tcam-sense') : null,
    exitRule: options.exitRule,
    thresholds: options.thresholds,
    costs: pointNetSegmentCosts(
      network.layout,
      profile,
      options.memories.map((m) => m.rowClass.length),
    ),
  };
  return { chip, executor };
}

/** The first `count` clouds of a split in inference batches of `context.batchSize`. */
export function* pointCloudBatches(
  context: ModelNetModelContext,
  split: PointCloudSplit,
  count: number,
): Generator<{ x: tf.Tensor; offset: number }> {
  const set = context.dataset(split);
  for (let offset = 0; offset < count; offset += context.batchSize) {
    yield { x: context.clouds(set, offset, Math.min(context.batchSize, count - offset)), offset };
  }
}

/** Predictions of the float software reference (no hardware) on the first `count` clouds. */
export function pointNetSoftwarePredictions(
  context: ModelNetModelContext,
  split: PointCloudSplit,
  count: number,
): Uint16Array {
  const network = context.floatNetwork;
  const executor = new PointwiseQuantizedExecutor((layer) => network.weight(layer), 'float');
  const predictions = new Uint16Array(count);
  for (const { x, offset } of pointCloudBatches(context, split, count)) {
    const classes = tf.tidy(() =>
      tf
        .argMax(network.forwardAll(x as tf.Tensor3D, { executor, batchNorm: 'running' }).logits, 1)
        .dataSync(),
    );
    predictions.set(classes, offset);
    x.dispose();
  }
  executor.dispose();
  return predictions;
}
