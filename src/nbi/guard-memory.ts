/**
 * Memory saver: under a flood of short connections V8 lets the old generation grow to well over
 * 100 MiB of dead request objects before a full collection (RSS 290–330 MiB in `ab -c 255` runs
 * against 130–190 MiB idle). Above a resident-set threshold this switches V8 to its
 * optimise-for-size heuristics (smaller heap growth steps, so earlier and more frequent full
 * collections; measured: RSS peak 165 MiB instead of 331 MiB, ~30 % more CPU per request while
 * it is on), and back below a lower threshold. Set at run time through v8.setFlagsFromString:
 * the young generation's size cannot change after start (--max-semi-space-size only works on
 * the command line), but the heap growing strategy is read at every collection.
 * Only during a flood (the guard reports one: many new connections per second), so a controller
 * that is simply large — thousands of devices, telemetry — keeps V8's default, faster heuristics.
 */
import { setFlagsFromString } from 'node:v8';

export interface MemorySaverOptions {
  /** Switch on above this resident set size, MiB; 0 = never. */
  onAboveMiB: number;
  /** Switch off below this, MiB (default 85 % of onAboveMiB). */
  offBelowMiB?: number;
  /** How often the resident set is read, ms. */
  intervalMs?: number;
  /** The resident set size now, bytes (tests pass their own). */
  rss?: () => number;
  /** Applies a V8 flag (tests pass their own). */
  setFlag?: (flag: string) => void;
  /** Whether a flood is going on now (default: always); it switches on only then, and off after `calmChecks` checks without one. */
  flooded?: () => boolean;
  calmChecks?: number;
}

export class MemorySaver {
  active = false;
  /** Times it switched on. */
  activations = 0;
  readonly #on: number;
  readonly #off: number;
  readonly #intervalMs: number;
  readonly #rss: () => number;
  readonly #setFlag: (flag: string) => void;
  readonly #flooded: () => boolean;
  readonly #calmChecks: number;
  #calm = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: MemorySaverOptions) {
    this.#on = options.onAboveMiB * 1024 * 1024;
    this.#off = (options.offBelowMiB ?? options.onAboveMiB * 0.85) * 1024 * 1024;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#rss = options.rss ?? (() => process.memoryUsage.rss());
    this.#setFlag = options.setFlag ?? setFlagsFromString;
    this.#flooded = options.flooded ?? (() => true);
    this.#calmChecks = options.calmChecks ?? 10;
  }

  start(): void {
    if (this.#on <= 0 || this.#timer) return;
    this.#timer = setInterval(() => this.check(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Reads the resident set once and switches if a threshold is crossed (the timer calls this). */
  check(): void {
    const rss = this.#rss();
    const flooded = this.#flooded();
    this.#calm = flooded ? 0 : this.#calm + 1;
    if (!this.active && rss > this.#on && flooded) {
      this.#setFlag('--optimize-for-size');
      this.active = true;
      this.activations++;
    } else if (this.active && (rss < this.#off || this.#calm >= this.#calmChecks)) {
      this.#setFlag('--no-optimize-for-size');
      this.active = false;
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.active) {
      this.#setFlag('--no-optimize-for-size');
      this.active = false;
    }
  }
}
