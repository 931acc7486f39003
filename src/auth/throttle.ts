/**
 * Failed-login backoff, per key (an account name, a client address). After `freeFailures`
 * failures each further failure locks the key for base × 2^n, capped. Kept in memory per
 * replica and bounded in size: the oldest keys are forgotten first.
 */
export interface ThrottleOptions {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key with no failure for this long starts over. */
  forgetAfterMs: number;
  maxKeys: number;
}

interface KeyState {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export class FailureThrottle {
  readonly #options: ThrottleOptions;
  readonly #keys = new Map<string, KeyState>();

  constructor(options: Partial<ThrottleOptions> = {}) {
    this.#options = { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000, maxKeys: 10_000, ...options };
  }

  /** Milliseconds until the key may try again (0: now). */
  retryAfterMs(key: string, now = Date.now()): number {
    const s = this.#state(key, now);
    return s ? Math.max(0, s.lockedUntil - now) : 0;
  }

  failure(key: string, now = Date.now()): void {
    const o = this.#options;
    const s = this.#state(key, now) ?? { failures: 0, lockedUntil: 0, lastFailure: now };
    s.failures++;
    s.lastFailure = now;
    const over = s.failures - o.freeFailures;
    if (over > 0) s.lockedUntil = now + Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.min(over - 1, 30));
    this.#keys.delete(key);
    this.#keys.set(key, s);
    while (this.#keys.size > o.maxKeys) this.#keys.delete(this.#keys.keys().next().value as string);
  }

  reset(key: string): void {
    this.#keys.delete(key);
  }

  get size(): number {
    return this.#keys.size;
  }

  #state(key: string, now: number): KeyState | undefined {
    const s = this.#keys.get(key);
    if (s && now - s.lastFailure > this.#options.forgetAfterMs && now >= s.lockedUntil) {
      this.#keys.delete(key);
      return undefined;
    }
    return s;
  }
}
