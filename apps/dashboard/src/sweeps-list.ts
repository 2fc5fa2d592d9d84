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

/** Sweeps ticked for comparison, kept while rows are redrawn by live progress. */
const picked = new Set<string>();

function row(sweep: SweepProgress, onPick: () => void): HTMLTableRowElement {
  const box = h('input', {
    type: 'checkbox',
    name: 'compare',
    value: sweep.id,
    checked: picked.has(sweep.id),
    'aria-label': `compare ${sweep.name}`,
  });
  box.addEventListener('change', () => {
    if (box.checked) picked.add(sweep.id);
    else picked.delete(sweep.id);
    onPick();
  });
  return h(
    'tr',
    { 'data-sweep-id': sweep.id, 'data-status': sweep.status },
    h('td', {}, box),
    h('td', { class: 'name' }, h('a', { href: `#/sweeps/${sweep.id}` }, sweep.name)),
    h('td', {}, sweep.model),
    h('td', { class: 'axes' }, sweep.gridAxes.join(' × ')),
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
  const shownIds = new Set(page.items.map((s) => s.id));
  for (const id of picked) if (!shownIds.has(id)) picked.delete(id);
  const compare = h(
    'button',
    { type: 'button', 'data-action': 'compare', disabled: picked.size < 2 },
    'Compare selected',
  );
  const onPick = () => (compare.disabled = picked.size < 2);
  compare.addEventListener('click', () => {
    location.hash = `#/compare?sweeps=${[...picked].join(',')}`;
  });
  for (const sweep of page.items) {
    let current = row(sweep, onPick);
    body.append(current);
    if (!TERMINAL.has(sweep.status)) {
      stops.push(
        followSweep(sweep.id, (progress) => {
          const next = row(progress, onPick);
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
        `${page.total} sweep${page.total === 1 ? '' : 's'}; running ones update live. Tick two or more to compare them on one chart. `,
        compare,
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
                ...['', 'Name', 'Model', 'Axes', 'Status', 'Progress', 'Time', 'Created'].map((t) =>
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
