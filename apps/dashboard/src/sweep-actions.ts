import { EngramApiError, parameterOf } from '@engram/api-client';
import type { RunRecord, SweepDetail } from '@engram/api-client';
import { client } from './api';
import { h } from './dom';

const TERMINAL = new Set(['completed', 'completed_with_failures', 'cancelled']);

/** Shows the page again with fresh data (the route's own hashchange handler). */
function reload(): void {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Cancel, retry the failed runs, or clone the specification into a new sweep (edited first).
 * The API key the page uses goes with each request; an error is shown beside the buttons.
 */
export function sweepActions(sweep: SweepDetail): HTMLElement {
  const message = h('span', { class: 'error', 'data-role': 'action-error' });
  const button = (action: string, text: string, run: () => Promise<unknown>) => {
    const element = h('button', { type: 'button', 'data-action': action }, text);
    element.addEventListener('click', async () => {
      element.disabled = true;
      message.textContent = '';
      try {
        await run();
      } catch (error) {
        message.textContent = errorText(error);
        element.disabled = false;
      }
    });
    return element;
  };
  const editor = h('div', { class: 'clone-editor', hidden: true });
  const buttons: HTMLElement[] = [];
  if (!TERMINAL.has(sweep.status) && sweep.status !== 'cancelling') {
    buttons.push(
      button('cancel', 'Cancel sweep', async () => {
        await client().cancelSweep(sweep.id);
        reload();
      }),
    );
  }
  if (sweep.counts.failed > 0) {
    buttons.push(
      button('retry-failed', `Retry ${sweep.counts.failed} failed`, async () => {
        await client().retryFailed(sweep.id);
        reload();
      }),
    );
  }
  buttons.push(
    button('clone', 'Clone as new sweep', async () => {
      editor.replaceChildren(cloneEditor(sweep));
      editor.hidden = false;
    }),
  );
  return h('div', { class: 'actions', 'data-role': 'sweep-actions' }, ...buttons, message, editor);
}

/** The sweep's specification as JSON to edit, submitted as a new sweep. */
function cloneEditor(sweep: SweepDetail): HTMLElement {
  const spec = { ...sweep.spec, name: `${sweep.spec.name} (copy)` };
  const text = h('textarea', { name: 'clone-spec', rows: 14, spellcheck: false });
  text.value = JSON.stringify(spec, null, 2);
  const issues = h('ul', { class: 'error', 'data-role': 'clone-issues' });
  const submit = h('button', { type: 'submit', 'data-action': 'submit-clone' }, 'Submit sweep');
  const form = h(
    'form',
    { class: 'panel' },
    h('h2', {}, 'New sweep from this specification'),
    h(
      'p',
      { class: 'muted' },
      'Edit the JSON, then submit; the API checks it and names any field at fault.',
    ),
    text,
    h('div', { class: 'controls' }, submit),
    issues,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    issues.replaceChildren();
    let parsed: object;
    try {
      parsed = JSON.parse(text.value) as object;
    } catch (error) {
      issues.append(h('li', {}, `not JSON: ${errorText(error)}`));
      return;
    }
    try {
      const { sweepId } = await client().submitSweep(parsed);
      location.hash = `#/sweeps/${sweepId}`;
    } catch (error) {
      if (error instanceof EngramApiError && error.issues.length) {
        issues.append(...error.issues.map((i) => h('li', {}, `${i.field}: ${i.message}`)));
      } else {
        issues.append(h('li', {}, errorText(error)));
      }
    }
  });
  return form;
}

/** The failed runs of a sweep with their errors (first 100), each linked to its detail. */
export async function failedRunsPanel(sweep: SweepDetail): Promise<HTMLElement | string> {
  if (sweep.counts.failed === 0) return '';
  const page = await client().runs({
    sweepId: sweep.id,
    status: 'failed',
    sort: 'runIndex',
    limit: 100,
  });
  const axes = sweep.gridAxes;
  const row = (run: RunRecord) =>
    h(
      'tr',
      { 'data-run-id': run.runId },
      h(
        'td',
        {},
        h('a', { href: `#/sweeps/${sweep.id}/runs/${run.runId}` }, `run ${run.runIndex}`),
      ),
      ...axes.map((axis) => h('td', { class: 'num' }, String(parameterOf(run, axis) ?? 'default'))),
      h('td', { class: 'num' }, String(run.attempts)),
      h('td', { class: 'run-error' }, run.error ?? ''),
    );
  return h(
    'section',
    { class: 'panel failed-runs', 'data-role': 'failed-runs' },
    h('h2', {}, `Failed runs (${page.total})`),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data' },
        h(
          'thead',
          {},
          h('tr', {}, ...['run', ...axes, 'attempts', 'error'].map((t) => h('th', {}, t))),
        ),
        h('tbody', {}, ...page.items.map(row)),
      ),
    ),
    page.total > page.items.length
      ? h('p', { class: 'note' }, `The first ${page.items.length} of ${page.total}.`)
      : '',
  );
}
