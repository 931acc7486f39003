import type { NetconfError } from './errors.js';
import type { NetconfSession, Notification } from './session.js';

/** Bounded buffer of a session's notifications, read as an async iterable. */
export class NotificationQueue implements AsyncIterableIterator<Notification> {
  private readonly buffer: Notification[] = [];
  private waiter: ((r: IteratorResult<Notification>) => void) | undefined;
  private done = false;
  /** Notifications dropped because `maxQueued` were waiting unread. */
  dropped = 0;
  /** Why the stream ended, when the session ended on an error. */
  endReason: NetconfError | undefined;

  private readonly onNotification = (n: Notification): void => {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: n, done: false });
      return;
    }
    this.buffer.push(n);
    if (this.buffer.length > this.maxQueued) {
      this.buffer.shift();
      this.dropped++;
    }
  };

  private readonly onClose = (reason: NetconfError | undefined): void => {
    this.endReason = reason;
    this.finish();
  };

  constructor(
    private readonly session: NetconfSession,
    private readonly maxQueued: number,
  ) {
    if (session.closed) {
      this.done = true;
      return;
    }
    session.on('notification', this.onNotification);
    session.on('close', this.onClose);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.session.off('notification', this.onNotification);
    this.session.off('close', this.onClose);
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<Notification>> {
    const n = this.buffer.shift();
    if (n) return Promise.resolve({ value: n, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Waits for the next notification at most `timeoutMs`; undefined when none came or the stream ended. */
  async nextWithin(timeoutMs: number): Promise<Notification | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        if (this.waiter) {
          this.waiter = undefined;
        }
        resolve(undefined);
      }, timeoutMs);
    });
    const r = await Promise.race([this.next(), timeout]);
    clearTimeout(timer);
    return r && !r.done ? r.value : undefined;
  }

  return(): Promise<IteratorResult<Notification>> {
    this.finish();
    this.buffer.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Notification> {
    return this;
  }
}
