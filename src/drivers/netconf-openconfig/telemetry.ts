/**
 * Counter telemetry by polling: NETCONF has no streaming counters, so each device has one
 * poll loop that reads the counters of every due subscription in one <get>, one poll in flight.
 */
import type { StateSample } from '../../device/index.js';
import { COUNTER_SAMPLE_TYPES, type parseStateKey } from '../gnmi-openconfig/index.js';

export type CounterSubscription = ReturnType<typeof parseStateKey>;

/** Reads the counters of the given interfaces: interface → counter name → value. */
export type CounterReader = (ifNames: readonly string[]) => Promise<Map<string, Record<string, number>>>;

const DEFAULT_INTERVAL_MS = 1000;
const MIN_INTERVAL_MS = 10;

interface Active {
  sub: CounterSubscription;
  intervalMs: number;
  nextDue: number;
  expiresAt?: number;
}

export function samplesFor(sub: CounterSubscription, counters: Record<string, number> | undefined, ts: number): StateSample[] {
  if (!counters) return [];
  const leaves = sub.leaf === undefined ? Object.keys(counters) : [sub.leaf];
  const out: StateSample[] = [];
  for (const leaf of leaves) {
    const value = counters[leaf];
    if (value === undefined) continue;
    const sample: StateSample = { ts, key: `/interface[${sub.endpoint}]/state/counters/${leaf}`, value, endpoint: sub.endpoint };
    const sampleType = COUNTER_SAMPLE_TYPES.get(leaf);
    if (sampleType !== undefined) sample.sampleType = sampleType;
    out.push(sample);
  }
  return out;
}

export class CounterPoller {
  readonly #active = new Map<string, Active>();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #stopped = false;

  constructor(
    private readonly read: CounterReader,
    private readonly emit: (sample: StateSample) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  get keys(): string[] {
    return [...this.#active.keys()];
  }

  add(sub: CounterSubscription): void {
    const intervalMs = sub.intervalS > 0 ? Math.max(MIN_INTERVAL_MS, sub.intervalS * 1000) : DEFAULT_INTERVAL_MS;
    const active: Active = { sub, intervalMs, nextDue: Date.now() };
    if (sub.durationS > 0) active.expiresAt = Date.now() + sub.durationS * 1000;
    this.#active.set(sub.key, active);
    this.#stopped = false;
    this.#arm();
  }

  remove(key: string): void {
    this.#active.delete(key);
    if (this.#active.size === 0) this.#disarm();
  }

  stop(): void {
    this.#stopped = true;
    this.#active.clear();
    this.#disarm();
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Schedules the next poll for the earliest due subscription, unless a poll is in flight. */
  #arm(): void {
    if (this.#polling || this.#stopped || this.#active.size === 0) return;
    this.#disarm();
    const next = Math.min(...[...this.#active.values()].map((a) => a.nextDue));
    this.#timer = setTimeout(() => void this.#poll(), Math.max(0, next - Date.now()));
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    this.#timer = undefined;
    const now = Date.now();
    for (const [key, a] of this.#active) if (a.expiresAt !== undefined && a.expiresAt <= now) this.#active.delete(key);
    const due = [...this.#active.values()].filter((a) => a.nextDue <= now);
    if (due.length === 0) return this.#arm();
    this.#polling = true;
    try {
      const counters = await this.read([...new Set(due.map((a) => a.sub.endpoint))]);
      const ts = Date.now();
      for (const a of due) {
        if (this.#active.get(a.sub.key) !== a) continue;
        for (const s of samplesFor(a.sub, counters.get(a.sub.endpoint), ts)) this.emit(s);
      }
    } catch (e) {
      if (!this.#stopped) this.onError(e);
    } finally {
      this.#polling = false;
      const after = Date.now();
      for (const a of due) a.nextDue = Math.max(a.nextDue + a.intervalMs, after);
      this.#arm();
    }
  }
}
