import * as fs from 'node:fs';
import * as path from 'node:path';
import '@engram/engine-onnx';
import type { ModelName } from '@engram/contracts';
import { modelNames } from '@engram/evaluation';
import { REPORT_PROFILES, buildModelReport, reportFiguresFromData } from '@engram/reporting';
import { initTensorEngine } from '@engram/tensor';

/** Writes <outDir>/<model>-report.md and its data as JSON. */
export async function report(
  model: string,
  outDir: string,
  options: { samples?: number; chips?: number; figuresOnly?: boolean } = {},
): Promise<void> {
  if (!modelNames().includes(model as ModelName)) {
    throw new Error(`no report for ${model}: available: ${modelNames().join(', ')}`);
  }
  if (options.figuresOnly) {
    const dataFile = path.join(outDir, `${model}-report.json`);
    if (!fs.existsSync(dataFile)) throw new Error(`--figures-only: no ${dataFile} to draw from`);
    const figures = reportFiguresFromData(
      model as ModelName,
      JSON.parse(fs.readFileSync(dataFile, 'utf8')),
    );
    for (const [name, svg] of Object.entries(figures)) {
      fs.writeFileSync(path.join(outDir, name), svg);
      process.stdout.write(`wrote ${path.join(outDir, name)}\n`);
    }
    return;
  }
  await initTensorEngine();
  const defaults = REPORT_PROFILES[model as ModelName].defaults;
  const chips = options.chips;
  const { markdown, data, figures } = await buildModelReport(model as ModelName, {
    samples: options.samples,
    validationSamples: options.samples,
    ...(chips === undefined
      ? {}
      : {
          selectionSeeds: defaults.selectionSeeds.slice(0, chips),
          testSeeds: defaults.testSeeds.slice(0, chips),
        }),
    ...(options.samples === undefined
      ? {}
      : { robustness: { ...defaults.robustness, samples: options.samples } }),
    onProgress: (m) => process.stderr.write(`[report] ${m}\n`),
  });
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, svg] of Object.entries(figures)) fs.writeFileSync(path.join(outDir, name), svg);
  fs.writeFileSync(path.join(outDir, `${model}-report.md`), markdown);
  fs.writeFileSync(path.join(outDir, `${model}-report.json`), `${JSON.stringify(data, null, 2)}\n`);
  process.stdout.write(markdown);
}
