import { AsyncLocalStorage } from 'node:async_hooks';
import type { DeliveredEvent } from './api.js';
import type { BusLogger } from './log.js';

export type Handler = (event: DeliveredEvent) => void | Promise<void>;

/** Which subscription's handler is running, so unsubscribe() from inside it does not wait for itself. */
const running = new AsyncLocalStorage<object>();
/**
 * Handlers running now. While an AsyncLocalStorage is enabled, Node 20 runs promise hooks on
 * every promise of the process (an await costs several times more, ~6 % of telemetry ingest),
 * so the storage is disabled whenever no handler runs; run() enables it again.
 */
let inFlight = 0;

/** Calls a handler; a throw or rejection is logged and swallowed so delivery goes on. */
export async function invokeHandler(owner: object, handler: Handler, event: DeliveredEvent, logger: BusLogger): Promise<void> {
  inFlight++;
  try {
    await running.run(owner, handler, event);
  } catch (err) {
    logger.error({ err, kind: event.kind, uuid: event.uuid, seq: event.seq }, 'bus event handler failed');
  } finally {
    if (--inFlight === 0) running.disable();
  }
}

export function isInsideHandlerOf(owner: object): boolean {
  return running.getStore() === owner;
}

/** FIFO with O(1) push/shift, compacting its backing array lazily. */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
