import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ArchiveServer {
  url: string;
  /** What GET /ModelNet10.zip serves (replace it to serve another file). */
  body: Buffer;
  /** Range header of each request ('' for none). */
  ranges: string[];
  /**
   * The next `n` responses are cut off after `bytes` bytes of body, once `beforeDrop` (given the
   * file offset reached) resolves: e.g. when the client has those bytes on disk, since a fetch
   * stream that errors discards what it received but was not read yet.
   */
  dropNext(n: number, bytes: number, beforeDrop?: (offset: number) => Promise<void>): void;
  close(): Promise<void>;
}

/**
 * A local HTTP server for the fetch tests (127.0.0.1, a random port): serves one file with
 * Content-Length, an ETag and HTTP Range support (206 + Content-Range, If-Range honoured), and
 * can drop connections mid-body. 404 for any other path.
 */
export async function startArchiveServer(body: Buffer): Promise<ArchiveServer> {
  let drops = 0;
  let dropAfter = 0;
  let waitBeforeDrop: (offset: number) => Promise<void> = async () => undefined;
  const state: ArchiveServer = {
    url: '',
    body,
    ranges: [],
    dropNext(n, bytes, beforeDrop) {
      drops = n;
      dropAfter = bytes;
      if (beforeDrop) waitBeforeDrop = beforeDrop;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((request, response) => {
    if (request.url !== '/ModelNet10.zip') {
      response.writeHead(404).end('not found');
      return;
    }
    const file = state.body;
    const etag = `"${crypto.createHash('sha1').update(file).digest('hex')}"`;
    const range = request.headers.range ?? '';
    state.ranges.push(range);
    let start = 0;
    const match = /^bytes=(\d+)-$/.exec(range);
    const ifRange = request.headers['if-range'];
    if (match && (!ifRange || ifRange === etag)) {
      start = Number(match[1]);
      if (start >= file.length) {
        response.writeHead(416, { 'content-range': `bytes */${file.length}` }).end();
        return;
      }
      response.writeHead(206, {
        'content-length': file.length - start,
        'content-range': `bytes ${start}-${file.length - 1}/${file.length}`,
        etag,
      });
    } else {
      response.writeHead(200, { 'content-length': file.length, 'accept-ranges': 'bytes', etag });
    }
    const rest = file.subarray(start);
    if (drops > 0) {
      drops--;
      const cut = Math.max(0, Math.min(dropAfter, rest.length - 1));
      response.write(rest.subarray(0, cut), () => {
        void waitBeforeDrop(start + cut).then(() => response.socket?.destroy());
      });
      return;
    }
    response.end(rest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ModelNet10.zip`;
  return state;
}
