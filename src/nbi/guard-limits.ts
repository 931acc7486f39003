/** Per-client request budgets (token buckets) and the event-loop lag that decides load shedding. */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

export interface RateBudget {
  /** Requests per window (also the burst a quiet client may spend at once). */
  max: number;
  windowMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by client key: `max` tokens, refilled at max/windowMs per ms. Keys whose
 * bucket is full again are dropped by a sweep, so the map holds only recently active clients;
 * it never exceeds maxKeys (the oldest entries go first).
 */
export class RateBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;

  constructor(
    readonly budget: RateBudget,
    readonly maxKeys = 200_000,
  ) {
    if (!(budget.max > 0) || !(budget.windowMs > 0)) throw new RangeError('rate budget needs max > 0 and windowMs > 0');
    this.#perMs = budget.max / budget.windowMs;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Spends one token. Returns 0 when allowed, else the ms until a token is available. */
  take(key: string, now: number): number {
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size >= this.maxKeys) this.#makeRoom(now);
      b = { tokens: this.budget.max, at: now };
      this.#buckets.set(key, b);
    } else if (now > b.at) {
      b.tokens = Math.min(this.budget.max, b.tokens + (now - b.at) * this.#perMs);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.#perMs);
  }

  /** Drops buckets that have refilled completely (their clients have been quiet for a window). */
  sweep(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.#perMs >= this.budget.max) this.#buckets.delete(key);
    }
  }

  #makeRoom(now: number): void {
    this.sweep(now);
    if (this.#buckets.size < this.maxKeys) return;
    let drop = Math.ceil(this.maxKeys / 10);
    for (const key of this.#buckets.keys()) {
      this.#buckets.delete(key);
      if (--drop === 0) break;
    }
  }
}

/**
 * Event-loop lag: the longest delay a 10 ms timer saw during the last sample period (250 ms
 * by default). Read by every request, so it is a plain field updated by the sampler.
 */
export class LagMonitor {
  /** Longest delay (ms) in the last completed sample period. */
  lagMs = 0;
  /**
   * Lag over the last two sample periods (the lower of the two): high only when the loop stays
   * slow, not after one long task or GC pause. What load shedding acts on.
   */
  sustainedLagMs = 0;
  readonly #histogram: IntervalHistogram;
  readonly #resolutionMs: number;
  #timer: NodeJS.Timeout | undefined;
  #lastSample = 0;

  constructor(
    readonly sampleMs = 250,
    resolutionMs = 10,
  ) {
    this.#resolutionMs = resolutionMs;
    this.#histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  }

  start(): void {
    if (this.#timer) return;
    this.#histogram.enable();
    this.#lastSample = performance.now();
    this.#timer = setInterval(() => this.sample(), this.sampleMs);
    this.#timer.unref();
  }

  /** Takes a sample now (the timer does this every sampleMs). */
  sample(): void {
    const max = this.#histogram.count > 0 ? this.#histogram.max / 1e6 : 0;
    // The sampler's own lateness also counts: after a long block it may run before the histogram's timer.
    const now = performance.now();
    const late = this.#lastSample > 0 ? now - this.#lastSample - this.sampleMs : 0;
    this.#lastSample = now;
    const previous = this.lagMs;
    this.lagMs = Math.max(0, max - this.#resolutionMs, late);
    this.sustainedLagMs = Math.min(previous, this.lagMs);
    this.#histogram.reset();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#histogram.disable();
  }
}
