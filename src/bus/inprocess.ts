import { CnsdnError } from '../common/errors.js';
import type { Bus, BusEvent, BusOptions, BusSubscription, DeliveredEvent, SubscribeOptions } from './api.js';
import { Fifo, type Handler, invokeHandler, isInsideHandlerOf } from './dispatch.js';
import { checkEvents, checkSubscribeOptions, pickEvent } from './events.js';
import { type BusLogger, type BusRuntimeOptions, stderrLogger } from './log.js';

export interface InProcessBusOptions extends Partial<BusOptions>, BusRuntimeOptions {
  /** Events a subscriber may lag behind before the oldest queued ones are dropped (default 100000). */
  maxQueue?: number;
}

export const DEFAULT_RETAIN = 100_000;
export const DEFAULT_MAX_QUEUE = 100_000;
/** A subscriber working through a backlog yields to the event loop after this much time. */
const YIELD_AFTER_MS = 5;

export class InProcessSubscription implements BusSubscription {
  /** Events dropped because this subscriber fell more than maxQueue events behind. */
  dropped = 0;
  private readonly queue = new Fifo<DeliveredEvent>();
  private active = true;
  private pumping: Promise<void> | null = null;

  constructor(
    private readonly handler: Handler,
    private readonly kinds: Set<string> | null,
    private readonly minSeq: number,
    private readonly maxQueue: number,
    private readonly logger: BusLogger,
    private readonly onEnd: (sub: InProcessSubscription) => void,
  ) {}

  /** Events waiting for the handler. */
  get pending(): number {
    return this.queue.length;
  }

  offer(event: DeliveredEvent): void {
    if (!this.active || event.seq < this.minSeq || (this.kinds !== null && !this.kinds.has(event.kind))) return;
    this.queue.push(event);
    if (this.queue.length > this.maxQueue) {
      this.queue.shift();
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 10_000 === 0) {
        this.logger.warn({ dropped: this.dropped, maxQueue: this.maxQueue }, 'bus subscriber too slow: oldest events dropped');
      }
    }
    if (this.pumping === null) this.pumping = this.pump();
  }

  private async pump(): Promise<void> {
    // Never run a handler synchronously inside publish().
    await Promise.resolve();
    let since = performance.now();
    while (this.active) {
      const event = this.queue.shift();
      if (event === undefined) break;
      await invokeHandler(this, this.handler, event, this.logger);
      // Handlers over a synchronous store (SQLite) resolve in microtasks only: without a turn of
      // the event loop now and then, sockets (a response being written) would wait for the whole backlog.
      if (performance.now() - since > YIELD_AFTER_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        since = performance.now();
      }
    }
    this.pumping = null;
  }

  async unsubscribe(): Promise<void> {
    if (this.active) {
      this.active = false;
      this.queue.clear();
      this.onEnd(this);
    }
    if (this.pumping !== null && !isInsideHandlerOf(this)) await this.pumping;
  }
}

/**
 * Events live in memory: sequences restart at 1 with every new bus. The last `retain` events
 * are kept so a subscriber can start from an earlier sequence; when fromSeq is older than the
 * oldest retained event, delivery starts at the oldest one (the jump in seq shows the gap).
 */
export class InProcessBus implements Bus {
  readonly backend = 'inprocess' as const;
  private seq = 0;
  private readonly ring: (DeliveredEvent | undefined)[];
  private readonly subs = new Set<InProcessSubscription>();
  private closed = false;
  private readonly retain: number;
  private readonly maxQueue: number;
  private readonly logger: BusLogger;

  constructor(options: InProcessBusOptions = {}) {
    this.retain = options.retain ?? DEFAULT_RETAIN;
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    if (!Number.isSafeInteger(this.retain) || this.retain < 0) throw new CnsdnError('BUS_ERROR', 'retain must be a non-negative integer');
    if (!Number.isSafeInteger(this.maxQueue) || this.maxQueue < 1) throw new CnsdnError('BUS_ERROR', 'maxQueue must be a positive integer');
    this.ring = new Array(this.retain);
    this.logger = options.logger ?? stderrLogger;
  }

  private assertOpen(): void {
    if (this.closed) throw new CnsdnError('UNAVAILABLE', 'bus is closed');
  }

  async publish(events: readonly BusEvent[]): Promise<void> {
    this.assertOpen();
    checkEvents(events);
    for (const e of events) {
      const delivered: DeliveredEvent = Object.freeze({ ...pickEvent(e), seq: ++this.seq });
      if (this.retain > 0) this.ring[(delivered.seq - 1) % this.retain] = delivered;
      for (const sub of this.subs) sub.offer(delivered);
    }
  }

  async subscribe(handler: Handler, options?: SubscribeOptions): Promise<BusSubscription> {
    this.assertOpen();
    if (typeof handler !== 'function') throw new CnsdnError('BUS_ERROR', 'subscribe() needs a handler function');
    const { fromSeq, kinds } = checkSubscribeOptions(options);
    const sub = new InProcessSubscription(handler, kinds, fromSeq ?? this.seq + 1, this.maxQueue, this.logger, (s) => this.subs.delete(s));
    if (fromSeq !== undefined) {
      const oldest = Math.max(1, this.seq - this.retain + 1);
      for (let s = Math.max(fromSeq, oldest); s <= this.seq; s++) {
        sub.offer(this.ring[(s - 1) % this.retain]!);
      }
    }
    this.subs.add(sub);
    return sub;
  }

  async lastSeq(): Promise<number> {
    this.assertOpen();
    return this.seq;
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subs].map((s) => s.unsubscribe()));
    this.ring.fill(undefined);
  }
}
