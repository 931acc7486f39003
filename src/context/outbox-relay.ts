/**
 * Publishes committed changes on the bus and removes them from the store's outbox once
 * published. Whatever was committed but not published (a crash, a bus outage) is published
 * later by the relay loop, with the commit time as the event time, so a durable bus that
 * de-duplicates by message id stores it once.
 */
import type { Bus, BusEvent } from '../bus/api.js';
import type { Change, Store } from '../store/api.js';

export interface RelayLogger {
  error(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
}

export interface OutboxRelayOptions {
  /** How often the relay looks for unpublished changes (default 5 s). */
  intervalMs?: number;
  /** Only entries older than this are the relay's (younger ones are still being published; default 10 s). */
  graceMs?: number;
  /** Acknowledgements are batched (default 200 ms). */
  ackDelayMs?: number;
}

export function toEvents(changes: readonly Change[], ts: number): BusEvent[] {
  return changes.map((c) => ({ kind: c.kind, uuid: c.uuid, name: c.name, parent: c.parent, op: c.op, revision: c.revision, ts }));
}

export class OutboxRelay {
  readonly #pendingAcks = new Set<string>();
  #ackTimer: NodeJS.Timeout | undefined;
  #loop: NodeJS.Timeout | undefined;
  #relaying: Promise<number> | undefined;
  readonly #intervalMs: number;
  readonly #graceMs: number;
  readonly #ackDelayMs: number;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    private readonly log: RelayLogger,
    options: OutboxRelayOptions = {},
  ) {
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#graceMs = options.graceMs ?? 10_000;
    this.#ackDelayMs = options.ackDelayMs ?? 200;
  }

  /** Publishes one committed transaction's changes; on failure they stay in the outbox for the relay. */
  async publish(changes: readonly Change[], outbox: { id: string; createdAt: string } | undefined): Promise<void> {
    if (changes.length === 0) return;
    const ts = outbox ? Date.parse(outbox.createdAt) : Date.now();
    try {
      await this.bus.publish(toEvents(changes, ts));
    } catch (e) {
      this.log.error({ err: e, events: changes.length }, 'publishing committed changes failed; the outbox relay will retry');
      return;
    }
    if (outbox) this.#ack(outbox.id);
  }

  #ack(id: string): void {
    this.#pendingAcks.add(id);
    this.#ackTimer ??= setTimeout(() => void this.flushAcks(), this.#ackDelayMs);
    this.#ackTimer.unref?.();
  }

  async flushAcks(): Promise<void> {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (this.#pendingAcks.size === 0) return;
    const ids = [...this.#pendingAcks];
    this.#pendingAcks.clear();
    try {
      await this.store.outboxAck(ids);
    } catch (e) {
      // Left in the outbox, they are published again later: harmless, the bus de-duplicates.
      this.log.error({ err: e, entries: ids.length }, 'acknowledging published outbox entries failed');
    }
  }

  /** Publishes every outbox entry older than the grace period; returns how many entries. */
  relayOnce(now = Date.now()): Promise<number> {
    this.#relaying ??= this.#relay(now).finally(() => {
      this.#relaying = undefined;
    });
    return this.#relaying;
  }

  async #relay(now: number): Promise<number> {
    let total = 0;
    for (let round = 0; round < 100; round++) {
      const entries = await this.store.outboxPending(new Date(now - this.#graceMs).toISOString(), 500);
      if (entries.length === 0) break;
      for (const e of entries) await this.bus.publish(toEvents(e.changes, Date.parse(e.createdAt)));
      await this.store.outboxAck(entries.map((e) => e.id));
      total += entries.length;
    }
    if (total > 0) this.log.info({ entries: total }, 'outbox relay published changes left unpublished');
    return total;
  }

  start(): void {
    if (this.#loop) return;
    this.#loop = setInterval(() => {
      this.relayOnce().catch((e) => this.log.error({ err: e }, 'outbox relay failed; retrying later'));
    }, this.#intervalMs);
    this.#loop.unref?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.#loop);
    this.#loop = undefined;
    await this.#relaying?.catch(() => {});
    await this.flushAcks();
  }
}
