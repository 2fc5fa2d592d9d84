import * as fs from 'node:fs';
import * as path from 'node:path';
import { artifactManifestPath } from '@engram/models';
import { initTensorEngine } from '@engram/tensor';
import type { ModelName } from '@engram/contracts';
import {
  DEFAULT_DONT_CARE_MARGIN_STD,
  deviceProfileFor,
  loadEvaluationModel,
  programEngineChip,
  runEngineInference,
} from '@engram/evaluation';
import { findRepoRoot } from '@engram/evaluation/testing';
import './engine';

// Test support (not exported from the library): the onnx and tfjs engines on a trained artifact.

export interface TrainedEquivalenceCase {
  model: ModelName;
  /** Test samples compared unless ENGRAM_EQUIVALENCE_SAMPLES says otherwise. */
  defaultCount: number;
  /** Smallest fraction of equal predictions per pass. */
  minAgreement: number;
  camThreshold: number[];
  memorySize: number;
  seed: number;
  /** Why the case cannot run although the artifact is there (e.g. no dataset), or null. */
  missingData?: () => string | null;
}

/**
 * Registers a describe block comparing the engines on the trained artifact of `c.model` (in
 * ENGRAM_EQUIVALENCE_MODELS_DIR or <repo>/models; skipped when absent): with the default device
 * (read noise on), dynamic and static passes give the same predictions and the same exit
 * decisions on at least `minAgreement` of the samples, and the same operation counts when every
 * exit decision agrees. (The engines sum in different orders, so a value within float rounding of
 * a DAC, ADC or binarization step can land on either side: on the full MNIST test set 3 exit
 * decisions of 10,000 differed, every prediction agreed.)
 */
/**
 * Inside a describe block: the tensor engine started and ENGRAM_MODELS_DIR pointing at
 * `modelsDir` for its tests, restored afterwards.
 */
export function useModelsDir(modelsDir: string): void {
  const saved = process.env.ENGRAM_MODELS_DIR;
  beforeAll(async () => {
    process.env.ENGRAM_MODELS_DIR = modelsDir;
    await initTensorEngine({ log: () => undefined });
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.ENGRAM_MODELS_DIR;
    else process.env.ENGRAM_MODELS_DIR = saved;
  });
}

export function describeTrainedEquivalence(c: TrainedEquivalenceCase): void {
  const modelsDir =
    process.env.ENGRAM_EQUIVALENCE_MODELS_DIR ?? path.join(findRepoRoot(), 'models');
  const hasArtifact = fs.existsSync(artifactManifestPath(path.join(modelsDir, c.model)));
  const missing = hasArtifact ? (c.missingData?.() ?? null) : 'no artifact';
  if (hasArtifact && missing) console.warn(`skipping the ${c.model} equivalence: ${missing}`);
  const count = Number(process.env.ENGRAM_EQUIVALENCE_SAMPLES ?? c.defaultCount);

  (missing ? describe.skip : describe)(`onnx and tfjs engines on the trained ${c.model}`, () => {
    useModelsDir(modelsDir);

    it('agree on predictions, exits and counts, dynamic and static', async () => {
      const model = await loadEvaluationModel(c.model);
      const { model: name, camThreshold, memorySize, seed } = c;
      const profile = deviceProfileFor({ model: name, camThreshold, memorySize, seed });
      const memories = model.memory(c.memorySize, DEFAULT_DONT_CARE_MARGIN_STD, 0);
      const outcomes = [];
      for (const name of ['tfjs', 'onnx'] as const) {
        const { chip, engine } = await programEngineChip(
          model,
          profile,
          { seed: c.seed, memories, thresholds: c.camThreshold, exitRule: 'margin' },
          name,
        );
        const run = (dynamic: boolean) =>
          runEngineInference(engine, chip, model.batches('test', count), count, dynamic);
        outcomes.push({ dynamic: await run(true), stat: await run(false) });
        await engine.dispose();
      }
      const [tfjs, onnx] = outcomes;
      const agreeing = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
        let same = 0;
        for (let i = 0; i < count; i++) if (a[i] === b[i]) same++;
        return same;
      };
      for (const pass of ['dynamic', 'stat'] as const) {
        const predictions = agreeing(tfjs[pass].predictions, onnx[pass].predictions);
        const exits = agreeing(tfjs[pass].exitIndex, onnx[pass].exitIndex);
        console.log(
          `${c.model} ${pass}: ${predictions} of ${count} predictions and ${exits} exit decisions equal`,
        );
        expect(predictions / count).toBeGreaterThanOrEqual(c.minAgreement);
        expect(exits / count).toBeGreaterThanOrEqual(c.minAgreement);
        if (exits === count) expect(onnx[pass].counts).toEqual(tfjs[pass].counts);
      }
      // Some samples leave early and some do not: the exit decisions were exercised.
      const early = onnx.dynamic.exitIndex.filter((e) => e < c.camThreshold.length).length;
      expect(early).toBeGreaterThan(0);
      expect(early).toBeLessThan(count);
    });
  });
}
