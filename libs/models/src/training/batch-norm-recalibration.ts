import * as tf from '@tensorflow/tfjs';
import type { BatchStatistics, TrainableNetwork } from '../layers/exit-network';
import { LayerApply, QuantizedExecutor, WeightMode } from './executors';

/**
 * Re-estimates every batch norm's running mean and variance with the final weights (float, or
 * ternary without noise: what the chip is programmed with), as the plain average of the batch
 * statistics of `batches` input batches. Training leaves running statistics that trail weights
 * which were still moving and were perturbed by injected noise; ternary weights move in jumps, so
 * the lag shows.
 */
export function reestimateBatchNorm<State extends tf.TensorContainer>(
  network: TrainableNetwork<State>,
  mode: WeightMode,
  batches: number,
  input: (batch: number) => tf.Tensor,
  apply?: LayerApply,
): void {
  const executor = new QuantizedExecutor((layer) => network.weight(layer), mode, apply);
  const sums = new Map<string, { mean: tf.Tensor; variance: tf.Tensor }>();
  for (let b = 0; b < batches; b++) {
    const statistics: BatchStatistics = new Map();
    tf.tidy(() => {
      network.forwardAll(input(b), { executor, batchNorm: 'batch', statistics });
      for (const [name, s] of statistics) {
        const previous = sums.get(name);
        const next = previous
          ? { mean: tf.add(previous.mean, s.mean), variance: tf.add(previous.variance, s.variance) }
          : s;
        sums.set(name, { mean: tf.keep(next.mean), variance: tf.keep(next.variance) });
        if (previous) tf.dispose([previous.mean, previous.variance]);
      }
    });
    // Statistics an op kept itself (the PointNet++'s fused batch norm) outlive the scope.
    for (const [name, s] of statistics) {
      if (sums.get(name)?.mean !== s.mean) tf.dispose([s.mean, s.variance]);
    }
  }
  for (const [name, { mean, variance }] of sums) {
    tf.tidy(() => {
      network.params.get(`${name}.mean`).assign(tf.div(mean, batches));
      network.params.get(`${name}.var`).assign(tf.div(variance, batches));
    });
    tf.dispose([mean, variance]);
  }
  executor.dispose();
}
