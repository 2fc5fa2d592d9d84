import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';
// The API's own integration harness (no library exports it): a test-only import across apps.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { TEST_API_KEY, TestPlatform } from '../../api/src/testing/test-platform';
import { configurations, meanMetric, metricByAxis, paretoFront, type RunRow } from './data';

// The dashboard in headless Chromium (Debian's package, driven by playwright-core) against the
// real API serving its production build, with a small sweep computed by a real worker.
jest.setTimeout(240_000);

const REPO_ROOT = path.resolve(__dirname, '../../..');
const ARTIFACTS = path.join(REPO_ROOT, 'apps/dashboard/test-artifacts');
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

const byPrefix = (series: SeriesState[], prefix: string) =>
  series.filter((s) => s.id.startsWith(prefix));

describe('dashboard (headless Chromium, real API and worker)', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let baseUrl: string;
  let sweepId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The same production build the workspace ships (`nx build dashboard`).
    execFileSync(
      process.execPath,
      [
        path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        '--logLevel',
        'warn',
        '--config',
        'apps/dashboard/vite.config.ts',
      ],
      {
        cwd: REPO_ROOT,
        stdio: 'pipe',
        env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
      },
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    platform = await TestPlatform.start({ WRITE_RATE_LIMIT_PER_MINUTE: '1000' });
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
    expectBands(
      await bandExtents(page, 'reduction-threshold'),
      metricByAxis(runs, 'camThreshold', null, 'computeReduction'),
    );

    // Trade-off: 4 configurations (2 noise x 2 thresholds) on one line (one memory size).
    const tradeOff = await chartSeries(page, 'tradeoff');
    expect(tradeOff.map((s) => s.points)).toEqual([4]);

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

    // Parallel coordinates: varying axes (noise, threshold, seed) + 4 default metrics; 8 runs,
    // one series per CAM threshold.
    const parallelAxes = await chartOption(page, 'parallel', 'parallelAxis');
    expect(parallelAxes).toHaveLength(3 + 4);
    const parallel = await chartSeries(page, 'parallel');
    expect(parallel.map((s) => s.points)).toEqual([4, 4]);

    await page.screenshot({ path: path.join(ARTIFACTS, 'sweep-page.png'), fullPage: true });
    for (const id of [
      'accuracy-noise',
      'reduction-threshold',
      'tradeoff',
      'pareto',
      'exits',
      'parallel',
    ]) {
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
});
