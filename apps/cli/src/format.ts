/** Plain-text table with a header row; numbers right-aligned. */
export function renderTable(
  headers: string[],
  rows: (string | number | null | undefined)[][],
): string {
  const cells = rows.map((row) => row.map((value) => formatCell(value)));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || row[i] == null),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return (
    [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n'
  );
}

function formatCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value)) return String(value);
    return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(4);
  }
  return value;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '--';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * One line of sweep progress: `[#####.....]  6/12 done, 1 failed, 2 running, ETA 1m05s`. The bar
 * follows the API's `progress` when given: settled runs plus the part done of the running runs'
 * pass (a chip job computes its runs in one pass and settles them together at its end), shown
 * as `2 running (40% computed)`; the count says runs settled.
 */
export function progressLine(
  p: {
    status: string;
    runCount: number;
    counts: Record<string, number>;
    etaMs: number | null;
    elapsedMs?: number;
    progress?: number;
  },
  width = 30,
): string {
  const c = p.counts;
  const done = (c.succeeded ?? 0) + (c.cached ?? 0) + (c.failed ?? 0) + (c.cancelled ?? 0);
  const settled = p.runCount > 0 ? done / p.runCount : 1;
  const fraction = Math.min(1, Math.max(settled, p.progress ?? settled));
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const running = c.running ?? 0;
  // The running runs' share of the progress, as a part of their pass.
  const passDone = running > 0 ? ((fraction - settled) * p.runCount) / running : 0;
  const computed = passDone > 0 ? ` (${Math.round(passDone * 100)}% computed)` : '';
  return (
    `${bar} ${done}/${p.runCount} runs done` +
    `, ${c.failed ?? 0} failed, ${running} running${computed}` +
    (c.cancelled ? `, ${c.cancelled} cancelled` : '') +
    `, ${p.status}, elapsed ${formatDuration(p.elapsedMs)}, ETA ${formatDuration(p.etaMs)}`
  );
}

/** Writes a progress line in place on a TTY, or a new line when it changes elsewhere. */
export class ProgressPrinter {
  private last = '';
  private lastKey = '';
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  /** On a TTY the line is redrawn in place; elsewhere a line is written only when `key` changes. */
  update(line: string, key = line): void {
    if (this.stream.isTTY) {
      if (line === this.last) return;
      this.stream.write(`\r\x1b[2K${line}`);
    } else {
      if (key === this.lastKey) return;
      this.stream.write(`${line}\n`);
    }
    this.last = line;
    this.lastKey = key;
  }

  done(): void {
    if (this.stream.isTTY && this.last) this.stream.write('\n');
    this.last = '';
    this.lastKey = '';
  }
}
