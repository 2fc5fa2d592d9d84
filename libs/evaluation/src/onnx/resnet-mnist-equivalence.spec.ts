import * as fs from 'node:fs';
import * as path from 'node:path';
import { artifactManifestPath } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';
import { runEngineInference } from '../dynamic-inference';
import { programEngineChip } from '../engine-chip';
import { DEFAULT_DONT_CARE_MARGIN_STD, deviceProfileFor } from '../evaluate';
import { loadEvaluationModel } from '../model-registry';
import { findRepoRoot } from '../model-context';

// The engines on the committed resnet-mnist artifact (skipped when it is absent): the same
// predictions on >= 99.9% of a few hundred test images and the same exit decisions, with the
// default device (read noise on) at a threshold where about half the samples leave early.
// ENGRAM_EQUIVALENCE_SAMPLES=10000 compares the whole test set (the agreement is printed).

jest.setTimeout(3_600_000);

const modelsDir = path.join(findRepoRoot(), 'models');
const present = fs.existsSync(artifactManifestPath(path.join(modelsDir, 'resnet-mnist')));
const COUNT = Number(process.env.ENGRAM_EQUIVALENCE_SAMPLES ?? 500);

(present ? describe : describe.skip)('onnx and tfjs engines on the trained resnet-mnist', () => {
  const saved = process.env.ENGRAM_MODELS_DIR;
  beforeAll(async () => {
    process.env.ENGRAM_MODELS_DIR = modelsDir;
    await initTensorEngine({ log: () => undefined });
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.ENGRAM_MODELS_DIR;
    else process.env.ENGRAM_MODELS_DIR = saved;
  });

  it('agree on predictions and exits, dynamic and static', async () => {
    const model = await loadEvaluationModel('resnet-mnist');
    const config = { model: 'resnet-mnist' as const, camThreshold: 0.1, memorySize: 4, seed: 11 };
    const profile = deviceProfileFor(config);
    const memories = model.memory(config.memorySize, DEFAULT_DONT_CARE_MARGIN_STD, 0);
    const outcomes = [];
    for (const engine of ['tfjs', 'onnx'] as const) {
      const { chip, engine: e } = await programEngineChip(
        model,
        profile,
        { seed: config.seed, memories, thresholds: [0.1, 0.1], exitRule: 'margin' },
        engine,
      );
      const dynamic = await runEngineInference(e, chip, model.batches('test', COUNT), COUNT, true);
      const stat = await runEngineInference(e, chip, model.batches('test', COUNT), COUNT, false);
      await e.dispose();
      outcomes.push({ dynamic, stat });
    }
    const [tfjs, onnx] = outcomes;
    for (const pass of ['dynamic', 'stat'] as const) {
      let same = 0;
      for (let i = 0; i < COUNT; i++)
        if (tfjs[pass].predictions[i] === onnx[pass].predictions[i]) same++;
      console.log(`resnet-mnist ${pass}: ${same} of ${COUNT} predictions equal`);
      expect(same / COUNT).toBeGreaterThanOrEqual(0.999);
      expect(Array.from(onnx[pass].exitIndex)).toEqual(Array.from(tfjs[pass].exitIndex));
    }
    // Some samples leave early and some do not: the exit decisions were exercised.
    const early = onnx.dynamic.exitIndex.filter((e) => e < 2).length;
    expect(early).toBeGreaterThan(0);
    expect(early).toBeLessThan(COUNT);
  });
});
