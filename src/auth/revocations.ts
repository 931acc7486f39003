/**
 * Sessions ended by a logout. The cookie is stateless, so a logout alone would only clear the
 * browser's copy; the session id goes to the store (until the session's own expiry) and every
 * replica keeps the list in memory, refreshed from the store at most every `refreshMs` when a
 * session is being checked. A logout on this replica counts at once, on others within
 * `refreshMs`, and after a restart from the first request on.
 */
import type { AuthStore } from './store.js';

/** Revocations are read back this far before the last read, so clocks a little apart between replicas lose none. */
const CLOCK_SLACK_MS = 60_000;

export class SessionRevocations {
  readonly #store: AuthStore;
  readonly #refreshMs: number;
  /** sid → expiry (ms). */
  readonly #revoked = new Map<string, number>();
  /** Start of the last completed read (ms); 0 before the first. */
  #readAt = 0;
  #reading: Promise<void> | undefined;

  constructor(store: AuthStore, refreshMs: number) {
    this.#store = store;
    this.#refreshMs = refreshMs;
  }

  /** Brings the list up to date unless it was read within `refreshMs`. */
  async refresh(now = Date.now()): Promise<void> {
    if (this.#readAt !== 0 && now - this.#readAt < this.#refreshMs) return;
    this.#reading ??= this.#read(now).finally(() => {
      this.#reading = undefined;
    });
    await this.#reading;
  }

  async #read(now: number): Promise<void> {
    const since = this.#readAt === 0 ? new Date(0) : new Date(this.#readAt - CLOCK_SLACK_MS);
    const found = await this.#store.revokedSessions(since.toISOString(), new Date(now));
    for (const [sid, exp] of found) this.#revoked.set(sid, exp);
    for (const [sid, exp] of this.#revoked) if (exp <= now) this.#revoked.delete(sid);
    this.#readAt = now;
  }

  /** Synchronous: what this replica knows now (the web tier's budget check uses it without waiting). */
  has(sid: string): boolean {
    return this.#revoked.has(sid);
  }

  get size(): number {
    return this.#revoked.size;
  }

  async revoke(sid: string, expiresAt: number): Promise<void> {
    this.#revoked.set(sid, expiresAt);
    await this.#store.revokeSession(sid, expiresAt);
  }
}
