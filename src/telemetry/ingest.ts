/**
 * The ingest pipeline: drivers' sample callbacks offer into a bounded queue; batches are
 * written into the series store every flushMs or as soon as batchSize samples wait, then
 * handed to stream listeners. A full queue drops (and counts) rather than grows.
 */
import { SampleQueue } from './queue.js';
import type { Series, SeriesStore } from './series-store.js';

export interface IngestOptions {
  /** Samples waiting to be written at most (default 100,000: 2.4 MB preallocated). */
  queueCapacity?: number;
  /** Queued samples that trigger a write before the timer (default 10,000). */
  batchSize?: number;
  /** Write period (default 1000 ms). */
  flushMs?: number;
  /** Retention sweep period (default a quarter of the retention age, at most 60 s). */
  sweepMs?: number;
}

export interface WrittenSample {
  series: Series;
  ts: number;
  value: number;
  /** Per-second increase since the series' previous point, when there is one. */
  rate: number | undefined;
}

export type BatchListener = (batch: readonly WrittenSample[]) => void;

export class Ingest {
  readonly store: SeriesStore;
  readonly queue: SampleQueue<Series>;
  readonly batchSize: number;
  readonly flushMs: number;
  readonly sweepMs: number;
  /** Samples offered, accepted or not. */
  received = 0;
  /** Samples written into the store. */
  written = 0;
  /** Batch listeners that threw (their batch is skipped, ingest goes on). */
  listenerErrors = 0;
  readonly #listeners = new Set<BatchListener>();
  #flushTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #pending: NodeJS.Immediate | undefined;

  constructor(store: SeriesStore, options: IngestOptions = {}) {
    this.store = store;
    this.queue = new SampleQueue<Series>(options.queueCapacity ?? 100_000);
    this.batchSize = Math.max(1, options.batchSize ?? 10_000);
    this.flushMs = options.flushMs ?? 1000;
    this.sweepMs = options.sweepMs ?? Math.max(10, Math.min(60_000, Math.floor(store.maxAgeMs / 4)));
  }

  /** Samples refused because the queue was full. */
  get dropped(): number {
    return this.queue.dropped;
  }

  start(): void {
    this.#flushTimer ??= setInterval(() => this.flush(), this.flushMs).unref();
    this.#sweepTimer ??= setInterval(() => this.store.sweep(), this.sweepMs).unref();
  }

  /** Stops the timers after writing what is queued. */
  stop(): void {
    clearInterval(this.#flushTimer);
    clearInterval(this.#sweepTimer);
    if (this.#pending) clearImmediate(this.#pending);
    this.#flushTimer = this.#sweepTimer = this.#pending = undefined;
    this.flush();
  }

  offer(series: Series, ts: number, value: number): boolean {
    this.received++;
    if (!this.queue.offer(series, ts, value)) return false;
    if (this.queue.length >= this.batchSize && this.#pending === undefined && this.#flushTimer !== undefined) {
      this.#pending = setImmediate(() => {
        this.#pending = undefined;
        this.flush();
      });
    }
    return true;
  }

  /** Writes every queued sample; returns how many were written. */
  flush(): number {
    const batch: WrittenSample[] | undefined = this.#listeners.size > 0 ? [] : undefined;
    const store = this.store;
    let written = 0;
    this.queue.drain((series, ts, value) => {
      if (!store.append(series, ts, value)) return;
      written++;
      batch?.push({ series, ts, value, rate: series.rate(series.ring.size - 1) });
    });
    this.written += written;
    if (batch && batch.length > 0) {
      for (const listener of this.#listeners) {
        try {
          listener(batch);
        } catch {
          this.listenerErrors++;
        }
      }
    }
    return written;
  }

  /** Batch listeners (live sample streams). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  onBatch(listener: BatchListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
