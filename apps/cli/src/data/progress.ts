import { formatDuration } from '../format';

/** `1.5 MB`, `451.9 MB`, `2.10 GB` (decimal units, as download tools show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/**
 * One line of download progress:
 * `[##########..........]  48% 216.9 MB / 451.9 MB  5.2 MB/s  ETA 45s`. The rate counts only the
 * bytes of this run (not what a resumed download already had).
 */
export function downloadProgressLine(
  progress: { bytes: number; totalBytes?: number; resumedFromBytes: number },
  elapsedMs: number,
  width = 20,
): string {
  const { bytes, totalBytes, resumedFromBytes } = progress;
  const rate = elapsedMs > 0 ? ((bytes - resumedFromBytes) * 1000) / elapsedMs : 0;
  const rateText = rate > 0 ? `${formatBytes(rate)}/s` : '--/s';
  if (totalBytes === undefined || totalBytes <= 0) {
    return `${formatBytes(bytes)} downloaded  ${rateText}`;
  }
  const fraction = Math.min(1, bytes / totalBytes);
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const etaMs = rate > 0 ? ((totalBytes - bytes) * 1000) / rate : null;
  const sizes = `${formatBytes(bytes)} / ${formatBytes(totalBytes)}`;
  return `${bar} ${percent} ${sizes}  ${rateText}  ETA ${formatDuration(etaMs)}`;
}
