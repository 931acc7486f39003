/**
 * One Server-Sent Events client of the sample stream. Samples are written as they are
 * ingested; while the socket cannot take more they wait in a bounded buffer, and a client
 * that lets it fill gets `event: overflow` and is disconnected (as /api/events does).
 */
import type { ServerResponse } from 'node:http';
import type { WrittenSample } from './ingest.js';
import type { SampleView } from './query.js';
import type { SeriesFilter } from './series-store.js';

export interface SampleStreamLimits {
  /** Samples waiting for one slow client before it is dropped. */
  maxBufferedSamples: number;
  heartbeatMs: number;
}

function sampleView(w: WrittenSample): SampleView {
  const s = w.series;
  const out: SampleView = { ts: w.ts, device: s.deviceName, device_uuid: s.deviceUuid, endpoint: s.endpoint, kpi: s.kpiName, value: w.value };
  if (w.rate !== undefined) out.rate = w.rate;
  return out;
}

export function formatSamples(batch: readonly WrittenSample[], filter: SeriesFilter): { text: string; count: number } {
  let text = '';
  let count = 0;
  for (const w of batch) {
    const s = w.series;
    if (filter.deviceUuid !== undefined && s.deviceUuid !== filter.deviceUuid) continue;
    if (filter.endpoint !== undefined && s.endpoint !== filter.endpoint) continue;
    if (filter.kpi !== undefined && s.kpi !== filter.kpi) continue;
    text += `event: sample\ndata: ${JSON.stringify(sampleView(w))}\n\n`;
    count++;
  }
  return { text, count };
}

export class SampleStream {
  readonly #res: ServerResponse;
  readonly #filter: SeriesFilter;
  readonly #limits: SampleStreamLimits;
  readonly #onClose: (reason: string) => void;
  readonly #pending: Array<{ text: string; count: number }> = [];
  #pendingSamples = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #open = true;

  constructor(res: ServerResponse, filter: SeriesFilter, limits: SampleStreamLimits, onClose: (reason: string) => void) {
    this.#res = res;
    this.#filter = filter;
    this.#limits = limits;
    this.#onClose = onClose;
    res.on('drain', this.#flush);
    res.on('close', () => this.close('client closed'));
    this.#heartbeat = setInterval(() => {
      if (this.#open && !res.writableNeedDrain) res.write(': heartbeat\n\n');
    }, limits.heartbeatMs).unref();
  }

  get open(): boolean {
    return this.#open;
  }

  deliver(batch: readonly WrittenSample[]): void {
    if (!this.#open) return;
    const { text, count } = formatSamples(batch, this.#filter);
    if (count === 0) return;
    if (this.#pending.length === 0 && !this.#res.writableNeedDrain) {
      this.#res.write(text);
      return;
    }
    if (this.#pendingSamples + count > this.#limits.maxBufferedSamples) {
      this.#overflow(this.#pendingSamples + count);
      return;
    }
    this.#pending.push({ text, count });
    this.#pendingSamples += count;
  }

  #flush = (): void => {
    while (this.#open && this.#pending.length > 0 && !this.#res.writableNeedDrain) {
      const next = this.#pending.shift()!;
      this.#pendingSamples -= next.count;
      this.#res.write(next.text);
    }
  };

  #overflow(dropped: number): void {
    this.#pending.length = 0;
    this.#pendingSamples = 0;
    this.#res.write(`event: overflow\ndata: ${JSON.stringify({ dropped })}\n\n`);
    this.close('overflow');
    const res = this.#res;
    // A client that stopped reading never lets end() finish.
    setTimeout(() => {
      if (!res.writableFinished) res.destroy();
    }, 5000).unref();
  }

  close(reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    clearInterval(this.#heartbeat);
    this.#pending.length = 0;
    this.#res.off('drain', this.#flush);
    if (!this.#res.writableEnded && !this.#res.destroyed) this.#res.end();
    this.#onClose(reason);
  }
}
