import * as tf from '@tensorflow/tfjs';
import { registerWasmKernels } from './kernels/register';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Preference order when nothing is forced: native TensorFlow, then wasm, then pure JS. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Environment variable that forces one backend (`tensorflow`, `wasm` or `cpu`). */
export const BACKEND_ENV = 'ENGRAM_TF_BACKEND';

export interface TensorEngineInfo {
  backend: BackendName;
  registeredKernels: string[];
  reason: string;
}

export type EngineLogger = (message: string) => void;

let active: Promise<TensorEngineInfo> | undefined;

/* eslint-disable @typescript-eslint/no-require-imports -- optional backends load on demand */
function loadBackendPackage(name: BackendName): void {
  if (name === 'tensorflow') require('@tensorflow/tfjs-node');
  else if (name === 'wasm') require('@tensorflow/tfjs-backend-wasm');
}
/* eslint-enable @typescript-eslint/no-require-imports */

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    loadBackendPackage(name);
    if (!(await tf.setBackend(name))) return `tf.setBackend('${name}') returned false`;
    await tf.ready();
    return null;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

async function selectBackend(
  forced: string | undefined,
  log: EngineLogger,
): Promise<TensorEngineInfo> {
  if (forced !== undefined && forced !== '') {
    if (!BACKEND_ORDER.includes(forced as BackendName)) {
      throw new Error(
        `${BACKEND_ENV}=${forced} is not a backend: use one of ${BACKEND_ORDER.join(', ')}`,
      );
    }
    const failure = await tryBackend(forced as BackendName);
    if (failure)
      throw new Error(`${BACKEND_ENV}=${forced} but that backend failed to load: ${failure}`);
    return finish(forced as BackendName, `forced by ${BACKEND_ENV}`, log);
  }
  const failures: string[] = [];
  for (const name of BACKEND_ORDER) {
    const failure = await tryBackend(name);
    if (!failure)
      return finish(
        name,
        failures.length ? `fallback after ${failures.join('; ')}` : 'first choice',
        log,
      );
    failures.push(`${name}: ${failure}`);
  }
  throw new Error(`no TensorFlow.js backend could be loaded: ${failures.join('; ')}`);
}

function finish(backend: BackendName, reason: string, log: EngineLogger): TensorEngineInfo {
  const registeredKernels = backend === 'wasm' ? registerWasmKernels() : [];
  if (backend === 'cpu') {
    log(
      `[tensor] WARNING: using the pure-JS cpu backend (${reason}); it is about 25x slower than wasm`,
    );
  } else {
    log(`[tensor] backend ${backend} (${reason})`);
  }
  return { backend, registeredKernels, reason };
}

/**
 * Selects and initializes the TensorFlow.js backend once per process: tfjs-node when it loads
 * (it is an optional dependency that rarely installs), then wasm, then the pure-JS cpu backend,
 * which is logged as a warning because it is so slow. ENGRAM_TF_BACKEND forces one.
 */
export function initTensorEngine(
  options: { backend?: string; log?: EngineLogger } = {},
): Promise<TensorEngineInfo> {
  if (!active) {
    const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
    active = selectBackend(options.backend ?? process.env[BACKEND_ENV], log);
    active.catch(() => (active = undefined));
  }
  return active;
}
