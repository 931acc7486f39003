import type { SubscribeResponsePb } from './wire.js';

/** The writable side of a server stream that the queue drains into. */
export interface ResponseSink<T = SubscribeResponsePb> {
  write(msg: T): boolean;
  once(event: 'drain', listener: () => void): unknown;
  /** Messages the stream holds but has not sent yet (Writable.writableLength). */
  readonly writableLength?: number;
}

/**
 * How many messages may sit in the gRPC stream's own buffer before we wait for 'drain'.
 * Node's object-mode default (16) makes the stream wait for every few messages.
 */
const STREAM_BUFFER = 256;

/**
 * A bounded per-stream queue in front of a gRPC server stream. It writes while the stream
 * accepts data and waits for 'drain' otherwise; when more than `limit` notifications wait,
 * the oldest notifications are dropped (and counted) so a client that does not read cannot
 * grow the server's memory. Only messages that `isNotification` accepts are dropped (by default
 * SubscribeResponses with an update), so sync_response markers are never dropped.
 */
export class SendQueue<T = SubscribeResponsePb> {
  private items: T[] = [];
  private head = 0;
  private waiting = false;
  private closed = false;
  private pendingNotifications = 0;
  private flushed?: () => void;
  dropped = 0;

  constructor(
    private readonly sink: ResponseSink<T>,
    private readonly limit: number,
    private readonly onDrop?: (count: number) => void,
    private readonly isNotification: (msg: T) => boolean = (msg) => (msg as SubscribeResponsePb).update !== undefined,
  ) {}

  push(msg: T): void {
    if (this.closed) return;
    if (this.items.length === this.head && !this.waiting) {
      if (this.write(msg)) return;
      this.waitForDrain();
      return;
    }
    this.items.push(msg);
    if (this.isNotification(msg)) this.pendingNotifications++;
    if (this.pendingNotifications > this.limit) this.dropOldest();
    if (!this.waiting) this.flush();
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Calls `fn` once everything queued has been handed to the sink. */
  whenFlushed(fn: () => void): void {
    if (this.closed) return;
    if (this.head === this.items.length && !this.waiting) fn();
    else this.flushed = fn;
  }

  close(): void {
    this.closed = true;
    this.items = [];
    this.head = 0;
  }

  private dropOldest(): void {
    for (let i = this.head; i < this.items.length; i++) {
      if (this.isNotification(this.items[i])) {
        if (i === this.head) this.head++;
        else this.items.splice(i, 1);
        this.pendingNotifications--;
        this.dropped++;
        this.onDrop?.(1);
        return;
      }
    }
  }

  private write(msg: T): boolean {
    return this.sink.write(msg) || (this.sink.writableLength ?? STREAM_BUFFER) < STREAM_BUFFER;
  }

  private waitForDrain(): void {
    this.waiting = true;
    this.sink.once('drain', () => {
      this.waiting = false;
      this.flush();
    });
  }

  private flush(): void {
    while (!this.closed && this.head < this.items.length) {
      const msg = this.items[this.head++];
      if (this.isNotification(msg)) this.pendingNotifications--;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (!this.write(msg)) {
        this.waitForDrain();
        return;
      }
    }
    if (this.flushed && this.head === this.items.length) {
      const fn = this.flushed;
      this.flushed = undefined;
      fn();
    }
  }
}
