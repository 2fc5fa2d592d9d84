import * as tf from '@tensorflow/tfjs';

/**
 * Named tensors of a network. Trainable ones are tf.Variables updated by the optimizer; batch
 * norm running statistics are variables too but are assigned, never differentiated.
 */
let storeCounter = 0;

export class ParameterStore {
  /** TensorFlow.js variable names are global: each store gets its own prefix. */
  private readonly prefix = `net${storeCounter++}/`;
  private readonly variables = new Map<string, tf.Variable>();
  private readonly trainable = new Set<string>();

  add(name: string, value: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.variables.has(name)) throw new Error(`parameter ${name} defined twice`);
    const variable = tf.variable(value, trainable, `${this.prefix}${name}`);
    value.dispose();
    this.variables.set(name, variable);
    if (trainable) this.trainable.add(name);
    return variable;
  }

  get(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (!variable) throw new Error(`unknown parameter ${name}`);
    return variable;
  }

  has(name: string): boolean {
    return this.variables.has(name);
  }

  names(): string[] {
    return [...this.variables.keys()];
  }

  trainableVariables(): tf.Variable[] {
    return [...this.trainable].map((name) => this.get(name));
  }

  /** Trainable variables by parameter name. */
  trainableByName(): Map<string, tf.Variable> {
    return new Map([...this.trainable].map((name) => [name, this.get(name)]));
  }

  isTrainable(name: string): boolean {
    return this.trainable.has(name);
  }

  /** Copies values by name (shapes must agree); used by checkpoints and artifact loading. */
  assignAll(values: Map<string, Float32Array>): void {
    for (const [name, variable] of this.variables) {
      const data = values.get(name);
      if (!data) throw new Error(`no value for parameter ${name}`);
      if (data.length !== variable.size) {
        throw new Error(`parameter ${name}: expected ${variable.size} values, got ${data.length}`);
      }
      variable.assign(tf.tensor(data, variable.shape));
    }
  }

  /** Shapes by name, for the index of a tensor file. */
  shapes(): Map<string, number[]> {
    return new Map([...this.variables].map(([name, variable]) => [name, variable.shape]));
  }

  snapshot(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, variable] of this.variables)
      out.set(name, variable.dataSync() as Float32Array);
    return out;
  }

  totalSize(trainableOnly = false): number {
    let total = 0;
    for (const [name, v] of this.variables)
      if (!trainableOnly || this.trainable.has(name)) total += v.size;
    return total;
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
    this.trainable.clear();
  }
}
