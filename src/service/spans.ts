/**
 * Timing spans of the activation path (event heard → service read → topology → prepare →
 * device reads → device changes → status written), kept only when CNSDN_SERVICE_SPANS=1 so the
 * benchmarks can say where a setup's time goes. Off, a span costs one branch.
 */
export class Spans {
  readonly #samples = new Map<string, number[]>();
  enabled: boolean;

  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  add(name: string, ms: number): void {
    if (!this.enabled) return;
    const list = this.#samples.get(name);
    if (list) list.push(ms);
    else this.#samples.set(name, [ms]);
  }

  /** Runs fn, recording how long its promise took under `name`. */
  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (!this.enabled) return fn();
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, performance.now() - t0);
    }
  }

  /** Per span: count, p50, p99 and mean (ms), in the order spans were first seen. */
  summary(): Record<string, { n: number; p50: number; p99: number; mean: number }> {
    const out: Record<string, { n: number; p50: number; p99: number; mean: number }> = {};
    for (const [name, list] of this.#samples) {
      const sorted = [...list].sort((a, b) => a - b);
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
      const r = (x: number) => Math.round(x * 100) / 100;
      out[name] = { n: sorted.length, p50: r(at(0.5)), p99: r(at(0.99)), mean: r(sorted.reduce((s, x) => s + x, 0) / sorted.length) };
    }
    return out;
  }

  reset(): void {
    this.#samples.clear();
  }
}

export const serviceSpans = new Spans(process.env.CNSDN_SERVICE_SPANS === '1');
