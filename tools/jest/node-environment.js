// Jest's node environment with the host realm's binary-data constructors.
//
// Jest runs each test file in its own vm context, whose Float32Array & co. differ from those of
// the Node.js realm. Native addons (onnxruntime-node) create their typed arrays in the Node realm
// and check `instanceof Float32Array` against the test's, so every run would fail. Sharing the
// host's constructors makes binary data one realm again, as it is outside jest.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class HostTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = HostTypedArrayEnvironment;
