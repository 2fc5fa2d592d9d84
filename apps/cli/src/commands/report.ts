import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildMnistReport, DEFAULT_MNIST_REPORT } from '@engram/evaluation';
import { initTensorEngine } from '@engram/tensor';

/** Writes docs/<model>-report.md and its data as JSON. */
export async function report(model: string, outDir: string, samples?: number): Promise<void> {
  if (model !== 'resnet-mnist') throw new Error(`no report for ${model}: available: resnet-mnist`);
  await initTensorEngine();
  const { markdown, data } = await buildMnistReport({
    ...DEFAULT_MNIST_REPORT,
    samples: samples ?? DEFAULT_MNIST_REPORT.samples,
    validationSamples: samples,
    onProgress: (m) => process.stderr.write(`[report] ${m}\n`),
  });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `${model}-report.md`), markdown);
  fs.writeFileSync(path.join(outDir, `${model}-report.json`), `${JSON.stringify(data, null, 2)}\n`);
  process.stdout.write(markdown);
}
