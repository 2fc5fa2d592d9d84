import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay (Loshchilov & Hutter), applied to the variables `decays` selects. */
  weightDecay: number;
}

export const DEFAULT_ADAMW: AdamWOptions = {
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 1e-4,
};

/**
 * AdamW with explicit, checkpointable state. Written here rather than tf.train.adam so that the
 * learning rate can follow a schedule and the moments can be saved and resumed exactly.
 */
export class AdamW {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  step = 0;

  /**
   * `variables` maps each parameter's own name (stable across processes) to its variable;
   * gradients are looked up by the variable's TensorFlow.js name, as tf.variableGrads returns them.
   */
  constructor(
    private readonly variables: Map<string, tf.Variable>,
    private readonly options: AdamWOptions = DEFAULT_ADAMW,
    private readonly decays: (name: string) => boolean = () => true,
  ) {
    for (const [name, variable] of variables) {
      this.m.set(name, tf.variable(tf.zerosLike(variable), false));
      this.v.set(name, tf.variable(tf.zerosLike(variable), false));
    }
  }

  apply(gradients: Record<string, tf.Tensor>, learningRate: number): void {
    this.step += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      for (const [name, variable] of this.variables) {
        const gradient = gradients[variable.name];
        if (!gradient) continue;
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2)));
        const update = tf.div(
          tf.div(m, correction1),
          tf.add(tf.sqrt(tf.div(v, correction2)), epsilon),
        );
        let next = tf.sub(variable, tf.mul(update, learningRate));
        if (weightDecay > 0 && this.decays(name)) {
          next = tf.sub(next, tf.mul(variable, learningRate * weightDecay));
        }
        variable.assign(next);
      }
    });
  }

  /** Moments by variable name, for checkpoints. */
  state(): { step: number; moments: Map<string, Float32Array> } {
    const moments = new Map<string, Float32Array>();
    for (const [name, m] of this.m) moments.set(`${name}#m`, m.dataSync() as Float32Array);
    for (const [name, v] of this.v) moments.set(`${name}#v`, v.dataSync() as Float32Array);
    return { step: this.step, moments };
  }

  restore(step: number, saved: Map<string, Float32Array>): void {
    // Checkpoints of the first training runs keyed moments by TensorFlow.js variable name,
    // which carries a per-process store prefix (net0/); the parameter name follows it.
    const moments = new Map(
      [...saved].map(([key, value]) => [key.replace(/^net\d+\//, ''), value]),
    );
    this.step = step;
    for (const [name, m] of this.m) m.assign(tf.tensor(required(moments, `${name}#m`), m.shape));
    for (const [name, v] of this.v) v.assign(tf.tensor(required(moments, `${name}#v`), v.shape));
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}

function required(map: Map<string, Float32Array>, key: string): Float32Array {
  const value = map.get(key);
  if (!value) throw new Error(`optimizer state has no ${key}`);
  return value;
}
