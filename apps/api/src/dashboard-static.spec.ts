import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { chooseEncoding, precompressedStatic } from './dashboard-static';

@Module({})
class EmptyModule {}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request with the bytes as sent (fetch and supertest would decompress them). */
function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    http
      .request(url, { headers, method }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject)
      .end();
  });
}

describe('chooseEncoding', () => {
  const both = ['br', 'gzip'];
  it('prefers brotli when the client accepts both with the same quality', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd', both)).toBe('br');
  });
  it('follows the qualities the client gives', () => {
    expect(chooseEncoding('br;q=0.5, gzip', both)).toBe('gzip');
    expect(chooseEncoding('gzip;q=0, br;q=0', both)).toBeUndefined();
    expect(chooseEncoding('*', both)).toBe('br');
    expect(chooseEncoding('*, br;q=0', both)).toBe('gzip');
  });
  it('sends identity without Accept-Encoding or with only other codings', () => {
    expect(chooseEncoding(undefined, both)).toBeUndefined();
    expect(chooseEncoding('', both)).toBeUndefined();
    expect(chooseEncoding('deflate, identity', both)).toBeUndefined();
    expect(chooseEncoding('gzip', ['br'])).toBeUndefined();
  });
});

describe('precompressedStatic (mounted as bootstrap.ts mounts it)', () => {
  let dir: string;
  let app: NestExpressApplication;
  let base: string;
  const script = Buffer.from(`console.log(${JSON.stringify('dashboard '.repeat(500))});\n`);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-static-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'app.js'), script);
    fs.writeFileSync(path.join(dir, 'assets', 'app.js.gz'), zlib.gzipSync(script));
    fs.writeFileSync(path.join(dir, 'assets', 'app.js.br'), zlib.brotliCompressSync(script));
    app = await NestFactory.create<NestExpressApplication>(EmptyModule, { logger: false });
    app.use(precompressedStatic(dir));
    app.useStaticAssets(dir);
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends gzip to a client that accepts gzip: the decompressed bytes are the file', async () => {
    const res = await get(`${base}/assets/app.js`, { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript; charset=utf-8$/);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(script.length / 10);
    expect(zlib.gunzipSync(res.body).equals(script)).toBe(true);
  });

  it('sends brotli when the client accepts it too', async () => {
    const res = await get(`${base}/assets/app.js`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(zlib.brotliDecompressSync(res.body).equals(script)).toBe(true);
  });

  it('sends the file as it is without Accept-Encoding, still varying on it', async () => {
    const res = await get(`${base}/assets/app.js`);
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.body.equals(script)).toBe(true);
  });

  it('sends files without a variant, HEAD and unknown paths as before', async () => {
    const page = await get(`${base}/`, { 'accept-encoding': 'gzip' });
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBeUndefined();
    expect(page.body.toString()).toContain('<div id="app">');
    const head = await get(`${base}/assets/app.js`, { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(Number(head.headers['content-length'])).toBe(zlib.gzipSync(script).length);
    expect(head.body.length).toBe(0);
    expect((await get(`${base}/assets/missing.js`, { 'accept-encoding': 'gzip' })).status).toBe(
      404,
    );
    expect((await get(`${base}/assets/app.js.gz/..%2f..%2fetc/passwd`)).status).toBe(404);
  });
});
