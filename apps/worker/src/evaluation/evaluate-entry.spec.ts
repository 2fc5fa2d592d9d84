import { assertEnginesRegistered } from '@engram/evaluation';

// What the worker's evaluation threads check once loaded (ThreadPoolOptions.checkName): a
// worker whose entry forgot an engine library fails at start-up, not at its first run.
describe("the evaluation threads' entry", () => {
  it('without the onnx engine library, names the models left without their engine', () => {
    expect(() => assertEnginesRegistered()).toThrow(
      /evaluation engines missing: model resnet-mnist runs on onnx, not registered; model pointnet2-modelnet10 runs on onnx, not registered/,
    );
  });

  it('registers every engine the registered models name', async () => {
    const entry = await import('./evaluate-entry');
    expect(entry.assertEnginesRegistered).toBe(assertEnginesRegistered);
    expect(() => entry.assertEnginesRegistered()).not.toThrow();
    expect(typeof entry.evaluate).toBe('function');
    // ThreadPoolOptions.chipExportName's default
    expect(typeof entry.evaluateChipRuns).toBe('function');
  });
});
