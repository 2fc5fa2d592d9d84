/** A one-line progress bar on a TTY, periodic plain lines otherwise (CI logs, redirected output). */
export class ProgressBar {
  private readonly startedAt = Date.now();
  private lastPrintAt = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainIntervalMs = 15_000,
  ) {}

  update(done: number, detail: string): void {
    const now = Date.now();
    const tty = this.stream.isTTY === true;
    if (!tty && now - this.lastPrintAt < this.plainIntervalMs && done < this.total) return;
    this.lastPrintAt = now;
    const fraction = this.total === 0 ? 1 : done / this.total;
    const elapsedS = (now - this.startedAt) / 1000;
    const etaS = done > 0 ? (elapsedS * (this.total - done)) / done : NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const line = `${this.label} [${bar}] ${done}/${this.total} ${detail} ETA ${formatDuration(etaS)}`;
    this.stream.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  finish(detail: string): void {
    const line = `${this.label} done in ${formatDuration((Date.now() - this.startedAt) / 1000)} ${detail}`;
    this.stream.write(this.stream.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
