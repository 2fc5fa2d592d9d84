import { Observable } from 'rxjs';
import type { MessageEvent } from '@nestjs/common';
import type { SweepProgress, SweepStatus, SweepStore } from '@engram/persistence';

const TERMINAL: ReadonlySet<SweepStatus> = new Set([
  'cancelled',
  'completed',
  'completed_with_failures',
]);
/** Even without changes, a progress event goes out this often (keeps proxies from closing). */
const KEEPALIVE_TICKS = 15;

function fingerprint(progress: SweepProgress): string {
  // Progress to the percent: a chip pass moves it while its runs are still running.
  return JSON.stringify([progress.status, progress.counts, Math.floor(progress.progress * 100)]);
}

/**
 * Progress of one sweep as server-sent events: a `progress` event whenever its run counts or its
 * progress percent change (re-read from the database every interval), then an `end` event once
 * the sweep is settled.
 */
export function sweepEvents(
  store: SweepStore,
  sweepId: string,
  intervalMs: number,
): Observable<MessageEvent> {
  return new Observable<MessageEvent>((subscriber) => {
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let last = '';
    let quietTicks = 0;
    const tick = async () => {
      try {
        const progress = await store.getProgress(sweepId);
        if (closed) return;
        if (!progress) {
          subscriber.error(new Error(`sweep ${sweepId} was deleted`));
          return;
        }
        const current = fingerprint(progress);
        if (current !== last || ++quietTicks >= KEEPALIVE_TICKS) {
          subscriber.next({ type: 'progress', data: progress });
          last = current;
          quietTicks = 0;
        }
        if (TERMINAL.has(progress.status)) {
          subscriber.next({ type: 'end', data: progress });
          subscriber.complete();
          return;
        }
      } catch (error) {
        subscriber.error(error);
        return;
      }
      timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      closed = true;
      clearTimeout(timer);
    };
  });
}
