/**
 * The audit trail writer: entries are queued when a response is finished and written in
 * batches (one multi-row insert every flush), so a flood of writes costs a few statements, not
 * one per request. The queue is bounded; what overflows is counted and logged, never blocks.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AuditEntry, AuthStore } from './store.js';

export type AuditInput = Omit<AuditEntry, 'id' | 'at'> & { at?: string };

export interface AuditWriterOptions {
  flushMs?: number;
  maxQueue?: number;
}

export class AuditWriter {
  readonly #store: AuthStore;
  readonly #log: FastifyBaseLogger | undefined;
  readonly #flushMs: number;
  readonly #maxQueue: number;
  #queue: AuditEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(store: AuthStore, log?: FastifyBaseLogger, options: AuditWriterOptions = {}) {
    this.#store = store;
    this.#log = log;
    this.#flushMs = options.flushMs ?? 100;
    this.#maxQueue = options.maxQueue ?? 10_000;
  }

  record(input: AuditInput): void {
    if (this.#queue.length >= this.#maxQueue) {
      if (this.dropped++ % 1000 === 0) this.#log?.warn({ dropped: this.dropped }, 'audit queue full: entries dropped');
      return;
    }
    this.#queue.push({ ...input, id: entryId(), at: input.at ?? new Date().toISOString() });
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#flushMs).unref();
  }

  /** Writes everything queued so far; resolves when it is stored (or failed and was logged). */
  flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    this.#writing = this.#writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.#store.appendAudit(batch);
      } catch (err) {
        this.#log?.error({ err, entries: batch.length }, 'audit entries could not be written');
      }
    });
    return this.#writing;
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}

let sequence = 0;

/**
 * Entries are listed by time, then id: ids that grow in the order entries are recorded keep
 * entries of the same millisecond in that order (the random part keeps replicas' ids apart).
 */
function entryId(): string {
  sequence = (sequence + 1) % 1e12;
  return `${String(sequence).padStart(12, '0')}-${randomUUID()}`;
}

