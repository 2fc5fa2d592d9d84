import { EngramApiError, EngramClient } from '@engram/api-client';
import type { RunQuery, SweepProgress } from '@engram/api-client';

const STORAGE_KEY = 'engram.apiKey';

/** The API key: `?apiKey=` (remembered), else what was saved in localStorage. */
export function apiKey(): string | undefined {
  const fromUrl = new URLSearchParams(location.search).get('apiKey');
  if (fromUrl) {
    localStorage.setItem(STORAGE_KEY, fromUrl);
    return fromUrl;
  }
  return localStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function setApiKey(key: string): void {
  if (key) localStorage.setItem(STORAGE_KEY, key);
  else localStorage.removeItem(STORAGE_KEY);
}

export function client(): EngramClient {
  return new EngramClient({ baseUrl: location.origin, apiKey: apiKey() });
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof EngramApiError && error.status === 401;
}

function headers(): Record<string, string> {
  const key = apiKey();
  return key ? { 'x-api-key': key } : {};
}

/** The CSV export of a results query, fetched with the API key (a plain link cannot send it). */
export async function resultsCsv(sweepId: string, query: RunQuery): Promise<string> {
  return client().resultsCsv(sweepId, query);
}

/**
 * Follows `/sweeps/:id/events`. EventSource cannot send the API key header, so the stream is read
 * with fetch and parsed here. Returns a function that stops following.
 */
export function followSweep(
  sweepId: string,
  onProgress: (progress: SweepProgress, ended: boolean) => void,
): () => void {
  const abort = new AbortController();
  void (async () => {
    try {
      const response = await fetch(`/sweeps/${sweepId}/events`, {
        headers: { ...headers(), accept: 'text/event-stream' },
        signal: abort.signal,
      });
      if (!response.ok || !response.body) return;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let split: number;
        while ((split = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split).replace(/^\r?\n\r?\n/, '');
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split(/\r?\n/)) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length === 0) continue;
          const progress = JSON.parse(data.join('\n')) as SweepProgress;
          onProgress(progress, event === 'end');
          if (event === 'end') {
            abort.abort();
            return;
          }
        }
      }
    } catch {
      // Aborted or the connection dropped: the page keeps its last known progress.
    }
  })();
  return () => abort.abort();
}
