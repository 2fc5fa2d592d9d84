import { mkdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
import { SweepStore } from '@engram/persistence';
// The build `engram up` runs, skipped when the build is newer than the sources.
import { DEFAULT_DASHBOARD_DIR, ensureDashboard } from '../../apps/cli/src/stack/dashboard';
// The dashboard's own reading of the results, to check what the page shows.
import {
  configurations,
  meanMetric,
  metricByAxis,
  paretoFront,
  type RunRow,
} from '../../apps/dashboard/src/data';
import { Platform, SweepBody, TEST_API_KEY } from './support/platform';

// The dashboard in headless Chromium (Debian's package, driven by playwright-core) against the
// real API serving its production build, with a small sweep computed by a real worker.
jest.setTimeout(240_000);

const REPO_ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(REPO_ROOT, 'e2e/test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const sweepSpec = {
  name: 'dashboard: programming noise x CAM threshold',
  model: 'resnet-mnist',
  grid: { programmingNoise: [0, 0.05], camThreshold: [0.1, 0.3], seed: [0, 1] },
  fixed: { memorySize: 2 },
  sampleCount: 50,
};

/** What the page exposes of each ECharts instance. */
type ChartHandle = { getOption(): Record<string, unknown> };

interface SeriesState {
  id: string;
  type: string;
  name: string;
  points: number;
}

/** Series of a chart as the page's ECharts instance holds them (`window.__engramCharts`). */
async function chartSeries(page: Page, id: string): Promise<SeriesState[]> {
  return page.evaluate((chartId) => {
    const charts = (globalThis as unknown as Record<string, Record<string, ChartHandle>>)
      .__engramCharts;
    const option = charts[chartId].getOption();
    return (option.series as { id: string; type: string; name: string; data: unknown[] }[]).map(
      (s) => ({ id: s.id, type: s.type, name: s.name, points: s.data.length }),
    );
  }, id);
}

async function chartOption(page: Page, id: string, key: string): Promise<unknown[]> {
  return page.evaluate(
    ([chartId, name]) => {
      const charts = (globalThis as unknown as Record<string, Record<string, ChartHandle>>)
        .__engramCharts;
      return charts[chartId].getOption()[name] as unknown[];
    },
    [id, key] as const,
  );
}

/**
 * The band of each mean line as ECharts drew it: the stacked bottom and top of every `band:`
 * series (its model's stack result), in the order of the series.
 */
async function bandExtents(page: Page, id: string): Promise<{ low: number[]; high: number[] }[]> {
  return page.evaluate((chartId) => {
    interface Data {
      count(): number;
      get(dimension: string, index: number): number;
      getCalculationInfo(key: string): string;
    }
    const charts = (globalThis as unknown as Record<string, Record<string, unknown>>)
      .__engramCharts;
    const chart = charts[chartId] as {
      getModel(): { getSeries(): { id: string; getData(): Data }[] };
    };
    return chart
      .getModel()
      .getSeries()
      .filter((series) => series.id.startsWith('band:'))
      .map((series) => {
        const data = series.getData();
        const top = data.getCalculationInfo('stackResultDimension');
        const over = data.getCalculationInfo('stackedOverDimension');
        const indices = Array.from({ length: data.count() }, (_, i) => i);
        return {
          low: indices.map((i) => data.get(over, i)),
          high: indices.map((i) => data.get(top, i)),
        };
      });
  }, id);
}

/** Expects each band to span mean ± std of its line's points. */
function expectBands(
  bands: { low: number[]; high: number[] }[],
  groups: ReturnType<typeof metricByAxis>,
): void {
  expect(bands).toHaveLength(groups.length);
  groups.forEach((group, i) => {
    group.points.forEach((p, j) => {
      expect(bands[i].low[j]).toBeCloseTo(p.mean - p.std, 9);
      expect(bands[i].high[j]).toBeCloseTo(p.mean + p.std, 9);
    });
  });
}

/** The title each chart draws (ECharts' title component), by chart id. */
async function chartTitles(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const charts = (globalThis as unknown as Record<string, Record<string, ChartHandle>>)
      .__engramCharts;
    return Object.fromEntries(
      Object.entries(charts).map(([id, chart]) => [
        id,
        (chart.getOption().title as { text: string }[])[0].text,
      ]),
    );
  });
}

const byPrefix = (series: SeriesState[], prefix: string) =>
  series.filter((s) => s.id.startsWith(prefix));

/** A GET with the body as sent on the wire (fetch and supertest decompress it). */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

/** The page's ECharts instances (`window.__engramCharts`) and the copy a test keeps of them. */
type PageCharts = Record<
  '__engramCharts' | '__chartsBefore',
  Record<string, { isDisposed(): boolean; dispatchAction(action: object): void }>
>;

/** An action on a chart as a user's click would dispatch it (e.g. a legend toggle). */
async function dispatch(page: Page, id: string, action: object): Promise<void> {
  await page.evaluate(
    ([chartId, chartAction]) =>
      (globalThis as unknown as PageCharts).__engramCharts[chartId].dispatchAction(chartAction),
    [id, action] as const,
  );
}

const CHART_IDS = [
  'accuracy-noise',
  'reduction-threshold',
  'tradeoff',
  'pareto',
  'exits',
  'energy-breakdown',
  'parallel',
];

describe('dashboard (headless Chromium, real API and worker)', () => {
  let platform: Platform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let baseUrl: string;
  let sweepId: string;
  let liveId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The same production build the workspace ships (`nx build dashboard`, `engram up`).
    const output: string[] = [];
    const built = await ensureDashboard({
      outDir: DEFAULT_DASHBOARD_DIR,
      log: (line) => output.push(line),
    });
    if (!built) throw new Error(`the dashboard build failed:\n${output.join('\n')}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    platform = await Platform.start({ WRITE_RATE_LIMIT_PER_MINUTE: '1000' });
    baseUrl = await platform.baseUrl();
    await platform.startWorker();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    context = await browser.newContext({
      viewport: { width: 1360, height: 900 },
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('serves the page without a key and asks for one; API routes still need it', async () => {
    expect((await platform.http().get('/')).status).toBe(200);
    expect((await platform.http().get('/sweeps')).status).toBe(401);
    expect((await platform.http().get('/health')).status).toBe(200);
    expect((await platform.http().get('/docs/openapi.json')).status).toBe(200);

    await page.goto(`${baseUrl}/#/`);
    await page.locator('[data-view="api-key"]').waitFor();
    await page.locator('input[name="api-key"]').fill(TEST_API_KEY);
    await page.locator('[data-view="api-key"] button[type="submit"]').click();
    await page.locator('[data-view="sweeps"]').waitFor();
  });

  it('serves the bundle compressed to clients that accept it, as it is to the others', async () => {
    const html = (await rawGet(`${baseUrl}/`)).body.toString();
    const script = /<script[^>]+src="\.\/([^"]+\.js)"/.exec(html)![1];
    const file = readFileSync(path.join(DEFAULT_DASHBOARD_DIR, script));

    const gzipped = await rawGet(`${baseUrl}/${script}`, { 'accept-encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['content-type']).toMatch(/javascript/);
    expect(gzipped.headers.vary).toMatch(/Accept-Encoding/i);
    expect(zlib.gunzipSync(gzipped.body).equals(file)).toBe(true);

    const brotli = await rawGet(`${baseUrl}/${script}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(brotli.body).equals(file)).toBe(true);

    const identity = await rawGet(`${baseUrl}/${script}`);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.equals(file)).toBe(true);
    process.stderr.write(
      `dashboard bundle on the wire: ${identity.body.length} B identity, ${gzipped.body.length} B gzip, ${brotli.body.length} B br\n`,
    );
    expect(gzipped.body.length).toBeLessThan(identity.body.length / 2.5);
  });

  it('lists sweeps with live progress from server-sent events', async () => {
    const submitted = await platform.post('/sweeps', sweepSpec);
    expect(submitted.status).toBe(202);
    sweepId = submitted.body.sweepId;

    await page.goto(`${baseUrl}/?apiKey=${TEST_API_KEY}#/`);
    const row = page.locator(`tr[data-sweep-id="${sweepId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).not.toBe('completed');
    // No reload: the row follows /sweeps/:id/events until the sweep settles.
    await page.locator(`tr[data-sweep-id="${sweepId}"][data-status="completed"]`).waitFor({
      timeout: 180_000,
    });
    await expect(row.locator('.counts').textContent()).resolves.toContain('8/8 done');
    await page.screenshot({ path: path.join(ARTIFACTS, 'sweeps-list.png') });
  });

  it('draws every chart with the right series and points', async () => {
    const results = await platform.get(`/sweeps/${sweepId}/results?limit=1000`);
    const runs = results.body.items as RunRow[];
    expect(runs).toHaveLength(8);

    await page.goto(`${baseUrl}/#/sweeps/${sweepId}`);
    await page.locator('[data-view="sweep"][data-ready="true"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-table="results"][data-loaded]').waitFor();

    // Accuracy vs programming noise: one mean line (plus its band) per CAM threshold, 2 noise
    // values each, and the float software accuracy as a reference line.
    const accuracy = await chartSeries(page, 'accuracy-noise');
    expect(byPrefix(accuracy, 'mean:').map((s) => [s.name, s.points])).toEqual([
      ['cam=0.1', 2],
      ['cam=0.3', 2],
    ]);
    expect(byPrefix(accuracy, 'band:').map((s) => s.points)).toEqual([2, 2]);
    expect(byPrefix(accuracy, 'reference:')).toHaveLength(1);

    // Compute reduction vs CAM threshold: one memory size, so one line over 2 thresholds.
    const reduction = await chartSeries(page, 'reduction-threshold');
    expect(byPrefix(reduction, 'mean:').map((s) => s.points)).toEqual([2]);
    expect(byPrefix(reduction, 'reference:')).toHaveLength(0);

    // The bands span mean ± std, also where mean - std is below zero (compute reduction near 0
    // at the high threshold here), which ECharts' default stacking ('samesign') drew from 0.
    expectBands(
      await bandExtents(page, 'accuracy-noise'),
      metricByAxis(runs, 'programmingNoise', 'camThreshold', 'dynamicAccuracy'),
    );
    // Programming noise varies but is not drawn there: held at its first value, not averaged.
    expectBands(
      await bandExtents(page, 'reduction-threshold'),
      metricByAxis(
        runs.filter((r) => r.parameters.programmingNoise === 0),
        'camThreshold',
        null,
        'computeReduction',
      ),
    );

    // Trade-off: 4 configurations (2 noise x 2 thresholds) as points, never joined by a line.
    const tradeOff = await chartSeries(page, 'tradeoff');
    expect(tradeOff.map((s) => [s.type, s.points])).toEqual([['scatter', 4]]);

    // Pareto: 4 configurations, and the front computed from the API's numbers.
    const configs = configurations(runs, ['programmingNoise', 'camThreshold']);
    const front = paretoFront(
      configs.map((c) => ({
        x: meanMetric(c.runs, 'energyPerInferencePj'),
        y: meanMetric(c.runs, 'dynamicAccuracy'),
      })),
    );
    const pareto = await chartSeries(page, 'pareto');
    expect(pareto.map((s) => [s.id, s.points])).toEqual([
      ['configurations', 4],
      ['pareto', front.length],
    ]);

    // Exits: one stacked series per exit, one bar per configuration.
    const exits = runs[0].exitHistogram!.length;
    const exitSeries = await chartSeries(page, 'exits');
    expect(exitSeries).toHaveLength(exits);
    expect(exitSeries.every((s) => s.points === 4)).toBe(true);

    // Energy: per configuration a chip bar and a bar of its digital baseline, named; one stacked
    // series per component of either side.
    const energySeries = await chartSeries(page, 'energy-breakdown');
    expect(energySeries.every((s) => s.points === 2 * 4)).toBe(true);
    expect(energySeries.map((s) => s.name)).toEqual(
      expect.arrayContaining(['crossbarArray', 'adc', 'dac', 'activationBuffer', 'mac', 'buffer']),
    );
    const [energyBars] = (await chartOption(page, 'energy-breakdown', 'yAxis')) as {
      data: string[];
    }[];
    expect(energyBars.data.filter((label) => label.endsWith(' · int8-dataflow'))).toHaveLength(4);

    // Parallel coordinates: varying axes (noise, threshold, seed) + 4 default metrics; 8 runs,
    // one series per CAM threshold.
    const parallelAxes = await chartOption(page, 'parallel', 'parallelAxis');
    expect(parallelAxes).toHaveLength(3 + 4);
    const parallel = await chartSeries(page, 'parallel');
    expect(parallel.map((s) => s.points)).toEqual([4, 4]);

    await page.screenshot({ path: path.join(ARTIFACTS, 'sweep-page.png'), fullPage: true });
    for (const id of CHART_IDS) {
      await page
        .locator(`[data-chart="${id}"]`)
        .screenshot({ path: path.join(ARTIFACTS, `chart-${id}.png`) });
    }
  });

  it('plots any axis against any metric from the drop-downs', async () => {
    const panel = page.locator('[data-chart="accuracy-noise"]');
    await panel.locator('select[name="x"]').selectOption('seed');
    await panel.locator('select[name="metric"]').selectOption('energyPerInferencePj');
    await panel.locator('select[name="group"]').selectOption('programmingNoise');
    const series = await chartSeries(page, 'accuracy-noise');
    expect(byPrefix(series, 'mean:').map((s) => [s.name, s.points])).toEqual([
      ['pn=0', 2],
      ['pn=0.05', 2],
    ]);
    // Not an accuracy: no software reference line.
    expect(byPrefix(series, 'reference:')).toHaveLength(0);
    const axis = (await chartOption(page, 'accuracy-noise', 'yAxis')) as { name: string }[];
    expect(axis[0].name).toBe('energyPerInferencePj');

    await page.locator('[data-chart="parallel"] input[name="metric-staticAccuracy"]').check();
    expect(await chartOption(page, 'parallel', 'parallelAxis')).toHaveLength(3 + 5);
  });

  it('filters and sorts the results table, and downloads the same CSV as the API', async () => {
    const table = page.locator('[data-table="results"]');
    const rows = table.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(8);

    await table.locator('input[name="filter-camThreshold"]').fill('0.1');
    await table.locator('[data-role="row-count"][data-total="4"]').waitFor();
    await expect(rows.count()).resolves.toBe(4);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      table.locator('button[data-action="csv"]').click(),
    ]);
    const file = path.join(ARTIFACTS, 'results-filtered.csv');
    await download.saveAs(file);
    const api = await platform.get(
      `/sweeps/${sweepId}/results?sort=runIndex&camThreshold=0.1&format=csv`,
    );
    expect(api.status).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe(api.text);
    expect(api.text.trim().split('\n')).toHaveLength(1 + 4);

    await table.locator('input[name="filter-dynamicAccuracy"]').fill('>=0');
    await table.locator('input[name="filter-camThreshold"]').fill('');
    await table.locator('[data-role="row-count"][data-total="8"]').waitFor();
    await table.locator('th[data-column="dynamicAccuracy"]').click();
    await table.locator('th[data-column="dynamicAccuracy"][data-sort="asc"]').waitFor();
    await table.locator('th[data-column="dynamicAccuracy"]').click();
    await table.locator('th[data-column="dynamicAccuracy"][data-sort="desc"]').waitFor();
    const sorted = await platform.get(`/sweeps/${sweepId}/results?sort=-dynamicAccuracy&limit=50`);
    const expected = (sorted.body.items as { runIndex: number }[]).map((r) => String(r.runIndex));
    const shown = () =>
      rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-index')));
    for (let i = 0; i < 40 && JSON.stringify(await shown()) !== JSON.stringify(expected); i++) {
      await page.waitForTimeout(100);
    }
    expect(await shown()).toEqual(expected);

    await table.screenshot({ path: path.join(ARTIFACTS, 'results-table.png') });
    expect(pageErrors).toEqual([]);
  });

  it('titles every chart after its chosen axes, and keeps the choices in the URL', async () => {
    await page.goto(`${baseUrl}/#/sweeps/${sweepId}`);
    await page.locator('[data-view="sweep"][data-ready="true"]').waitFor({ timeout: 30_000 });
    expect(await chartTitles(page)).toEqual({
      'accuracy-noise': 'dynamicAccuracy vs programmingNoise per camThreshold',
      'reduction-threshold': 'computeReduction vs camThreshold',
      tradeoff: 'dynamicAccuracy vs computeReduction',
      pareto: 'dynamicAccuracy vs energyPerInferencePj: Pareto front',
      exits: 'Exit histogram per configuration',
      'energy-breakdown': 'Energy per inference by component: chip vs digital baseline',
      parallel: 'Parallel coordinates: all axes and metrics',
    });
    const panel = page.locator('[data-chart="accuracy-noise"]');
    await panel.locator('select[name="x"]').selectOption('camThreshold');
    await panel.locator('select[name="group"]').selectOption('');
    await panel.locator('select[name="metric"]').selectOption('staticAccuracy');
    const tradeOff = page.locator('[data-chart="tradeoff"]');
    await tradeOff.locator('select[name="x"]').selectOption('energyPerInferencePj');
    const chosenTitle = 'staticAccuracy vs camThreshold';
    expect((await chartTitles(page))['accuracy-noise']).toBe(chosenTitle);
    expect(await panel.getAttribute('data-title')).toBe(chosenTitle);
    expect((await chartTitles(page)).tradeoff).toBe('dynamicAccuracy vs energyPerInferencePj');
    const axis = (await chartOption(page, 'accuracy-noise', 'xAxis')) as { name: string }[];
    expect(axis[0].name).toBe('camThreshold');
    await panel.screenshot({ path: path.join(ARTIFACTS, 'chart-title-follows-axes.png') });

    // The choices are in the URL: a reload (or the link, shared) shows the same charts.
    const url = page.url();
    expect(decodeURIComponent(url)).toContain('accuracy-noise.x=camThreshold');
    expect(decodeURIComponent(url)).toContain('accuracy-noise.group=-');
    await page.goto('about:blank');
    await page.goto(url);
    await page.locator('[data-view="sweep"][data-ready="true"]').waitFor({ timeout: 30_000 });
    expect((await chartTitles(page))['accuracy-noise']).toBe(chosenTitle);
    await expect(panel.locator('select[name="x"]').inputValue()).resolves.toBe('camThreshold');
    await expect(panel.locator('select[name="group"]').inputValue()).resolves.toBe('');
    await expect(tradeOff.locator('select[name="x"]').inputValue()).resolves.toBe(
      'energyPerInferencePj',
    );
    // Programming noise is hidden now: held at a value, said in the subtitle.
    expect(await panel.getAttribute('data-subtitle')).toBe(
      'programmingNoise = 0; mean ± 1 std over 2 seeds',
    );
  });

  it('never averages silently over a varying axis that is not drawn', async () => {
    const runs = (await platform.get(`/sweeps/${sweepId}/results?limit=1000`)).body
      .items as RunRow[];
    const panel = page.locator('[data-chart="reduction-threshold"]');
    // x is the CAM threshold and no grouping: programming noise varies but is not drawn.
    expect(await panel.getAttribute('data-subtitle')).toBe(
      'programmingNoise = 0; mean ± 1 std over 2 seeds',
    );
    const meanPoints = async () =>
      (
        await page.evaluate(() => {
          const charts = (globalThis as unknown as Record<string, Record<string, ChartHandle>>)
            .__engramCharts;
          const series = charts['reduction-threshold'].getOption().series as {
            id: string;
            data: { value: number[] }[];
          }[];
          return series
            .filter((s) => s.id.startsWith('mean:'))
            .map((s) => s.data.map((d) => d.value));
        })
      )[0];
    const expectPoints = async (shown: RunRow[]) => {
      const [group] = metricByAxis(shown, 'camThreshold', null, 'computeReduction');
      const points = await meanPoints();
      expect(points.map((p) => p[0])).toEqual(group.points.map((p) => p.x));
      points.forEach((p, i) => expect(p[1]).toBeCloseTo(group.points[i].mean, 12));
    };
    await expectPoints(runs.filter((r) => r.parameters.programmingNoise === 0));

    await panel.locator('select[name="fix-programmingNoise"]').selectOption('0.05');
    expect(await panel.getAttribute('data-subtitle')).toBe(
      'programmingNoise = 0.05; mean ± 1 std over 2 seeds',
    );
    await expectPoints(runs.filter((r) => r.parameters.programmingNoise === 0.05));

    // Averaging is a choice, and the chart says so.
    await panel.locator('select[name="fix-programmingNoise"]').selectOption('*');
    expect(await panel.getAttribute('data-subtitle')).toBe(
      'averaged over programmingNoise ∈ {0, 0.05}; mean ± 1 std over seeds and the averaged values',
    );
    await expectPoints(runs);
    const title = (await chartOption(page, 'reduction-threshold', 'title')) as {
      text: string;
      subtext: string;
    }[];
    expect(title[0].subtext).toContain('averaged over programmingNoise');
    await panel.screenshot({ path: path.join(ARTIFACTS, 'chart-hidden-axis-stated.png') });
    await panel.locator('select[name="fix-programmingNoise"]').selectOption('0');
  });

  it('exports any chart as a PNG and an SVG that open', async () => {
    const panel = page.locator('[data-chart="accuracy-noise"]');
    const title = (await panel.getAttribute('data-title'))!;
    const size = await panel.locator('.chart').evaluate((e) => [e.clientWidth, e.clientHeight]);
    const saved: Record<string, string> = {};
    for (const format of ['png', 'svg']) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        panel.locator(`button[data-action="export-${format}"]`).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`${title.replace(/ /g, '-')}.${format}`);
      saved[format] = path.join(ARTIFACTS, `export-accuracy-noise.${format}`);
      await download.saveAs(saved[format]);
    }
    const png = readFileSync(saved.png);
    expect(png.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))).toBe(true);
    // IHDR: twice the chart's size on the page (pixelRatio 2).
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size[0] * 2, size[1] * 2]);
    const svg = readFileSync(saved.svg, 'utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain(title);
    // Both open as images in the browser, at their size.
    const opened = await page.evaluate(
      async ([pngBase64, svgText]) => {
        const load = (src: string) =>
          new Promise<[number, number]>((resolve, reject) => {
            const image = new Image();
            image.onload = () => resolve([image.naturalWidth, image.naturalHeight]);
            image.onerror = () => reject(new Error('does not open'));
            image.src = src;
          });
        return {
          png: await load(`data:image/png;base64,${pngBase64}`),
          svg: await load(URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }))),
        };
      },
      [png.toString('base64'), svg] as const,
    );
    expect(opened).toEqual({ png: [size[0] * 2, size[1] * 2], svg: size });
    // A look at the SVG as drawn by the browser.
    const viewer = await context.newPage();
    await viewer.setViewportSize({ width: size[0], height: size[1] });
    await viewer.setContent(svg);
    await viewer.screenshot({ path: path.join(ARTIFACTS, 'export-accuracy-noise-svg.png') });
    await viewer.close();
  });

  it('shows a run in detail: configuration, metrics, exit accuracy per exit, energy', async () => {
    const runs = (await platform.get(`/sweeps/${sweepId}/results?sort=runIndex&limit=1`)).body
      .items as {
      runId: string;
      runIndex: number;
      exitHistogram: number[];
      exitAccuracy: (number | null)[];
      energyBreakdownPj: Record<string, number> | null;
    }[];
    const run = runs[0];
    await page.goto(`${baseUrl}/#/sweeps/${sweepId}`);
    await page.locator('[data-table="results"][data-loaded]').waitFor();
    await page.locator(`[data-table="results"] tr[data-run-index="${run.runIndex}"] a`).click();
    const view = page.locator(`[data-view="run"][data-run-id="${run.runId}"]`);
    await view.waitFor();
    expect(page.url()).toContain(`#/sweeps/${sweepId}/runs/${run.runId}`);
    const cells = (role: string) =>
      view
        .locator(`[data-role="${role}"] tbody tr`)
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    const parameters = Object.fromEntries((await cells('parameters')) as [string, string][]);
    expect(parameters).toMatchObject({
      memorySize: '2',
      seed: '0',
      readNoise: 'default (device profile)',
    });
    const exits = await cells('exits');
    expect(exits).toHaveLength(run.exitHistogram.length);
    expect(exits.map((row) => Number(row[1]))).toEqual(run.exitHistogram);
    exits.forEach((row, e) => {
      const accuracy = run.exitAccuracy[e];
      if (accuracy === null) expect(row[3]).toBe('');
      else expect(Number(row[3])).toBeCloseTo(accuracy, 3);
    });
    const metrics = Object.fromEntries((await cells('metrics')) as [string, string][]);
    expect(Object.keys(metrics)).toContain('dynamicAccuracy');
    if (run.energyBreakdownPj && Object.keys(run.energyBreakdownPj).length) {
      expect(await cells('energy')).toHaveLength(Object.keys(run.energyBreakdownPj).length);
    } else {
      await view.getByText('No energy breakdown recorded.').waitFor();
    }
    await expect(view.locator('[data-role="run-error"]').count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'run-detail.png'), fullPage: true });
  });

  it('shows a failed sweep with its failed runs and errors; retries and clones it from the page', async () => {
    const queue = platform.queue();
    const reason = 'could not enqueue: Connection is closed.';
    try {
      // Runs failed as the API fails them when Redis refuses the jobs (SweepStore.failQueuedRuns):
      // the sweep is stored, the jobs are taken back out of the paused queue.
      await queue.pause();
      const submitted = await platform.post('/sweeps', {
        ...sweepSpec,
        name: 'dashboard: failed runs',
        grid: { programmingNoise: [0], camThreshold: [0.2], seed: [20, 21] },
      });
      expect({ status: submitted.status, body: submitted.body }).toMatchObject({ status: 202 });
      const failedId = submitted.body.sweepId as string;
      // Jobs are named by job key (the chip hash of these runs), not by config hash.
      const jobs: { job_key: string }[] = await platform.db.dataSource.query(
        `SELECT DISTINCT job_key FROM runs WHERE sweep_id = $1`,
        [failedId],
      );
      await new SweepStore(platform.db.dataSource).failQueuedRuns(failedId, reason);
      for (const job of jobs) await queue.remove(job.job_key);
      await queue.resume();

      await page.goto(`${baseUrl}/#/sweeps/${failedId}`);
      const view = page.locator('[data-view="sweep"][data-ready="true"]');
      await view.waitFor({ timeout: 30_000 });
      await view.getByText('No results: 2 failed of 2 runs.').waitFor();
      const failed = view.locator('[data-role="failed-runs"]');
      await expect(failed.locator('h2').textContent()).resolves.toBe('Failed runs (2)');
      await expect(failed.locator('td.run-error').allTextContents()).resolves.toEqual([
        reason,
        reason,
      ]);
      await page.screenshot({ path: path.join(ARTIFACTS, 'failed-sweep.png'), fullPage: true });

      // A failed run's detail says why.
      await failed.locator('tbody tr a').first().click();
      await page.locator('[data-view="run"][data-status="failed"]').waitFor();
      await expect(page.locator('[data-role="run-error"] pre').textContent()).resolves.toBe(reason);
      await page.goBack();

      // Retry (with the API key the page holds): the real worker computes them this time.
      await view.locator('button[data-action="retry-failed"]').click();
      await page
        .locator('[data-view="sweep"][data-ready="true"] .sweep-header[data-status="completed"]')
        .waitFor({ timeout: 120_000 });
      await expect(page.locator('[data-role="failed-runs"]').count()).resolves.toBe(0);

      // Clone as a new sweep: the specification, edited, goes to POST /sweeps.
      await page.locator('button[data-action="clone"]').click();
      const editor = page.locator('textarea[name="clone-spec"]');
      const spec = JSON.parse(await editor.inputValue()) as { name: string };
      expect(spec.name).toBe('dashboard: failed runs (copy)');
      await editor.fill(JSON.stringify({ ...spec, grid: { ...sweepSpec.grid, readNoise: [2] } }));
      await page.locator('button[data-action="submit-clone"]').click();
      await expect(
        page.locator('[data-role="clone-issues"] li').first().textContent(),
      ).resolves.toMatch(/readNoise/);
      await editor.fill(JSON.stringify({ ...spec, name: 'dashboard: cloned' }));
      await page.locator('button[data-action="submit-clone"]').click();
      await page.locator('[data-view="sweep"] h1', { hasText: 'dashboard: cloned' }).waitFor();
      // Its runs are those of the sweep it was cloned from: served from their results.
      await page
        .locator('[data-view="sweep"][data-ready="true"] .sweep-header[data-status="completed"]')
        .waitFor({ timeout: 60_000 });
    } finally {
      await queue.resume();
      await queue.close();
    }
  });

  it('cancels a running sweep from its page', async () => {
    const queue = platform.queue();
    try {
      await queue.pause();
      const submitted = await platform.post('/sweeps', {
        ...sweepSpec,
        name: 'dashboard: cancelled',
        grid: { programmingNoise: [0], camThreshold: [0.2], seed: [30, 31] },
      });
      const id = submitted.body.sweepId as string;
      await page.goto(`${baseUrl}/#/sweeps/${id}`);
      await page.locator('[data-view="sweep"] .sweep-header[data-status="queued"]').waitFor();
      await page.locator('button[data-action="cancel"]').click();
      await page.locator('[data-view="sweep"] .sweep-header[data-status="cancelled"]').waitFor();
      expect((await platform.get(`/sweeps/${id}`)).body.counts).toMatchObject({ cancelled: 2 });
    } finally {
      await queue.resume();
      await queue.close();
    }
  });

  it('fits the sweeps list in a 1440 px window', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    try {
      await page.goto(`${baseUrl}/#/`);
      await page.locator('[data-view="sweeps"] table').waitFor();
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        window: window.innerWidth,
        table: document.querySelector('table.sweeps')!.scrollWidth,
        main: document.querySelector('main')!.clientWidth,
      }));
      expect(widths.page).toBeLessThanOrEqual(widths.window);
      expect(widths.table).toBeLessThanOrEqual(widths.main);
      await page.screenshot({ path: path.join(ARTIFACTS, 'sweeps-list-1440.png') });
    } finally {
      await page.setViewportSize({ width: 1360, height: 900 });
    }
  });
  it('keeps drop-downs, table filter and sort, and its charts while a running sweep updates', async () => {
    const queue = platform.queue();
    const done = (body: SweepBody) => body.counts.succeeded + body.counts.cached;
    // Pauses the queue (the run in progress still finishes) once `runs` results are in.
    // Polled more often than waitForSweep does: runs of 50 samples take a fraction of a second.
    const pauseAfter = async (sweepId: string, runs: number) => {
      const deadline = Date.now() + 180_000;
      let body: SweepBody;
      do {
        body = (await platform.get(`/sweeps/${sweepId}`)).body as SweepBody;
        if (done(body) >= runs) return queue.pause();
        await new Promise((resolve) => setTimeout(resolve, 50));
      } while (Date.now() < deadline);
      throw new Error(`sweep ${sweepId}: ${runs} runs not done in time: ${JSON.stringify(body)}`);
    };
    const shownRuns = () =>
      page.locator('[data-view="sweep"]').evaluate((view) => Number(view.dataset.runs ?? 0));
    try {
      // New seeds, so nothing comes from the cache; the queue is paused between runs so the sweep
      // stays running while the page is set up and checked.
      const submitted = await platform.post('/sweeps', {
        ...sweepSpec,
        name: 'dashboard: live updates',
        grid: { ...sweepSpec.grid, seed: [2, 3, 4, 5] },
      });
      liveId = submitted.body.sweepId as string;
      await pauseAfter(liveId, 3);

      await page.goto(`${baseUrl}/#/sweeps/${liveId}`);
      await page.locator('[data-view="sweep"][data-runs]').waitFor({ timeout: 30_000 });
      const table = page.locator('[data-table="results"]');
      await page.locator('[data-table="results"][data-loaded]').waitFor();

      const accuracy = page.locator('[data-chart="accuracy-noise"]');
      await accuracy.locator('select[name="metric"]').selectOption('energyPerInferencePj');
      await page.locator('[data-chart="parallel"] input[name="metric-staticAccuracy"]').check();
      await table.locator('input[name="filter-camThreshold"]').fill('0.1');
      await table.locator('th[data-column="dynamicAccuracy"]').click();
      await table.locator('th[data-column="dynamicAccuracy"][data-sort="asc"]').waitFor();
      await page.evaluate(() => {
        const global = globalThis as unknown as PageCharts;
        global.__chartsBefore = { ...global.__engramCharts };
      });
      // A legend entry switched off on the chart itself.
      await dispatch(page, 'accuracy-noise', { type: 'legendUnSelect', name: 'cam=0.3' });

      // The rows the API returns for a query, once the table has caught up with the results.
      const expectRowsOf = async (query: string) => {
        const shown = () =>
          table
            .locator('tbody tr')
            .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-index')));
        const expected = async () =>
          ((await platform.get(query)).body.items as { runIndex: number }[]).map((r) =>
            String(r.runIndex),
          );
        for (let i = 0; i < 50; i++) {
          if (JSON.stringify(await shown()) === JSON.stringify(await expected())) break;
          await page.waitForTimeout(200);
        }
        expect(await shown()).toEqual(await expected());
      };
      const expectKept = async () => {
        await expect(accuracy.locator('select[name="metric"]').inputValue()).resolves.toBe(
          'energyPerInferencePj',
        );
        const yAxis = (await chartOption(page, 'accuracy-noise', 'yAxis')) as { name: string }[];
        expect(yAxis[0].name).toBe('energyPerInferencePj');
        const legend = (await chartOption(page, 'accuracy-noise', 'legend')) as {
          selected: Record<string, boolean>;
        }[];
        expect(legend[0].selected['cam=0.3']).toBe(false);
        await expect(
          page.locator('[data-chart="parallel"] input[name="metric-staticAccuracy"]').isChecked(),
        ).resolves.toBe(true);
        const parallelAxes = (await chartOption(page, 'parallel', 'parallelAxis')) as {
          name: string;
        }[];
        expect(parallelAxes.map((a) => a.name)).toContain('staticAccuracy');
        await expect(table.locator('input[name="filter-camThreshold"]').inputValue()).resolves.toBe(
          '0.1',
        );
        await expectRowsOf(`/sweeps/${liveId}/results?sort=dynamicAccuracy&camThreshold=0.1`);
        await expect(
          table.locator('th[data-column="dynamicAccuracy"]').getAttribute('data-sort'),
        ).resolves.toBe('asc');
        // The same seven ECharts instances, updated in place: none added, none replaced.
        const charts = await page.evaluate((ids) => {
          const global = globalThis as unknown as PageCharts;
          return {
            same: ids.every((id) => global.__engramCharts[id] === global.__chartsBefore[id]),
            live: ids.filter((id) => !global.__chartsBefore[id].isDisposed()).length,
            registered: Object.keys(global.__engramCharts).length,
            inPage: document.querySelectorAll('[_echarts_instance_]').length,
            canvases: document.querySelectorAll('[data-chart] canvas').length,
          };
        }, CHART_IDS);
        const { canvases: count, ...instances } = charts;
        expect(instances).toEqual({ same: true, live: 7, registered: 7, inPage: 7 });
        return count;
      };
      const canvases = await expectKept();

      // More results while the sweep still runs: the page refreshes them in place.
      const before = await shownRuns();
      await queue.resume();
      await pauseAfter(liveId, before + 1);
      await page.waitForFunction(
        (n) => Number(document.querySelector<HTMLElement>('[data-view="sweep"]')?.dataset.runs) > n,
        before,
        { timeout: 30_000 },
      );
      await expect(page.locator('.sweep-header').getAttribute('data-status')).resolves.not.toMatch(
        /^completed/,
      );
      await expect(expectKept()).resolves.toBe(canvases);

      // And at the end.
      await queue.resume();
      await page.locator('[data-view="sweep"][data-ready="true"]').waitFor({ timeout: 180_000 });
      await expect(shownRuns()).resolves.toBe(16);
      await expect(expectKept()).resolves.toBe(canvases);
      const series = await chartSeries(page, 'accuracy-noise');
      expect(byPrefix(series, 'mean:').map((s) => s.points)).toEqual([2, 2]);
      // Drawn from the merged updates as a fresh draw would be: bands over all 16 runs.
      await dispatch(page, 'accuracy-noise', { type: 'legendAllSelect' });
      const runs = (await platform.get(`/sweeps/${liveId}/results?limit=1000`)).body
        .items as RunRow[];
      expectBands(
        await bandExtents(page, 'accuracy-noise'),
        metricByAxis(runs, 'programmingNoise', 'camThreshold', 'energyPerInferencePj'),
      );
      await page.screenshot({ path: path.join(ARTIFACTS, 'sweep-page-live.png'), fullPage: true });

      // Leaving the page disposes its charts.
      await page.goto(`${baseUrl}/#/`);
      await page.locator('[data-view="sweeps"]').waitFor();
      const left = await page.evaluate((ids) => {
        const global = globalThis as unknown as PageCharts;
        return {
          disposed: ids.filter((id) => global.__chartsBefore[id].isDisposed()).length,
          registered: Object.keys(global.__engramCharts).length,
        };
      }, CHART_IDS);
      expect(left).toEqual({ disposed: 7, registered: 0 });
      expect(pageErrors).toEqual([]);
    } finally {
      await queue.resume();
      await queue.close();
    }
  });

  it('compares two sweeps on one chart', async () => {
    await page.goto(`${baseUrl}/#/`);
    await page.locator(`tr[data-sweep-id="${sweepId}"] input[name="compare"]`).check();
    await page.locator(`tr[data-sweep-id="${liveId}"] input[name="compare"]`).check();
    await page.locator('button[data-action="compare"]').click();
    await page.locator('[data-view="compare"][data-ready="true"]').waitFor({ timeout: 30_000 });
    const series = await chartSeries(page, 'compare');
    expect(series.map((s) => [s.id, s.type, s.points])).toEqual([
      [`sweep:${sweepId}`, 'line', 2],
      [`sweep:${liveId}`, 'line', 2],
    ]);
    // The CAM threshold varies in both: held at a value, which the chart states.
    const panel = page.locator('[data-chart="compare"]');
    expect(await panel.getAttribute('data-title')).toBe(
      'dynamicAccuracy vs programmingNoise: 2 sweeps',
    );
    expect(await panel.getAttribute('data-subtitle')).toBe(
      'dashboard: programming noise x CAM threshold: camThreshold = 0.1; mean over 2 seeds · ' +
        'dashboard: live updates: camThreshold = 0.1; mean over 4 seeds',
    );
    const runsOf = async (id: string) =>
      (await platform.get(`/sweeps/${id}/results?limit=1000&camThreshold=0.1`)).body
        .items as RunRow[];
    const points = (await page.evaluate(() => {
      const charts = (globalThis as unknown as Record<string, Record<string, ChartHandle>>)
        .__engramCharts;
      return (charts.compare.getOption().series as { data: { value: number[] }[] }[]).map((s) =>
        s.data.map((d) => d.value[1]),
      );
    })) as number[][];
    for (const [i, id] of [sweepId, liveId].entries()) {
      const [group] = metricByAxis(await runsOf(id), 'programmingNoise', null, 'dynamicAccuracy');
      group.points.forEach((p, j) => expect(points[i][j]).toBeCloseTo(p.mean, 12));
    }
    // Its choices are in the URL too.
    await panel.locator('select[name="metric"]').selectOption('computeReduction');
    expect(decodeURIComponent(page.url())).toContain('compare.metric=computeReduction');
    await page.screenshot({ path: path.join(ARTIFACTS, 'compare.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
