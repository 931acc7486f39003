/**
 * In-memory retention of telemetry: one ring per (device, endpoint, KPI), bounded by count
 * (maxPoints per series), by age (maxAgeMs) and in total (maxTotalPoints across all series,
 * maxSeries series). Rings start small and grow as points come, up to an equal share of
 * the point budget; a new series that finds the budget spent shrinks the larger rings to
 * make room, so late devices get telemetry too. Memory: 16 bytes a point allocated (in shared
 * 1 MiB arena chunks, compacted when freed regions outgrow the live ones) plus ~0.2 KB a series
 * (one object; label strings shared per device and interned per endpoint name). Nothing here is
 * persisted: telemetry is not context.
 */
import { kpiName } from './kpi.js';
import { Arena, Ring } from './ring.js';

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

export interface SeriesLabels {
  readonly device: string;
  readonly endpoint: string;
  readonly kpi: string;
}

/** What the series of one device share: its uuid, its current name and its series by endpoint. */
interface DeviceEntry {
  readonly uuid: string;
  name: string;
  /** Series of the device in creation order. */
  readonly series: Series[];
  /** endpoint → its series (one per KPI, a handful). */
  readonly byEndpoint: Map<string, Series[]>;
}

/**
 * One (device, endpoint, KPI) series: its points (it is its own ring) and its labels, which
 * are shared strings (the device's entry, the interned endpoint name, the KPI's name).
 */
export class Series extends Ring {
  readonly #device: DeviceEntry;
  readonly endpoint: string;
  readonly kpi: number;
  /** Subscribed on a live session; inactive series are not exported and age out. */
  active = true;
  /** Deleted from the store: writes to it are ignored. */
  removed = false;
  #labels: SeriesLabels | undefined;

  constructor(device: DeviceEntry, endpoint: string, kpi: number, capacity: number, arena: Arena) {
    super(capacity, arena);
    this.#device = device;
    this.endpoint = endpoint;
    this.kpi = kpi;
  }

  get deviceUuid(): string {
    return this.#device.uuid;
  }

  get deviceName(): string {
    return this.#device.name;
  }

  get kpiName(): string {
    return kpiName(this.kpi);
  }

  /**
   * Its Prometheus labels: one object kept per series (made at its first scrape, made again when
   * the device is renamed), so a scrape of 40,000 series builds no label sets.
   */
  get labels(): SeriesLabels {
    const l = this.#labels;
    if (l && l.device === this.#device.name) return l;
    this.#labels = { device: this.#device.name, endpoint: this.endpoint, kpi: kpiName(this.kpi) };
    return this.#labels;
  }

  /** The points (the series itself; kept for readers written against a separate ring). */
  get ring(): Ring {
    return this;
  }

  /** Per-second increase from point i-1 to i; undefined for the first point or a counter reset. */
  rate(i: number): number | undefined {
    if (i < 1 || i >= this.size) return undefined;
    const dt = this.ts(i) - this.ts(i - 1);
    const dv = this.value(i) - this.value(i - 1);
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
  /** Every series in creation order (removed ones are taken out on sweep). */
  #all: Series[] = [];
  readonly #devices = new Map<string, DeviceEntry>();
  readonly #uuidByName = new Map<string, string>();
  /** Endpoint names, one string each however many devices and KPIs use it. */
  readonly #names = new Map<string, string>();
  #arena = new Arena();
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
    return this.#all.length;
  }

  /** Points allocated (capacity), the figure maxTotalPoints bounds. */
  get allocatedPoints(): number {
    return this.#allocated;
  }

  /** Points the arena holds (allocated plus freed regions not reused yet). */
  get reservedPoints(): number {
    return this.#arena.reserved / 2;
  }

  /** The series for meta, created when new (undefined when a bound refuses it); its device name follows meta. */
  ensure(meta: SeriesMeta): Series | undefined {
    const dev = this.#devices.get(meta.deviceUuid);
    const existing = dev?.byEndpoint.get(meta.endpoint)?.find((x) => x.kpi === meta.kpi);
    if (existing) {
      if (dev!.name !== meta.deviceName) this.#setName(dev!, meta.deviceName);
      return existing;
    }
    const n = this.#all.length + 1;
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
    let entry = dev;
    if (!entry) {
      entry = { uuid: meta.deviceUuid, name: meta.deviceName, series: [], byEndpoint: new Map() };
      this.#devices.set(meta.deviceUuid, entry);
      this.#uuidByName.set(meta.deviceName, meta.deviceUuid);
    } else if (entry.name !== meta.deviceName) this.#setName(entry, meta.deviceName);
    let endpoint = this.#names.get(meta.endpoint);
    if (endpoint === undefined) {
      endpoint = meta.endpoint;
      this.#names.set(endpoint, endpoint);
    }
    const s = new Series(entry, endpoint, meta.kpi, capacity, this.#arena);
    this.#allocated += capacity;
    this.#all.push(s);
    entry.series.push(s);
    const sameEndpoint = entry.byEndpoint.get(endpoint);
    if (sameEndpoint) sameEndpoint.push(s);
    else entry.byEndpoint.set(endpoint, [s]);
    this.#share = this.#fairShare(this.#all.length);
    return s;
  }

  /** A device renamed in the context: its series take the new name. */
  #setName(dev: DeviceEntry, name: string): void {
    if (this.#uuidByName.get(dev.name) === dev.uuid) this.#uuidByName.delete(dev.name);
    dev.name = name;
    this.#uuidByName.set(name, dev.uuid);
  }

  /** Appends a point; false when refused (removed series, or older than the newest point). */
  append(s: Series, ts: number, value: number): boolean {
    if (s.removed) return false;
    if (s.size > 0 && ts < s.ts(s.size - 1)) {
      this.outOfOrder++;
      return false;
    }
    const share = this.#share;
    if (s.capacity > share && this.maxTotalPoints - this.#allocated < this.#chunk) {
      // Series joined since this ring grew, and the budget is spent: give back the excess.
      this.#allocated -= s.capacity - share;
      s.shrink(share);
      this.#compactIfSparse();
    } else if (s.full && s.capacity < share) {
      const next = Math.min(share, s.capacity + Math.min(this.#chunk, s.capacity));
      if (this.#allocated + next - s.capacity <= this.maxTotalPoints) {
        this.#allocated += next - s.capacity;
        s.grow(next);
        this.#compactIfSparse();
      }
    }
    s.push(ts, value);
    return true;
  }

  /**
   * Freed regions are reused by rings of the same size; when they hold more than the live
   * rings (plus one chunk), the live rings are copied into a new arena and the old one goes.
   */
  #compactIfSparse(): void {
    const arena = this.#arena;
    if (arena.wasted <= arena.reserved - arena.wasted + (1 << 17)) return;
    const next = new Arena();
    for (const s of this.#all) if (!s.removed) s.moveTo(next);
    this.#arena = next;
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
    for (const s of this.#all) {
      if (s.capacity <= target) continue;
      this.#allocated -= s.capacity - target;
      s.shrink(target);
    }
    this.#compactIfSparse();
  }

  setDeviceActive(deviceUuid: string, active: boolean): void {
    for (const s of this.#devices.get(deviceUuid)?.series ?? []) s.active = active;
  }

  /** The device uuid for a uuid or a device name known to the store. */
  resolveDevice(ref: string): string | undefined {
    if (this.#devices.has(ref)) return ref;
    return this.#uuidByName.get(ref);
  }

  /** Series matching the filter, in creation order. */
  select(filter: SeriesFilter = {}): Series[] {
    let pool: Series[];
    if (filter.deviceUuid !== undefined) {
      const dev = this.#devices.get(filter.deviceUuid);
      pool = (filter.endpoint !== undefined ? dev?.byEndpoint.get(filter.endpoint) : dev?.series) ?? [];
    } else pool = this.#all;
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
    const kept: Series[] = [];
    const touched = new Set<DeviceEntry>();
    for (const s of this.#all) {
      s.dropBefore(cutoff);
      if (s.active || s.size > 0) {
        kept.push(s);
        continue;
      }
      s.removed = true;
      this.#allocated -= s.capacity;
      s.release();
      touched.add(this.#devices.get(s.deviceUuid)!);
    }
    const removed = this.#all.length - kept.length;
    this.#all = kept;
    for (const dev of touched) {
      const left = dev.series.filter((s) => !s.removed);
      dev.series.length = 0;
      dev.series.push(...left);
      for (const [ep, list] of dev.byEndpoint) {
        const live = list.filter((s) => !s.removed);
        if (live.length === 0) dev.byEndpoint.delete(ep);
        else dev.byEndpoint.set(ep, live);
      }
      if (dev.series.length === 0) {
        this.#devices.delete(dev.uuid);
        if (this.#uuidByName.get(dev.name) === dev.uuid) this.#uuidByName.delete(dev.name);
      }
    }
    if (removed > 0) this.#compactIfSparse();
    this.#share = this.#fairShare(this.#all.length);
    return removed;
  }
}
