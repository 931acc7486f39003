/**
 * A bounded FIFO of samples: fixed-size typed arrays allocated once, so a burst never grows
 * memory. When full, offers are refused and counted.
 */
export class SampleQueue<S> {
  readonly capacity: number;
  readonly #series: Array<S | undefined>;
  readonly #ts: Float64Array;
  readonly #values: Float64Array;
  #head = 0;
  #length = 0;
  /** Offers refused because the queue was full. */
  dropped = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#series = new Array<S | undefined>(capacity).fill(undefined);
    this.#ts = new Float64Array(capacity);
    this.#values = new Float64Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  offer(series: S, ts: number, value: number): boolean {
    if (this.#length === this.capacity) {
      this.dropped++;
      return false;
    }
    let i = this.#head + this.#length;
    if (i >= this.capacity) i -= this.capacity;
    this.#series[i] = series;
    this.#ts[i] = ts;
    this.#values[i] = value;
    this.#length++;
    return true;
  }

  /** Hands up to max samples to fn, oldest first, and removes them; returns how many. */
  drain(fn: (series: S, ts: number, value: number) => void, max = this.#length): number {
    const n = Math.min(max, this.#length);
    for (let k = 0; k < n; k++) {
      const i = this.#head;
      const series = this.#series[i] as S;
      this.#series[i] = undefined;
      this.#head = i + 1 === this.capacity ? 0 : i + 1;
      this.#length--;
      fn(series, this.#ts[i]!, this.#values[i]!);
    }
    return n;
  }
}
