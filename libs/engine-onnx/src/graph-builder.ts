import { onnx } from 'onnx-proto';

/** ONNX operator set the engine's graphs are written for (ReduceSum takes axes as an input). */
export const ONNX_OPSET = 17;
/** IR version of opset 17 (ONNX 1.12). */
const IR_VERSION = 8;

export type Dim = number | string;
type ElementType = 'float' | 'int64' | 'int32';

const ELEMENT_TYPE: Record<ElementType, onnx.TensorProto.DataType> = {
  float: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
};

export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use { float } for ${value}`);
    return { name, type: AttributeType.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.FLOATS, floats: value.floats };
}

function valueInfo(name: string, type: ElementType, dims?: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPE[type],
        shape: dims
          ? { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) }
          : undefined,
      },
    },
  };
}

function bytesOf(values: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(
    values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
  );
}

/**
 * A small ONNX graph writer over onnx-proto: inputs, initializers, nodes with generated value
 * names, outputs; `build()` returns the serialized ModelProto for an InferenceSession.
 */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}#${this.counter++}`;
  }

  input(name: string, dims: readonly Dim[], type: ElementType = 'float'): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(value: string, name: string, dims?: readonly Dim[]): string {
    this.node('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, 'float', dims));
    return name;
  }

  initializer(name: string, values: Float32Array, dims: readonly number[]): string {
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: bytesOf(values),
    });
    return name;
  }

  /** A float constant (scalar when dims is []), shared by value. */
  floats(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `f${JSON.stringify([values, dims])}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.initializer(this.fresh('const'), Float32Array.from(values), dims);
      this.constants.set(key, name);
    }
    return name;
  }

  scalar(value: number): string {
    return this.floats([value], []);
  }

  /** An int64 vector constant (shapes, axes, slice bounds). */
  ints(values: readonly number[]): string {
    const key = `i${JSON.stringify(values)}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.fresh('ints');
      this.initializers.push({
        name,
        dims: [values.length],
        dataType: onnx.TensorProto.DataType.INT64,
        rawData: bytesOf(BigInt64Array.from(values, (v) => BigInt(v))),
      });
      this.constants.set(key, name);
    }
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    outputName?: string,
  ): string {
    const output = outputName ?? this.fresh(opType);
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [output],
      name: this.fresh(`${opType}_node`),
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  build(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'engram',
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
