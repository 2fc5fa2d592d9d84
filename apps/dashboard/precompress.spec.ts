import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { precompressFiles } from './precompress';

describe('precompress (post-build step)', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-precompress-'));
    fs.mkdirSync(path.join(dir, 'assets'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a .br and a .gz beside each text file that decompress to the file', async () => {
    const script = Buffer.from('export const x = 1;\n'.repeat(200));
    fs.writeFileSync(path.join(dir, 'assets/app.js'), script);
    const written = await precompressFiles(dir, ['assets/app.js']);
    expect(written.map((f) => path.relative(dir, f)).sort()).toEqual([
      'assets/app.js.br',
      'assets/app.js.gz',
    ]);
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, 'assets/app.js.gz')))).toEqual(script);
    expect(zlib.brotliDecompressSync(fs.readFileSync(path.join(dir, 'assets/app.js.br')))).toEqual(
      script,
    );
  });

  it('leaves small files, binary files and incompressible ones as they are', async () => {
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(dir, 'assets/logo.png'), Buffer.alloc(4096));
    fs.writeFileSync(path.join(dir, 'assets/noise.js'), randomBytes(4096));
    const written = await precompressFiles(dir, [
      'index.html',
      'assets/logo.png',
      'assets/noise.js',
    ]);
    expect(written).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'assets')).sort()).toEqual(['logo.png', 'noise.js']);
  });
});
