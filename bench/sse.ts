/** A minimal SSE reader that timestamps each event when its bytes arrive. */
import type { DeliveredEvent } from '../src/bus/api.js';

export interface SseClient {
  /** Resolves with the arrival time (performance.now()) of the next event matching `match`. */
  next(match: (e: DeliveredEvent) => boolean, timeoutMs: number): Promise<number>;
  close(): void;
}

interface Waiter {
  match: (e: DeliveredEvent) => boolean;
  resolve: (t: number) => void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { ...headers, accept: 'text/event-stream' }, signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`SSE ${url}: HTTP ${res.status}`);
  const waiters = new Set<Waiter>();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pump = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const arrived = performance.now();
      buffer += value;
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf('\n\n');
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (!data) continue;
        const event = JSON.parse(data) as DeliveredEvent;
        for (const w of waiters) {
          if (w.match(event)) {
            waiters.delete(w);
            w.resolve(arrived);
          }
        }
      }
    }
  };
  pump().catch(() => {});
  return {
    next(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`no matching event within ${timeoutMs} ms`));
        }, timeoutMs);
        const w: Waiter = {
          match,
          resolve: (t) => {
            clearTimeout(timer);
            resolve(t);
          },
        };
        waiters.add(w);
      });
    },
    close() {
      abort.abort();
    },
  };
}
