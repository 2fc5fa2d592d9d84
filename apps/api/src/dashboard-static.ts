import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * The variants the dashboard build writes beside each text file (apps/dashboard/precompress.ts),
 * in the order we prefer them (brotli is about 15% smaller than gzip on the bundle).
 */
const VARIANTS = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/** Quality (q) of each coding named in an Accept-Encoding header; `*` stands for the others. */
export function parseAcceptEncoding(header: string | undefined): Map<string, number> {
  const qualities = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    qualities.set(name, q ? Number(q[1]) : 1);
  }
  return qualities;
}

/**
 * The encoding to send among those available: the highest q the client gives, ties going to our
 * order (browsers list gzip before br with equal q); undefined for identity.
 */
export function chooseEncoding(
  header: string | undefined,
  available: readonly string[],
): string | undefined {
  const qualities = parseAcceptEncoding(header);
  let best: { encoding: string; q: number } | undefined;
  for (const encoding of available) {
    const q = qualities.get(encoding) ?? qualities.get('*') ?? 0;
    if (q > 0 && (!best || q > best.q)) best = { encoding, q };
  }
  return best?.encoding;
}

/** The file a request path names under root (`/` is index.html), or undefined outside root. */
function fileOf(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.join(root, decoded.endsWith('/') ? `${decoded}index.html` : decoded);
  return file.startsWith(root + path.sep) ? file : undefined;
}

/**
 * Serves the precompressed variant of a static file when the client accepts it. Mounted before
 * `express.static` on the same root: it only sets the headers of the original file (type,
 * Content-Encoding, Vary) and points the URL at the variant, so express.static still does the
 * serving (ETag, conditional and range requests, HEAD).
 */
export function precompressedStatic(root: string): RequestHandler {
  const base = path.resolve(root);
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const file = fileOf(base, req.path);
    const available = file ? VARIANTS.filter((v) => fs.existsSync(file + v.suffix)) : [];
    if (!file || available.length === 0) return next();
    // Identity and compressed responses differ by Accept-Encoding: caches must key on it.
    res.vary('Accept-Encoding');
    const encoding = chooseEncoding(
      req.headers['accept-encoding'],
      available.map((v) => v.encoding),
    );
    const variant = available.find((v) => v.encoding === encoding);
    if (!variant) return next();
    res.type(path.extname(file));
    res.setHeader('Content-Encoding', variant.encoding);
    req.url = req.url.replace(
      /^[^?]*/,
      (p) => `${p.endsWith('/') ? `${p}index.html` : p}${variant.suffix}`,
    );
    next();
  };
}
