/**
 * In-memory retention of telemetry: one ring per (device, endpoint, KPI), bounded by count
 * (maxPoints per series), by age (maxAgeMs) and in total (maxTotalPoints across all series,
 * maxSeries series). Rings start small and grow as points come, up to an equal share of
 * the point budget; a new series that finds the budget spent shrinks the larger rings to
 * make room, so late devices get telemetry too. Memory: 16 bytes a point allocated plus
 * ~0.9 KB a series. Nothing here is persisted: telemetry is not context.
 */
import { kpiName } from './kpi.js';
import { Ring } from './ring.js';

export interface SeriesOptions {
  /** Points kept per series (default 360: one hour at 10 s). */
  maxPoints?: number;
  /** Points older than this are dropped (default 3,600,000 ms). */
  maxAgeMs?: number;
  /** Points allocated across all series (default 16,777,216: 256 MiB of typed arrays). */
  maxTotalPoints?: number;
  /** Series kept at once (default 1,000,000). */
  maxSeries?: number;
}

export interface SeriesMeta {
  deviceUuid: string;
  deviceName: string;
  endpoint: string;
  kpi: number;
}

export class Series {
  readonly deviceUuid: string;
  deviceName: string;
  readonly endpoint: string;
  readonly kpi: number;
  readonly kpiName: string;
  readonly ring: Ring;
  /** Subscribed on a live session; inactive series are not exported and age out. */
  active = true;
  /** Deleted from the store: writes to it are ignored. */
  removed = false;

  constructor(meta: SeriesMeta, capacity: number) {
    this.deviceUuid = meta.deviceUuid;
    this.deviceName = meta.deviceName;
    this.endpoint = meta.endpoint;
    this.kpi = meta.kpi;
    this.kpiName = kpiName(meta.kpi);
    this.ring = new Ring(capacity);
  }

  /** Per-second increase from point i-1 to i; undefined for the first point or a counter reset. */
  rate(i: number): number | undefined {
    if (i < 1 || i >= this.ring.size) return undefined;
    const dt = this.ring.ts(i) - this.ring.ts(i - 1);
    const dv = this.ring.value(i) - this.ring.value(i - 1);
    return dt > 0 && dv >= 0 ? (dv * 1000) / dt : undefined;
  }
}

export interface SeriesFilter {
  deviceUuid?: string;
  endpoint?: string;
  kpi?: number;
}

const MIN_POINTS = 2;
const INITIAL_POINTS = 8;

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

export class SeriesStore {
  readonly maxPoints: number;
  readonly maxAgeMs: number;
  readonly maxTotalPoints: number;
  readonly maxSeries: number;
  readonly #chunk: number;
  readonly #minPoints: number;
  readonly #series = new Map<string, Series>();
  readonly #byDevice = new Map<string, Set<Series>>();
  readonly #uuidByName = new Map<string, string>();
  #allocated = 0;
  /** The fair share at the current series count. */
  #share: number;
  /** Series refused because maxSeries or maxTotalPoints was reached. */
  rejectedSeries = 0;
  /** Points refused because they were older than the series' newest point. */
  outOfOrder = 0;

  constructor(options: SeriesOptions = {}) {
    this.maxPoints = positiveInt('maxPoints', options.maxPoints ?? 360);
    this.maxAgeMs = positiveInt('maxAgeMs', options.maxAgeMs ?? 3_600_000);
    this.maxTotalPoints = positiveInt('maxTotalPoints', options.maxTotalPoints ?? 16 * 1024 * 1024);
    this.maxSeries = positiveInt('maxSeries', options.maxSeries ?? 1_000_000);
    // Rings grow by eighths, so a budget shared by many series is not taken by the first ones in one go.
    this.#chunk = Math.max(MIN_POINTS, Math.ceil(this.maxPoints / 8));
    this.#minPoints = Math.min(MIN_POINTS, this.maxPoints);
    this.#share = this.maxPoints;
  }

  get seriesCount(): number {
    return this.#series.size;
  }

  /** Points allocated (capacity), the figure maxTotalPoints bounds. */
  get allocatedPoints(): number {
    return this.#allocated;
  }

  /** The series for meta, created when new (undefined when a bound refuses it); its device name follows meta. */
  ensure(meta: SeriesMeta): Series | undefined {
    const key = `${meta.deviceUuid}\u0000${meta.endpoint}\u0000${meta.kpi}`;
    const existing = this.#series.get(key);
    if (existing) {
      if (existing.deviceName !== meta.deviceName) this.#setName(meta.deviceUuid, meta.deviceName);
      return existing;
    }
    const n = this.#series.size + 1;
    if (n > this.maxSeries || n * this.#minPoints > this.maxTotalPoints) {
      this.rejectedSeries++;
      return undefined;
    }
    // A new series starts small (most are read a few points at a time) and doubles up to the chunk.
    const wanted = Math.min(INITIAL_POINTS, this.#chunk, this.#fairShare(n));
    if (this.#allocated + wanted > this.maxTotalPoints) this.#rebalance(n);
    const capacity = Math.min(wanted, this.maxTotalPoints - this.#allocated);
    if (capacity < this.#minPoints) {
      this.rejectedSeries++;
      return undefined;
    }
    const s = new Series(meta, capacity);
    this.#allocated += capacity;
    this.#series.set(key, s);
    this.#share = this.#fairShare(this.#series.size);
    let set = this.#byDevice.get(meta.deviceUuid);
    if (!set) {
      set = new Set();
      this.#byDevice.set(meta.deviceUuid, set);
    }
    set.add(s);
    this.#setName(meta.deviceUuid, meta.deviceName);
    return s;
  }

  /** A device renamed in the context: its series take the new name. */
  #setName(deviceUuid: string, name: string): void {
    for (const s of this.#byDevice.get(deviceUuid) ?? []) {
      if (s.deviceName === name) continue;
      if (this.#uuidByName.get(s.deviceName) === deviceUuid) this.#uuidByName.delete(s.deviceName);
      s.deviceName = name;
    }
    this.#uuidByName.set(name, deviceUuid);
  }

  /** Appends a point; false when refused (removed series, or older than the newest point). */
  append(s: Series, ts: number, value: number): boolean {
    if (s.removed) return false;
    const ring = s.ring;
    if (ring.size > 0 && ts < ring.ts(ring.size - 1)) {
      this.outOfOrder++;
      return false;
    }
    const share = this.#share;
    if (ring.capacity > share && this.maxTotalPoints - this.#allocated < this.#chunk) {
      // Series joined since this ring grew, and the budget is spent: give back the excess.
      this.#allocated -= ring.capacity - share;
      ring.shrink(share);
    } else if (ring.full && ring.capacity < share) {
      const next = Math.min(share, ring.capacity + Math.min(this.#chunk, ring.capacity));
      if (this.#allocated + next - ring.capacity <= this.maxTotalPoints) {
        this.#allocated += next - ring.capacity;
        ring.grow(next);
      }
    }
    ring.push(ts, value);
    return true;
  }

  /** Points one series may hold when n series share the budget. */
  #fairShare(n: number): number {
    return Math.max(this.#minPoints, Math.min(this.maxPoints, Math.floor(this.maxTotalPoints / Math.max(1, n))));
  }

  /**
   * Makes room for a new series when the budget is spent: every series above the fair share
   * of 1.25·n series is cut to it (keeping its newest points), so the next quarter of new
   * series fit without another pass.
   */
  #rebalance(n: number): void {
    const target = this.#fairShare(Math.ceil(n * 1.25));
    for (const s of this.#series.values()) {
      if (s.ring.capacity <= target) continue;
      this.#allocated -= s.ring.capacity - target;
      s.ring.shrink(target);
    }
  }

  setDeviceActive(deviceUuid: string, active: boolean): void {
    for (const s of this.#byDevice.get(deviceUuid) ?? []) s.active = active;
  }

  /** The device uuid for a uuid or a device name known to the store. */
  resolveDevice(ref: string): string | undefined {
    if (this.#byDevice.has(ref)) return ref;
    return this.#uuidByName.get(ref);
  }

  /** Series matching the filter, in creation order. */
  select(filter: SeriesFilter = {}): Series[] {
    const pool = filter.deviceUuid !== undefined ? (this.#byDevice.get(filter.deviceUuid) ?? []) : this.#series.values();
    const out: Series[] = [];
    for (const s of pool) {
      if (filter.endpoint !== undefined && s.endpoint !== filter.endpoint) continue;
      if (filter.kpi !== undefined && s.kpi !== filter.kpi) continue;
      out.push(s);
    }
    return out;
  }

  /** Drops points older than the retention age, then inactive series left empty; returns how many series went. */
  sweep(now = Date.now()): number {
    const cutoff = now - this.maxAgeMs;
    let removed = 0;
    for (const [key, s] of this.#series) {
      s.ring.dropBefore(cutoff);
      if (s.active || s.ring.size > 0) continue;
      s.removed = true;
      this.#series.delete(key);
      this.#allocated -= s.ring.capacity;
      const set = this.#byDevice.get(s.deviceUuid)!;
      set.delete(s);
      if (set.size === 0) {
        this.#byDevice.delete(s.deviceUuid);
        if (this.#uuidByName.get(s.deviceName) === s.deviceUuid) this.#uuidByName.delete(s.deviceName);
      }
      removed++;
    }
    this.#share = this.#fairShare(this.#series.size);
    return removed;
  }
}
