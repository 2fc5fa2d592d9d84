import { EngramApiError } from '@engram/api-client';
import type { RunRecord } from '@engram/api-client';
import { client } from './api';
import { formatNumber } from './charts';
import { h } from './dom';

const table = (role: string, headers: string[], rows: (string | number | null)[][]) =>
  h(
    'table',
    { class: 'data detail', 'data-role': role },
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))),
    h(
      'tbody',
      {},
      ...rows.map((cells) =>
        h(
          'tr',
          {},
          ...cells.map((value) =>
            h('td', { class: typeof value === 'number' ? 'num' : '' }, formatNumber(value)),
          ),
        ),
      ),
    ),
  );

/** Samples, share and accuracy of each exit (the last one is the final classifier). */
function exitsTable(run: RunRecord): HTMLElement | string {
  const histogram = run.exitHistogram;
  if (!histogram) return h('p', { class: 'muted' }, 'No exit statistics (no result).');
  const total = histogram.reduce((a, b) => a + b, 0) || 1;
  return table(
    'exits',
    ['exit', 'samples', 'share', 'accuracy'],
    histogram.map((samples, e) => [
      e === histogram.length - 1 ? 'final' : `exit ${e + 1}`,
      samples,
      samples / total,
      run.exitAccuracy?.[e] ?? null,
    ]),
  );
}

function energyTable(run: RunRecord): HTMLElement | string {
  const breakdown = Object.entries(run.energyBreakdownPj ?? {});
  if (breakdown.length === 0) return h('p', { class: 'muted' }, 'No energy breakdown recorded.');
  const total = breakdown.reduce((sum, [, pj]) => sum + pj, 0) || 1;
  return table(
    'energy',
    ['component', 'pJ per inference', 'share'],
    breakdown.sort((a, b) => b[1] - a[1]).map(([name, pj]) => [name, pj, pj / total]),
  );
}

/** One run: its configuration, error, metrics, exits and energy breakdown. */
export async function renderRunPage(
  root: HTMLElement,
  sweepId: string,
  runId: string,
): Promise<() => void> {
  const page = await client().runs({ runId, limit: 1 });
  const run = page.items[0];
  if (!run) throw new EngramApiError(404, `no run ${runId}`);
  const parameters = Object.entries(run.parameters).map(([name, value]) => [
    name,
    value ?? 'default (device profile)',
  ]);
  const metrics = Object.entries(run.metrics ?? {});
  root.replaceChildren(
    h(
      'section',
      { class: 'view', 'data-view': 'run', 'data-run-id': run.runId, 'data-status': run.status },
      h('p', {}, h('a', { href: `#/sweeps/${sweepId}` }, '← sweep')),
      h('h1', {}, `Run ${run.runIndex}`),
      h(
        'p',
        { class: 'muted' },
        `${run.model} · artifact ${run.artifactVersion} · ${run.split} split · attempts ${run.attempts}` +
          (run.workerId ? ` · worker ${run.workerId}` : ''),
      ),
      h('p', {}, h('span', { class: `status status-${run.status}` }, run.status)),
      run.error
        ? h(
            'section',
            { class: 'panel', 'data-role': 'run-error' },
            h('h2', {}, 'Error'),
            h('pre', { class: 'run-error' }, run.error),
          )
        : '',
      h(
        'div',
        { class: 'detail-grid' },
        h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Configuration'),
          table('parameters', ['parameter', 'value'], parameters),
          h(
            'details',
            {},
            h('summary', {}, 'Resolved evaluation config (JSON)'),
            h('pre', {}, JSON.stringify(run.config, null, 2)),
          ),
        ),
        h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Metrics'),
          metrics.length
            ? table('metrics', ['metric', 'value'], metrics)
            : h('p', { class: 'muted' }, 'No result.'),
        ),
        h('section', { class: 'panel' }, h('h2', {}, 'Exits'), exitsTable(run)),
        h('section', { class: 'panel' }, h('h2', {}, 'Energy breakdown'), energyTable(run)),
      ),
    ),
  );
  return () => undefined;
}
