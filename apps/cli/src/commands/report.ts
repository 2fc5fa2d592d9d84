import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_NAMES, ModelName, buildModelReport } from '@engram/evaluation';
import { initTensorEngine } from '@engram/tensor';

/** Writes <outDir>/<model>-report.md and its data as JSON. */
export async function report(model: string, outDir: string, samples?: number): Promise<void> {
  if (!MODEL_NAMES.includes(model as ModelName)) {
    throw new Error(`no report for ${model}: available: ${MODEL_NAMES.join(', ')}`);
  }
  await initTensorEngine();
  const { markdown, data } = await buildModelReport(model as ModelName, {
    samples,
    validationSamples: samples,
    onProgress: (m) => process.stderr.write(`[report] ${m}\n`),
  });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `${model}-report.md`), markdown);
  fs.writeFileSync(path.join(outDir, `${model}-report.json`), `${JSON.stringify(data, null, 2)}\n`);
  process.stdout.write(markdown);
}
