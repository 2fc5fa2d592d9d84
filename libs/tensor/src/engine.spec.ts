import * as tf from '@tensorflow/tfjs';
import { initTensorEngine } from './engine';

describe('initTensorEngine', () => {
  it('rejects an unknown forced backend with the allowed names', async () => {
    await expect(initTensorEngine({ backend: 'gpu', log: () => undefined })).rejects.toThrow(
      'ENGRAM_TF_BACKEND=gpu is not a backend: use one of tensorflow, wasm, cpu',
    );
  });

  it('reports a forced backend that cannot load instead of falling back', async () => {
    await expect(initTensorEngine({ backend: 'tensorflow', log: () => undefined })).rejects.toThrow(
      /ENGRAM_TF_BACKEND=tensorflow but that backend failed to load/,
    );
  });

  // tfjs-node never installs on our machines (its install script downloads libtensorflow).
  const nativeInstalled = (() => {
    try {
      require.resolve('@tensorflow/tfjs-node');
      return true;
    } catch {
      return false;
    }
  })();

  (nativeInstalled ? it.skip : it)(
    'falls back from tfjs-node to wasm, logging the choice, once',
    async () => {
      const lines: string[] = [];
      const info = await initTensorEngine({ log: (l) => lines.push(l) });
      expect(info.backend).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
      expect(lines).toEqual([
        expect.stringMatching(/^\[tensor\] backend wasm \(fallback after tensorflow: /),
      ]);
      expect(await initTensorEngine({ log: (l) => lines.push(l) })).toBe(info);
      expect(lines).toHaveLength(1);
    },
  );
});
