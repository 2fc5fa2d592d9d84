// Post-build step of the dashboard: a .br and a .gz beside each text file of the build, so the API
// serves them compressed without compressing on every request (apps/api/src/dashboard-static.ts
// picks one by Accept-Encoding). Node's zlib only: no dependency.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/** Text files worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/;
/** Below this, the headers cost more than compression saves. */
const MIN_BYTES = 1024;

/** Writes `<file>.br` and `<file>.gz` when each is smaller than the file; returns those written. */
export async function precompressFile(file: string): Promise<string[]> {
  const bytes = await fs.readFile(file);
  if (bytes.length < MIN_BYTES) return [];
  const variants = await Promise.all([
    brotli(bytes, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).then((data) => ({ file: `${file}.br`, data })),
    gzip(bytes, { level: zlib.constants.Z_BEST_COMPRESSION }).then((data) => ({
      file: `${file}.gz`,
      data,
    })),
  ]);
  const smaller = variants.filter((v) => v.data.length < bytes.length);
  await Promise.all(smaller.map((v) => fs.writeFile(v.file, v.data)));
  return smaller.map((v) => v.file);
}

/** Precompresses the given files of a build folder (relative names, e.g. a bundle's keys). */
export async function precompressFiles(dir: string, names: readonly string[]): Promise<string[]> {
  const files = names.filter((name) => COMPRESSIBLE.test(name)).map((n) => path.join(dir, n));
  return (await Promise.all(files.map(precompressFile))).flat();
}

/** A Vite plugin (plain object, see vite.config.ts) running the step after the build is written. */
export function precompressPlugin() {
  return {
    name: 'engram-precompress',
    apply: 'build' as const,
    async writeBundle(options: { dir?: string }, bundle: Record<string, unknown>) {
      if (options.dir) await precompressFiles(options.dir, Object.keys(bundle));
    },
  };
}
