import { EventEmitter } from 'node:events';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { decodeNotification } from './codec.js';
import { GnmiError } from './errors.js';
import type { LeafSink } from './leaves.js';
import { decodeSubscribeResponse, LeafDecoder, type SubscribeResponseMsg } from './pb-decode.js';
import type { GnmiNotification } from './target.js';
import type { SubscribeRequestPb, SubscribeResponsePb } from './wire.js';

/** Responses arrive as bytes (GnmiClient), decoded by pb-decode, or as proto-loader objects. */
type Call =
  | ClientDuplexStream<SubscribeRequestPb, Buffer>
  | ClientDuplexStream<SubscribeRequestPb, SubscribeResponseMsg>
  | ClientDuplexStream<SubscribeRequestPb, SubscribeResponsePb>;

const settledLater = <T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
};

/**
 * A running Subscribe call. Read it either as events ('notification', 'sync', 'error', 'end')
 * or as an async iterable of notifications (which pauses the stream while the reader lags).
 * Without a 'notification' listener, notifications are kept for the iterator until one starts.
 * With a LeafSink, notifications go to it as leaves instead (no 'notification' events).
 * `synced` resolves at the first sync_response; `done` when the stream ends.
 */
export class GnmiSubscription extends EventEmitter implements AsyncIterable<GnmiNotification> {
  readonly synced: Promise<void>;
  readonly done: Promise<void>;
  private syncedCtl = settledLater<void>();
  private doneCtl = settledLater<void>();
  private buffer: GnmiNotification[] = [];
  private wake?: () => void;
  private failure?: GnmiError;
  private ended = false;
  private iterating = false;
  private paused = false;
  private pollWaiter?: { notifications: GnmiNotification[]; resolve: (n: GnmiNotification[]) => void; reject: (e: unknown) => void };
  /** Number of sync_response messages received. */
  syncCount = 0;
  /** Notifications dropped because nobody read them (no listener, no iterator) past `unreadLimit`. */
  dropped = 0;
  private readonly unreadLimit = 100_000;
  private readonly leaves?: LeafDecoder<unknown>;

  constructor(
    private readonly call: Call,
    private readonly highWaterMark = 1024,
    leaves?: LeafSink<unknown>,
  ) {
    super();
    this.synced = this.syncedCtl.promise;
    this.done = this.doneCtl.promise;
    if (leaves) this.leaves = new LeafDecoder(leaves);
    call.on('data', (msg: Buffer | SubscribeResponseMsg) => this.onData(msg));
    call.on('error', (err: Error) => this.onError(err));
    call.on('end', () => this.onEnd());
  }

  private onData(data: Buffer | SubscribeResponseMsg): void {
    if (!Buffer.isBuffer(data)) {
      this.onMessage(data);
      return;
    }
    let msg: SubscribeResponseMsg | undefined;
    try {
      msg = this.leaves ? this.leaves.decode(data) : decodeSubscribeResponse(data);
    } catch (err) {
      // As grpc-js reports a response its deserializer cannot read.
      this.fail(new GnmiError('INTERNAL', `Response message parsing error: ${(err as Error).message}`, 13));
      return;
    }
    if (msg) this.onMessage(msg);
  }

  private onMessage(msg: SubscribeResponseMsg): void {
    if (msg.malformed !== undefined) {
      this.fail(new GnmiError('INVALID_ARGUMENT', `malformed notification from target: ${msg.malformed}`));
    } else if (msg.notification || msg.update) {
      let n: GnmiNotification;
      if (msg.notification) {
        n = msg.notification;
      } else {
        try {
          n = decodeNotification(msg.update!);
        } catch (err) {
          this.fail(new GnmiError('INVALID_ARGUMENT', `malformed notification from target: ${(err as Error).message}`));
          return;
        }
      }
      this.pollWaiter?.notifications.push(n);
      this.emit('notification', n);
      if (this.iterating || this.listenerCount('notification') === 0) {
        this.buffer.push(n);
        if (this.iterating && this.buffer.length >= this.highWaterMark && !this.paused) {
          this.paused = true;
          this.call.pause();
        } else if (!this.iterating && this.buffer.length > this.unreadLimit) {
          this.buffer.shift();
          this.dropped++;
        }
        this.wakeReader();
      }
    } else if (msg.sync_response) {
      this.syncCount++;
      this.syncedCtl.resolve();
      const waiter = this.pollWaiter;
      this.pollWaiter = undefined;
      waiter?.resolve(waiter.notifications);
      this.emit('sync');
    } else if (msg.error) {
      this.fail(new GnmiError('UNKNOWN', msg.error.message ?? 'error in SubscribeResponse', msg.error.code));
    }
  }

  private onError(err: Error): void {
    const e = GnmiError.fromService(err);
    if (e.code === 'CANCELLED' && this.ended) return;
    this.fail(e);
  }

  private fail(e: GnmiError): void {
    if (this.ended) return;
    this.failure = e;
    this.ended = true;
    this.syncedCtl.reject(e);
    this.doneCtl.reject(e);
    this.pollWaiter?.reject(e);
    this.pollWaiter = undefined;
    this.call.cancel();
    if (this.listenerCount('error') > 0) this.emit('error', e);
    this.wakeReader();
  }

  private onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    const early = new GnmiError('ABORTED', 'stream ended before sync_response');
    this.syncedCtl.reject(early);
    this.pollWaiter?.reject(early);
    this.doneCtl.resolve();
    this.emit('end');
    this.wakeReader();
  }

  private wakeReader(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** POLL mode: asks for the current values and resolves with them once the target's sync_response arrives. */
  poll(): Promise<GnmiNotification[]> {
    if (this.ended) return Promise.reject(this.failure ?? new GnmiError('CANCELLED', 'subscription has ended'));
    if (this.pollWaiter) return Promise.reject(new GnmiError('FAILED_PRECONDITION', 'a poll is already in progress'));
    return new Promise((resolve, reject) => {
      this.pollWaiter = { notifications: [], resolve, reject };
      this.call.write({ poll: {} });
    });
  }

  /** Stops the subscription; `done` resolves. */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    const e = new GnmiError('CANCELLED', 'subscription cancelled');
    this.syncedCtl.reject(e);
    this.pollWaiter?.reject(e);
    this.pollWaiter = undefined;
    this.doneCtl.resolve();
    this.call.cancel();
    this.emit('end');
    this.wakeReader();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<GnmiNotification> {
    this.iterating = true;
    try {
      for (;;) {
        if (this.buffer.length > 0) {
          const batch = this.buffer;
          this.buffer = [];
          if (this.paused) {
            this.paused = false;
            this.call.resume();
          }
          yield* batch;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) return;
        await new Promise<void>((r) => {
          this.wake = r;
        });
      }
    } finally {
      this.iterating = false;
      this.cancel();
    }
  }
}
