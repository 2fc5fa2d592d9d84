import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngramApiError, EngramClient } from './index';

const DOWN = {
  status: 'error',
  checks: {
    database: { status: 'up', latencyMs: 1 },
    redis: { status: 'down', latencyMs: 2000, error: 'no answer in 2000 ms' },
  },
};

describe('EngramClient', () => {
  let server: Server;
  let client: EngramClient;
  const seen: { url?: string; key?: string | string[]; body?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ url: req.url, key: req.headers['x-api-key'], body });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/health') {
          res.statusCode = 503;
          res.end(JSON.stringify(DOWN));
        } else if (req.url?.includes('format=csv')) {
          res.setHeader('content-type', 'text/csv; charset=utf-8');
          res.end('runId,status\nr1,succeeded\n');
        } else if (req.method === 'POST') {
          res.statusCode = 400;
          res.end(
            JSON.stringify({
              message: 'invalid sweep specification',
              issues: [{ field: 'model', message: 'unknown model' }],
            }),
          );
        } else {
          res.end(JSON.stringify({ total: 0, limit: 100, offset: 0, items: [] }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new EngramClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      apiKey: 'k'.repeat(16),
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the API key and encodes filters, lists and sorting', async () => {
    await client.runs({
      readNoise: 0.05,
      status: ['failed', 'cancelled'],
      'dynamicAccuracy[gte]': 0.9,
      sort: '-seed',
    });
    expect(seen.at(-1)).toMatchObject({
      url: '/runs?readNoise=0.05&status=failed%2Ccancelled&dynamicAccuracy%5Bgte%5D=0.9&sort=-seed',
      key: 'k'.repeat(16),
    });
  });

  it('raises the status and field-level issues of an error answer', async () => {
    const error = await client.submitSweep({ model: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngramApiError);
    expect(error).toMatchObject({
      status: 400,
      issues: [{ field: 'model', message: 'unknown model' }],
    });
    expect(seen.at(-1)?.body).toBe('{"model":"x"}');
  });

  it('reads the checks of a 503 health answer, and CSV as text', async () => {
    await expect(client.health()).resolves.toEqual(DOWN);
    await expect(client.resultsCsv('s1', { status: 'succeeded' })).resolves.toBe(
      'runId,status\nr1,succeeded\n',
    );
    expect(seen.at(-1)?.url).toBe('/sweeps/s1/results?status=succeeded&format=csv');
  });
});
