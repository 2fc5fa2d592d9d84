import type { RunQuery, RunRecord } from '@engram/api-client';
import { metricOf, parameterOf } from '@engram/api-client';
import { client, resultsCsv } from './api';
import { formatNumber } from './charts';
import { h } from './dom';

const PAGE_SIZE = 50;
const TABLE_METRICS = [
  'dynamicAccuracy',
  'staticAccuracy',
  'softwareAccuracy',
  'computeReduction',
  'meanMacsPerSample',
  'energyPerInferencePj',
  'energyReductionVsDigital',
  'energyReductionVsStatic',
];
const OPERATORS: [RegExp, string][] = [
  [/^>=\s*/, 'gte'],
  [/^<=\s*/, 'lte'],
  [/^!=\s*/, 'ne'],
  [/^>\s*/, 'gt'],
  [/^<\s*/, 'lt'],
  [/^=\s*/, 'eq'],
];

/** A filter cell's text as the API's query language: `0.1`, `>=0.9`, `!=0`, `0,0.05` (any of). */
export function filterParam(field: string, text: string): [string, string] | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  for (const [pattern, operator] of OPERATORS) {
    if (pattern.test(trimmed)) return [`${field}[${operator}]`, trimmed.replace(pattern, '')];
  }
  return [field, trimmed];
}

export interface ResultsTable {
  element: HTMLElement;
  /** New results (or new columns): reloads the current page, keeping filters, sort and paging. */
  update(axes: string[], metrics: string[]): void;
}

const columnsOf = (axes: string[], metrics: string[]) => [
  'runIndex',
  ...axes,
  ...TABLE_METRICS.filter((m) => metrics.includes(m)),
  'status',
];

/**
 * Results of the sweep, sorted, filtered and paged by the API (the same query the CSV download
 * sends, so the file is what the table shows, unpaged). Built once per sweep page; `update`
 * refreshes it in place while the sweep runs.
 */
export function createResultsTable(sweepId: string): ResultsTable {
  let columns: string[] = [];
  const state = { sort: 'runIndex', offset: 0, filters: {} as Record<string, string> };
  const body = h('tbody');
  const info = h('span', { class: 'muted', 'data-role': 'row-count' });
  const error = h('span', { class: 'error' });
  const headRow = h('tr');
  const filterRow = h('tr', { class: 'filters' });

  const query = (): RunQuery => {
    const q: RunQuery = { sort: state.sort };
    for (const [field, text] of Object.entries(state.filters)) {
      const param = filterParam(field, text);
      if (param) q[param[0]] = param[1];
    }
    return q;
  };

  let generation = 0;
  const load = async () => {
    const mine = ++generation;
    try {
      const page = await client().results(sweepId, {
        ...query(),
        limit: PAGE_SIZE,
        offset: state.offset,
      });
      if (mine !== generation) return;
      error.textContent = '';
      body.replaceChildren(...page.items.map(row));
      const last = Math.min(page.offset + page.items.length, page.total);
      info.textContent = `${page.total} runs${page.total > PAGE_SIZE ? ` (${page.offset + 1}–${last})` : ''}`;
      info.dataset.total = String(page.total);
      prev.disabled = page.offset === 0;
      next.disabled = last >= page.total;
      section.dataset.loaded = String(mine);
    } catch (e) {
      if (mine !== generation) return;
      error.textContent = e instanceof Error ? e.message : String(e);
      body.replaceChildren();
      info.textContent = '';
      section.dataset.loaded = String(mine);
    }
  };

  const row = (run: RunRecord) =>
    h(
      'tr',
      { 'data-run-index': run.runIndex },
      ...columns.map((column) => {
        const value =
          column === 'runIndex'
            ? run.runIndex
            : column === 'status'
              ? run.status
              : column in run.parameters
                ? parameterOf(run, column)
                : metricOf(run, column);
        const cell = formatNumber(value);
        return h(
          'td',
          { class: typeof value === 'number' ? 'num' : '' },
          column === 'runIndex'
            ? h('a', { href: `#/sweeps/${sweepId}/runs/${run.runId}` }, cell)
            : cell,
        );
      }),
    );

  const header = (column: string) => {
    const th = h('th', { 'data-column': column, title: 'click to sort' }, column);
    th.addEventListener('click', () => {
      state.sort = state.sort === column ? `-${column}` : column;
      state.offset = 0;
      updateSortMarks();
      void load();
    });
    return th;
  };
  const updateSortMarks = () => {
    for (const th of headRow.querySelectorAll('th')) {
      const column = th.dataset.column;
      th.dataset.sort = state.sort === column ? 'asc' : state.sort === `-${column}` ? 'desc' : '';
    }
  };

  let debounce: ReturnType<typeof setTimeout> | undefined;
  const filterCell = (column: string) => {
    const input = h('input', {
      type: 'text',
      name: `filter-${column}`,
      placeholder: column === 'status' ? 'succeeded' : '>=0.9',
      size: 6,
    });
    input.value = state.filters[column] ?? '';
    input.addEventListener('input', () => {
      state.filters[column] = input.value;
      state.offset = 0;
      clearTimeout(debounce);
      debounce = setTimeout(() => void load(), 250);
    });
    return h('th', {}, input);
  };

  /** New columns (an axis starts to vary): filters and sort of the remaining ones stay. */
  const setColumns = (names: string[]) => {
    columns = names;
    for (const field of Object.keys(state.filters)) {
      if (!columns.includes(field)) delete state.filters[field];
    }
    if (!columns.includes(state.sort.replace(/^-/, ''))) state.sort = 'runIndex';
    headRow.replaceChildren(...columns.map(header));
    filterRow.replaceChildren(...columns.map(filterCell));
    updateSortMarks();
  };

  const prev = h('button', { type: 'button', 'data-action': 'prev' }, '‹ prev');
  const next = h('button', { type: 'button', 'data-action': 'next' }, 'next ›');
  prev.addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PAGE_SIZE);
    void load();
  });
  next.addEventListener('click', () => {
    state.offset += PAGE_SIZE;
    void load();
  });
  const download = h('button', { type: 'button', 'data-action': 'csv' }, 'Download CSV');
  download.addEventListener('click', async () => {
    try {
      const csv = await resultsCsv(sweepId, query());
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const link = h('a', { href: url, download: `sweep-${sweepId}-results.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
    }
  });

  const section = h(
    'section',
    { class: 'panel', 'data-table': 'results' },
    h('h2', {}, 'Results'),
    h(
      'div',
      { class: 'controls' },
      info,
      prev,
      next,
      download,
      h(
        'span',
        { class: 'muted' },
        'Filters: 0.1, >=0.9, <0.5, !=0, a,b (any of). Click a header to sort.',
      ),
      error,
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h('table', { class: 'data results' }, h('thead', {}, headRow, filterRow), body),
    ),
  );
  return {
    element: section,
    update(axes, metrics) {
      const wanted = columnsOf(axes, metrics);
      // Rebuilt only when they change: an input being typed in keeps its focus.
      if (wanted.join('\n') !== columns.join('\n')) setColumns(wanted);
      void load();
    },
  };
}
