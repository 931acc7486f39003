/**
 * The points of one series, oldest first, as (ts, value) pairs of doubles in a region of an
 * Arena: 16 bytes a point and no typed array of its own (a Float64Array per series cost ~250
 * bytes of ArrayBuffer, backing store and bookkeeping next to 8 points of 16 bytes). When full,
 * a new point overwrites the oldest.
 */

/** Doubles in one arena chunk (1 MiB). */
const CHUNK_DOUBLES = 1 << 17;

/**
 * Regions of (ts, value) pairs carved from 1 MiB Float64Array chunks. A freed region goes to a
 * free list of its size and is handed to the next ring of that size; `wasted` counts the freed
 * doubles not reused yet, so an owner can compact (copy the live rings into a new arena) when
 * they outgrow what is live.
 */
export class Arena {
  readonly #chunkDoubles: number;
  #chunk: Float64Array | undefined;
  #next = 0;
  readonly #free = new Map<number, { chunks: Float64Array[]; bases: number[] }>();
  /** Doubles in the chunks allocated so far. */
  reserved = 0;
  /** Doubles freed and not handed out again. */
  wasted = 0;

  constructor(chunkDoubles = CHUNK_DOUBLES) {
    this.#chunkDoubles = chunkDoubles;
  }

  /** A region of `doubles` doubles: [chunk, base]. */
  alloc(doubles: number): [Float64Array, number] {
    const free = this.#free.get(doubles);
    if (free && free.bases.length > 0) {
      this.wasted -= doubles;
      return [free.chunks.pop()!, free.bases.pop()!];
    }
    if (doubles > this.#chunkDoubles) {
      this.reserved += doubles;
      return [new Float64Array(doubles), 0];
    }
    if (!this.#chunk || this.#next + doubles > this.#chunk.length) {
      if (this.#chunk) this.wasted += this.#chunk.length - this.#next;
      this.#chunk = new Float64Array(this.#chunkDoubles);
      this.reserved += this.#chunkDoubles;
      this.#next = 0;
    }
    const base = this.#next;
    this.#next += doubles;
    return [this.#chunk, base];
  }

  free(chunk: Float64Array, base: number, doubles: number): void {
    let list = this.#free.get(doubles);
    if (!list) {
      list = { chunks: [], bases: [] };
      this.#free.set(doubles, list);
    }
    list.chunks.push(chunk);
    list.bases.push(base);
    this.wasted += doubles;
  }
}

export class Ring {
  #arena: Arena;
  #data: Float64Array;
  #base: number;
  #cap: number;
  #start = 0;
  #size = 0;

  constructor(capacity: number, arena?: Arena) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.#arena = arena ?? new Arena(capacity * 2);
    this.#cap = capacity;
    [this.#data, this.#base] = this.#arena.alloc(capacity * 2);
  }

  get capacity(): number {
    return this.#cap;
  }

  get size(): number {
    return this.#size;
  }

  get full(): boolean {
    return this.#size === this.#cap;
  }

  #slot(i: number): number {
    const j = this.#start + i;
    return this.#base + (j >= this.#cap ? j - this.#cap : j) * 2;
  }

  /** Timestamp of the i-th point, 0 being the oldest. */
  ts(i: number): number {
    return this.#data[this.#slot(i)]!;
  }

  value(i: number): number {
    return this.#data[this.#slot(i) + 1]!;
  }

  push(ts: number, value: number): void {
    let slot: number;
    if (this.#size < this.#cap) {
      slot = this.#slot(this.#size);
      this.#size++;
    } else {
      slot = this.#base + this.#start * 2;
      this.#start = this.#start + 1 === this.#cap ? 0 : this.#start + 1;
    }
    this.#data[slot] = ts;
    this.#data[slot + 1] = value;
  }

  /** Moves the newest `keep` points to a new region of `capacity` points (in `arena`), freeing the old one. */
  #move(capacity: number, keep: number, arena: Arena): void {
    const [data, base] = arena.alloc(capacity * 2);
    for (let i = 0; i < keep; i++) {
      const s = this.#slot(this.#size - keep + i);
      data[base + i * 2] = this.#data[s]!;
      data[base + i * 2 + 1] = this.#data[s + 1]!;
    }
    if (arena === this.#arena) this.#arena.free(this.#data, this.#base, this.#cap * 2);
    this.#arena = arena;
    this.#data = data;
    this.#base = base;
    this.#cap = capacity;
    this.#start = 0;
    this.#size = keep;
  }

  /** Reallocates to a larger capacity, keeping every point. */
  grow(capacity: number): void {
    if (capacity <= this.#cap) return;
    this.#move(capacity, this.#size, this.#arena);
  }

  /** Reallocates to a smaller capacity, keeping the newest points that fit. */
  shrink(capacity: number): void {
    if (capacity >= this.#cap || capacity < 1) return;
    this.#move(capacity, Math.min(this.#size, capacity), this.#arena);
  }

  /** Copies the points into a region of another arena (compaction); the old region is left to its arena. */
  moveTo(arena: Arena): void {
    if (arena !== this.#arena) this.#move(this.#cap, this.#size, arena);
  }

  /** Returns the region to the arena; the ring must not be used afterwards. */
  release(): void {
    this.#arena.free(this.#data, this.#base, this.#cap * 2);
    this.#size = 0;
  }

  /** Removes points older than cutoff (timestamps are non-decreasing); returns how many. */
  dropBefore(cutoff: number): number {
    const n = this.firstAtOrAfter(cutoff);
    this.#start = (this.#start + n) % this.#cap;
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
