/**
 * The points of one series, oldest first, in one Float64Array of (ts, value) pairs: 16 bytes a
 * point and one allocation per series. When full, a new point overwrites the oldest.
 */
export class Ring {
  #data: Float64Array;
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.#data = new Float64Array(capacity * 2);
  }

  get capacity(): number {
    return this.#data.length / 2;
  }

  get size(): number {
    return this.#size;
  }

  get full(): boolean {
    return this.#size === this.capacity;
  }

  #slot(i: number): number {
    const j = this.#start + i;
    const cap = this.capacity;
    return (j >= cap ? j - cap : j) * 2;
  }

  /** Timestamp of the i-th point, 0 being the oldest. */
  ts(i: number): number {
    return this.#data[this.#slot(i)]!;
  }

  value(i: number): number {
    return this.#data[this.#slot(i) + 1]!;
  }

  push(ts: number, value: number): void {
    const cap = this.capacity;
    let slot: number;
    if (this.#size < cap) {
      slot = this.#slot(this.#size);
      this.#size++;
    } else {
      slot = this.#start * 2;
      this.#start = this.#start + 1 === cap ? 0 : this.#start + 1;
    }
    this.#data[slot] = ts;
    this.#data[slot + 1] = value;
  }

  /** Reallocates to a larger capacity, keeping every point. */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const next = new Float64Array(capacity * 2);
    for (let i = 0; i < this.#size; i++) {
      const s = this.#slot(i);
      next[i * 2] = this.#data[s]!;
      next[i * 2 + 1] = this.#data[s + 1]!;
    }
    this.#data = next;
    this.#start = 0;
  }

  /** Reallocates to a smaller capacity, keeping the newest points that fit. */
  shrink(capacity: number): void {
    if (capacity >= this.capacity || capacity < 1) return;
    const keep = Math.min(this.#size, capacity);
    const next = new Float64Array(capacity * 2);
    for (let i = 0; i < keep; i++) {
      const s = this.#slot(this.#size - keep + i);
      next[i * 2] = this.#data[s]!;
      next[i * 2 + 1] = this.#data[s + 1]!;
    }
    this.#data = next;
    this.#start = 0;
    this.#size = keep;
  }

  /** Removes points older than cutoff (timestamps are non-decreasing); returns how many. */
  dropBefore(cutoff: number): number {
    const n = this.firstAtOrAfter(cutoff);
    const cap = this.capacity;
    this.#start = (this.#start + n) % cap;
    this.#size -= n;
    return n;
  }

  /** Index of the first point with ts >= t (size when there is none). */
  firstAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
