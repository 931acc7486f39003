/** Reads of the retention store for the REST API: recent points across series, newest values. */
import type { Series, SeriesFilter, SeriesStore } from './series-store.js';

export interface SampleView {
  /** Milliseconds since the epoch. */
  ts: number;
  device: string;
  device_uuid: string;
  endpoint: string;
  kpi: string;
  value: number;
  /** Per-second increase since the previous point of the series, when there is one. */
  rate?: number;
}

export function view(s: Series, i: number): SampleView {
  const out: SampleView = { ts: s.ring.ts(i), device: s.deviceName, device_uuid: s.deviceUuid, endpoint: s.endpoint, kpi: s.kpiName, value: s.ring.value(i) };
  const rate = s.rate(i);
  if (rate !== undefined) out.rate = rate;
  return out;
}

interface Cursor {
  s: Series;
  /** Next point to take, walking from the newest back to `first`. */
  i: number;
  first: number;
}

/** A max-heap of cursors by the timestamp of their current point. */
class CursorHeap {
  readonly #a: Cursor[] = [];

  get size(): number {
    return this.#a.length;
  }

  #key(k: number): number {
    const c = this.#a[k]!;
    return c.s.ring.ts(c.i);
  }

  push(c: Cursor): void {
    const a = this.#a;
    a.push(c);
    let k = a.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (this.#key(p) >= this.#key(k)) break;
      [a[p], a[k]] = [a[k]!, a[p]!];
      k = p;
    }
  }

  pop(): Cursor {
    const a = this.#a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < a.length && this.#key(l) > this.#key(m)) m = l;
        if (r < a.length && this.#key(r) > this.#key(m)) m = r;
        if (m === k) break;
        [a[m], a[k]] = [a[k]!, a[m]!];
        k = m;
      }
    }
    return top;
  }
}

/**
 * The newest `limit` points at or after `since` (and within the retention age) of the
 * matching series, oldest first. Costs O(series + limit·log series), whatever the store holds.
 */
export function recentSamples(store: SeriesStore, filter: SeriesFilter, since: number, limit: number, now = Date.now()): SampleView[] {
  const from = Math.max(since, now - store.maxAgeMs);
  const heap = new CursorHeap();
  for (const s of store.select(filter)) {
    const first = s.ring.firstAtOrAfter(from);
    if (first < s.ring.size) heap.push({ s, i: s.ring.size - 1, first });
  }
  const out: SampleView[] = [];
  while (out.length < limit && heap.size > 0) {
    const c = heap.pop();
    out.push(view(c.s, c.i));
    if (c.i > c.first) heap.push({ s: c.s, i: c.i - 1, first: c.first });
  }
  return out.reverse();
}

/** The newest point of each matching series still within the retention age, at most `limit`. */
export function latestSamples(store: SeriesStore, filter: SeriesFilter, limit: number, now = Date.now()): SampleView[] {
  const from = now - store.maxAgeMs;
  const out: SampleView[] = [];
  for (const s of store.select(filter)) {
    if (out.length >= limit) break;
    const n = s.ring.size;
    if (n > 0 && s.ring.ts(n - 1) >= from) out.push(view(s, n - 1));
  }
  return out;
}
