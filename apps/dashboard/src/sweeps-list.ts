import type { SweepProgress } from '@engram/api-client';
import { client, followSweep } from './api';
import { duration, h, progressBar } from './dom';

const TERMINAL = new Set(['completed', 'completed_with_failures', 'cancelled']);

function countsText(sweep: SweepProgress): string {
  const c = sweep.counts;
  const done = c.succeeded + c.cached;
  const parts = [`${done}/${sweep.runCount} done`];
  if (c.running) parts.push(`${c.running} running`);
  if (c.queued) parts.push(`${c.queued} queued`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  return parts.join(', ');
}

function row(sweep: SweepProgress): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-sweep-id': sweep.id, 'data-status': sweep.status },
    h('td', {}, h('a', { href: `#/sweeps/${sweep.id}` }, sweep.name)),
    h('td', {}, sweep.model),
    h('td', {}, sweep.gridAxes.join(' × ')),
    h('td', {}, h('span', { class: `status status-${sweep.status}` }, sweep.status)),
    h(
      'td',
      { class: 'progress-cell' },
      progressBar(sweep.progress),
      h('span', { class: 'counts' }, countsText(sweep)),
    ),
    h(
      'td',
      {},
      TERMINAL.has(sweep.status) ? duration(sweep.elapsedMs) : `ETA ${duration(sweep.etaMs)}`,
    ),
    h('td', {}, new Date(sweep.createdAt).toLocaleString()),
  );
}

/** All sweeps, newest first; unfinished ones follow their server-sent events. */
export async function renderSweepsList(root: HTMLElement): Promise<() => void> {
  const page = await client().listSweeps(100, 0);
  const stops: (() => void)[] = [];
  const body = h('tbody');
  for (const sweep of page.items) {
    let current = row(sweep);
    body.append(current);
    if (!TERMINAL.has(sweep.status)) {
      stops.push(
        followSweep(sweep.id, (progress) => {
          const next = row(progress);
          current.replaceWith(next);
          current = next;
        }),
      );
    }
  }
  root.replaceChildren(
    h(
      'section',
      { class: 'view', 'data-view': 'sweeps' },
      h('h1', {}, 'Sweeps'),
      h(
        'p',
        { class: 'muted' },
        `${page.total} sweep${page.total === 1 ? '' : 's'}; running ones update live.`,
      ),
      page.items.length
        ? h(
            'table',
            { class: 'data sweeps' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['Name', 'Model', 'Axes', 'Status', 'Progress', 'Time', 'Created'].map((t) =>
                  h('th', {}, t),
                ),
              ),
            ),
            body,
          )
        : h('p', {}, 'No sweeps yet: submit one with `engram sweep submit` or POST /sweeps.'),
    ),
  );
  return () => stops.forEach((stop) => stop());
}
