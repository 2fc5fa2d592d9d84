import fc from 'fast-check';
import { TEST_API_KEY, TestPlatform } from './testing/test-platform';

// Hostile input against the real API (PostgreSQL and Redis, no worker): thousands of sweep
// bodies and query strings generated around the limits of the column types, of the spec and
// of the query language. None may answer 5xx; every 4xx names the field in the one error
// envelope; a refused body writes no row. Seeded, so a failure replays the same inputs.
jest.setTimeout(240_000);

const SEED = 17;
const MAX_RUNS = 50;

const BOUNDARY_NUMBERS = [
  -1,
  -0,
  0,
  0.02,
  0.5,
  1,
  1.5,
  2,
  3,
  63,
  64,
  65,
  1024,
  1025,
  908,
  909,
  5000,
  10_000,
  10_001,
  2 ** 31 - 2,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  3e9,
  2 ** 53,
  1e20,
  1e300,
  -(2 ** 31) - 1,
];
const STRINGS = [
  'ok',
  '',
  ' ',
  '\t\n',
  '\u200b',
  '\u00a0\u2060',
  'a\u0000b',
  '\u0000',
  'broken \ud800',
  '\udfff tail',
  '\ud83d\ude00 emoji',
  'x'.repeat(201),
  'x'.repeat(4001),
  'Ω ≠ ∞',
];
const value = fc.oneof(
  fc.constantFrom(...BOUNDARY_NUMBERS),
  fc.constantFrom(...STRINGS),
  fc.constantFrom(null, true, 'margin', 'absolute', 'onnx', 'tfjs', 'rram-40nm-ternary'),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const PARAMETERS = [
  'readNoise',
  'programmingNoise',
  'camThreshold',
  'camThresholdExit1',
  'camThresholdExit2',
  'memorySize',
  'adcBits',
  'dacBits',
  'seed',
  'tileRows',
  'tileCols',
  'exitRule',
  'engine',
  'shotNoise',
];

const VALID = {
  name: 'valid',
  model: 'resnet-mnist',
  grid: { camThreshold: [0.2] },
  fixed: { memorySize: 2 },
  sampleCount: 10,
};

/** Some fields of a spec, pushed around and past their limits. */
const generatedFields = fc.record(
  {
    name: fc.oneof(fc.constantFrom(...STRINGS), fc.string()),
    description: fc.oneof(fc.constantFrom(...STRINGS), fc.string()),
    model: fc.constantFrom('resnet-mnist', 'pointnet2-modelnet10', 'vgg', 7),
    grid: fc.dictionary(
      fc.constantFrom(...PARAMETERS),
      fc.oneof(fc.array(value, { minLength: 0, maxLength: 3 }), value),
      { maxKeys: 3 },
    ),
    fixed: fc.dictionary(fc.constantFrom(...PARAMETERS), value, { maxKeys: 4 }),
    split: fc.constantFrom('test', 'validation', 'train', 3),
    sampleCount: fc.oneof(fc.constantFrom(...BOUNDARY_NUMBERS), fc.constant('5')),
    repeats: fc.constantFrom(0, 1, 2, 3, MAX_RUNS, MAX_RUNS + 1, 2 ** 31, 1e300, -1, 1.5),
    colour: fc.constant('red'),
  },
  { requiredKeys: [] },
);

/** A valid spec with one field (or some grid axes, fixed values) replaced, or the fields alone. */
const sweepBody = fc
  .tuple(
    generatedFields,
    fc.boolean(),
    fc.constantFrom(
      'name',
      'description',
      'model',
      'grid',
      'fixed',
      'split',
      'sampleCount',
      'repeats',
    ),
  )
  .map(([fields, nearValid, key]) => {
    if (!nearValid) return fields as Record<string, unknown>;
    const replaced = (fields as Record<string, unknown>)[key];
    if (key === 'grid' || key === 'fixed') {
      const base = VALID[key];
      return { ...VALID, [key]: { ...base, ...(replaced as object) } };
    }
    return { ...VALID, [key]: replaced };
  });

/** Raw JSON texts that JSON.parse accepts but that are ambiguous or unstorable. */
const RAW_BODIES = [
  '{"name":"dup","model":"vgg","model":"resnet-mnist","grid":{"camThreshold":[0.2]},"fixed":{"memorySize":2}}',
  '{"name":"dup","model":"resnet-mnist","grid":{"seed":[1],"seed":[2],"camThreshold":[0.2]},"fixed":{"memorySize":2}}',
  '{"name":"nul \\u0000","model":"resnet-mnist","grid":{"camThreshold":[0.2]},"fixed":{"memorySize":2}}',
  '{"name":"lone \\ud800","model":"resnet-mnist","grid":{"camThreshold":[0.2]},"fixed":{"memorySize":2}}',
  '{"name":"x","model":"resnet-mnist","grid":{"camThreshold":[1e400]},"fixed":{"memorySize":2}}',
  '{"name":"x",',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  'null',
  '"a string"',
];

const QUERY_KEYS = [
  'seed',
  'memorySize',
  'readNoise',
  'runIndex',
  'attempts',
  'sampleCount',
  'samples',
  'status',
  'workerId',
  'error',
  'configHash',
  'sweepId',
  'runId',
  'queuedAt',
  'startedAt',
  'dynamicAccuracy',
  'limit',
  'offset',
  'sort',
  'format',
  'metrics',
  'shoeSize',
  '',
];
const QUERY_VALUES = [
  '0',
  '1',
  '-1',
  '2147483647',
  '2147483648',
  '-2147483649',
  '1e20',
  '1e3',
  '1.5',
  '99999',
  '9223372036854775808',
  '9007199254740993',
  'Infinity',
  'NaN',
  '',
  'abc',
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '2026-01-01',
  '2026-01-01T00:00:00Z',
  '+275760-09-13',
  '99999-01-01',
  '0000-01-01',
  'a,b',
  '-dynamicAccuracy,readNoise',
  '-',
  ',',
  'csv',
  'json',
  'dynamicAccuracy',
  'queued,failed',
  '00000000-0000-0000-0000-000000000000',
];
const OPERATORS = ['', '[gte]', '[lt]', '[in]', '[ne]', '[near]', '[]', '[gte][x]', '[0]'];
const queryPart = fc
  .tuple(
    fc.constantFrom(...QUERY_KEYS),
    fc.constantFrom(...OPERATORS),
    fc.constantFrom(...QUERY_VALUES),
  )
  .map(([key, op, v]) => `${key}${op}=${v}`);
const queryString = fc.array(queryPart, { minLength: 1, maxLength: 4 }).map((p) => p.join('&'));

interface Envelope {
  statusCode: number;
  error: string;
  message: string;
  issues: { field: string; message: string }[];
}

function expectNamedRefusal(status: number, body: Envelope, what: string): void {
  if (status >= 500) throw new Error(`${what} -> ${status}: ${JSON.stringify(body)}`);
  if (status < 400) return;
  expect(body).toMatchObject({ statusCode: status, error: expect.any(String) });
  expect(typeof body.message).toBe('string');
  if (!Array.isArray(body.issues) || body.issues.length === 0)
    throw new Error(`${what} -> ${status} without issues: ${JSON.stringify(body)}`);
  for (const issue of body.issues) {
    expect(issue.field).toEqual(expect.any(String));
    expect(issue.field.length).toBeGreaterThan(0);
  }
}

describe('hostile input (property-based, real API)', () => {
  let platform: TestPlatform;
  let sweepId: string;

  beforeAll(async () => {
    platform = await TestPlatform.start({
      WRITE_RATE_LIMIT_PER_MINUTE: '1000000',
      MAX_RUNS_PER_SWEEP: String(MAX_RUNS),
      RECONCILE_INTERVAL_MS: '0',
    });
    const created = await platform.post('/sweeps', {
      name: 'target',
      model: 'resnet-mnist',
      grid: { seed: [1, 2] },
      fixed: { memorySize: 2, camThreshold: 0.2 },
      sampleCount: 10,
    });
    expect(created.status).toBe(202);
    sweepId = created.body.sweepId;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  async function rowCounts(): Promise<string> {
    const [row] = await platform.db.dataSource.query(
      `SELECT (SELECT count(*) FROM sweeps)::int AS sweeps, (SELECT count(*) FROM runs)::int AS runs`,
    );
    return JSON.stringify(row);
  }

  async function postRaw(text: string) {
    return platform
      .http()
      .post('/sweeps')
      .set('x-api-key', TEST_API_KEY)
      .set('content-type', 'application/json')
      .send(text);
  }

  it('answers every generated sweep body with 202 or a 4xx naming the field, writing nothing when refused', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(sweepBody, async (body) => {
        const before = await rowCounts();
        const response = await postRaw(JSON.stringify(body));
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expectNamedRefusal(response.status, response.body, JSON.stringify(body));
        if (response.status >= 400) expect(await rowCounts()).toBe(before);
      }),
      { seed: SEED, numRuns: 1500 },
    );
    for (const text of RAW_BODIES) {
      const before = await rowCounts();
      const response = await postRaw(text);
      expect(response.status).toBe(400);
      expectNamedRefusal(response.status, response.body, text);
      expect(await rowCounts()).toBe(before);
    }
    // The generator reaches both sides of the limits, not only refusals.
    expect(statuses.get(400)).toBeGreaterThan(100);
    expect(statuses.get(202)).toBeGreaterThan(20);
    console.log(
      `reliability: sweep bodies by status ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  });

  it('answers every generated query string of the read routes with 200 or a 400 naming the parameter', async () => {
    const routes = ['/runs', `/sweeps/${sweepId}/results`, '/sweeps', `/sweeps/${sweepId}/summary`];
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), queryString, async (route, query) => {
        const response = await platform.get(`${route}?${query}`);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expectNamedRefusal(response.status, response.body, `${route}?${query}`);
        expect([200, 400]).toContain(response.status);
      }),
      { seed: SEED, numRuns: 2000 },
    );
    expect(statuses.get(200)).toBeGreaterThan(100);
    expect(statuses.get(400)).toBeGreaterThan(100);
    console.log(
      `reliability: query strings by status ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  });

  it('refuses the named cases of the issue with a 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['/runs?seed=2147483648', 'seed'],
      ['/runs?memorySize=1e20', 'memorySize'],
      ['/runs?error=a%00b', 'error'],
      ['/runs?queuedAt=99999', 'queuedAt'],
      [`/sweeps/${sweepId}/results?offset=9223372036854775808`, 'offset'],
      [`/sweeps/${sweepId}/summary?metrics=dynamicAccuracy&metrics=staticAccuracy`, 'metrics'],
      ['/sweeps?limit=1e3', 'limit'],
      ['/sweeps?offset=99999999999999999999', 'offset'],
      ['/sweeps/not-a-uuid', 'id'],
    ];
    for (const [url, field] of cases) {
      const response = await platform.get(url);
      expect({ url, status: response.status }).toEqual({ url, status: 400 });
      expect(response.body.issues).toEqual(
        expect.arrayContaining([{ field, message: expect.any(String) }]),
      );
    }
    const missing = await platform.get('/sweeps/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      statusCode: 404,
      error: 'Not Found',
      issues: [{ field: 'id', message: expect.stringMatching(/no sweep/) }],
    });
    const noRoute = await platform.get('/no-such-route');
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.issues).toEqual([{ field: '(request)', message: expect.any(String) }]);
    const collapsed = await platform.post('/sweeps', {
      name: 'collapsing',
      model: 'resnet-mnist',
      grid: { camThreshold: [0.1, 0.2] },
      fixed: { memorySize: 2, camThresholdExit1: 0.3, camThresholdExit2: 0.3 },
    });
    expect(collapsed.status).toBe(400);
    expect(collapsed.body.issues).toEqual([
      { field: 'grid.camThreshold', message: expect.stringMatching(/same run configuration/) },
    ]);
    const duplicate = await postRaw(
      '{"name":"d","model":"vgg","model":"resnet-mnist","grid":{"camThreshold":[0.2]},"fixed":{"memorySize":2}}',
    );
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.issues).toEqual([
      { field: 'model', message: expect.stringMatching(/duplicate key "model"/) },
    ]);
  });
});

describe('the API key comes first', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start({
      AUTH_FAILURES_PER_MINUTE: '5',
      RECONCILE_INTERVAL_MS: '0',
    });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('refuses a keyless body with 401 before reading it, limits failed attempts per address, keeps /health and /docs public', async () => {
    const huge = await platform
      .http()
      .post('/sweeps')
      .set('content-type', 'application/json')
      .send('{"name":"' + 'x'.repeat(500_000) + '"}');
    expect(huge.status).toBe(401);
    expect(huge.body).toMatchObject({
      statusCode: 401,
      issues: [{ field: 'x-api-key', message: expect.any(String) }],
    });
    const broken = await platform
      .http()
      .post('/sweeps')
      .set('content-type', 'application/json')
      .send('{');
    expect(broken.status).toBe(401);
    // The same body with the key: now it is read, and refused for what it is.
    const tooBig = await platform
      .http()
      .post('/sweeps')
      .set('x-api-key', TEST_API_KEY)
      .set('content-type', 'application/json')
      .send('{"name":"' + 'x'.repeat(500_000) + '"}');
    expect(tooBig.status).toBe(413);
    expect((await platform.http().get('/health')).status).toBe(200);
    expect((await platform.http().get('/docs/openapi.json')).status).toBe(200);

    // Requests without a key are refused but not counted (they guess nothing); five wrong keys
    // in the window, then 429 even with the right key.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await platform.http().get('/runs').set('x-api-key', 'wrong-key-0123456789')).status,
      );
    statuses.push((await platform.get('/runs')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = await platform.get('/runs');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.issues[0].field).toBe('x-api-key');
  });
});
