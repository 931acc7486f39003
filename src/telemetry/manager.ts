/**
 * Keeps every connected device subscribed to its endpoints' counters: on each new session
 * (a new driver instance, also after a reconnect) it reads the stored device, subscribes
 * `/interface[NAME]` per endpoint with counter KPIs, and routes the driver's samples into
 * the ingest pipeline. When the session goes, the device's series stop and age out.
 */
import type { Bus, BusSubscription } from '../bus/index.js';
import type { DeviceLogger, Driver, SessionListener, StateSample, StateSubscription } from '../device/index.js';
import type { Device } from '../model/index.js';
import type { Ingest } from './ingest.js';
import { defaultInterval, planDevice, subscriptionsOf } from './plan.js';
import type { Series } from './series-store.js';

/** What telemetry needs of the session manager. */
export interface SessionSource {
  onSession(listener: SessionListener): () => void;
  withDriver<T>(uuid: string, fn: (driver: Driver) => Promise<T>): Promise<T>;
}

export interface TelemetryManagerOptions {
  sessions: SessionSource;
  /** The stored device, or undefined when it no longer exists. */
  loadDevice: (uuid: string) => Promise<Device | undefined>;
  ingest: Ingest;
  /** Sampling interval in seconds unless a device's settings say `telemetry_interval_s` (default env CNSDN_TELEMETRY_INTERVAL_S, else 10). */
  intervalS?: number;
  /** Device change events: a connected device whose endpoints or settings change is resubscribed. */
  events?: Pick<Bus, 'subscribe'>;
  logger?: DeviceLogger;
}

interface DeviceState {
  readonly uuid: string;
  readonly driver: Driver;
  offSample: () => void;
  /** Subscribed keys and their interval. */
  subscribed: Map<string, number>;
  /** endpoint → KPI → series, read on every sample. */
  lookup: Map<string, Map<number, Series>>;
  chain: Promise<void>;
  syncQueued: boolean;
  closed: boolean;
}

const NO_LOG: DeviceLogger = { debug() {}, info() {}, warn() {}, error() {} };

export class TelemetryManager {
  readonly intervalS: number;
  readonly #sessions: SessionSource;
  readonly #loadDevice: (uuid: string) => Promise<Device | undefined>;
  readonly #ingest: Ingest;
  readonly #events: Pick<Bus, 'subscribe'> | undefined;
  readonly #log: DeviceLogger;
  readonly #devices = new Map<string, DeviceState>();
  #offSession: (() => void) | undefined;
  #eventSub: BusSubscription | undefined;
  /** Samples without a subscribed (endpoint, KPI) or a numeric value. */
  ignored = 0;

  constructor(options: TelemetryManagerOptions) {
    this.#sessions = options.sessions;
    this.#loadDevice = options.loadDevice;
    this.#ingest = options.ingest;
    this.#events = options.events;
    this.#log = options.logger ?? NO_LOG;
    this.intervalS = options.intervalS ?? defaultInterval();
  }

  /** Start before sessions come up: devices already connected are not seen until they reconnect. */
  async start(): Promise<void> {
    this.#ingest.start();
    this.#offSession ??= this.#sessions.onSession((uuid, driver) => this.#onSession(uuid, driver));
    if (this.#events && !this.#eventSub) this.#eventSub = await this.#events.subscribe((ev) => this.refresh(ev.uuid), { kinds: ['device'] });
  }

  /** Stops listening, asks drivers to end the subscriptions (without waiting), and writes what is queued. */
  async stop(): Promise<void> {
    this.#offSession?.();
    this.#offSession = undefined;
    await this.#eventSub?.unsubscribe();
    this.#eventSub = undefined;
    for (const st of [...this.#devices.values()]) {
      const keys = [...st.subscribed].map(([k, i]): StateSubscription => [k, 0, i]);
      this.#release(st);
      if (keys.length > 0) {
        this.#sessions
          .withDriver(st.uuid, (d) => (d === st.driver ? d.unsubscribeState(keys) : Promise.resolve([])))
          .catch((err: unknown) => this.#log.debug({ device: st.uuid, err }, 'telemetry unsubscribe at stop failed'));
      }
    }
    this.#ingest.stop();
  }

  /** Devices with a live session telemetry follows. */
  get devices(): number {
    return this.#devices.size;
  }

  /** Subscribed state keys of a device, with their interval in seconds. */
  subscriptions(uuid: string): ReadonlyMap<string, number> {
    return new Map(this.#devices.get(uuid)?.subscribed);
  }

  /** Re-reads a connected device and adjusts its subscriptions (endpoints, KPIs, interval, name). */
  refresh(uuid: string): void {
    const st = this.#devices.get(uuid);
    if (st) this.#queueSync(st);
  }

  #onSession(uuid: string, driver: Driver | undefined): void {
    const previous = this.#devices.get(uuid);
    if (previous?.driver === driver) return;
    if (previous) this.#release(previous);
    if (!driver) return;
    const st: DeviceState = {
      uuid,
      driver,
      offSample: () => undefined,
      subscribed: new Map(),
      lookup: new Map(),
      chain: Promise.resolve(),
      syncQueued: false,
      closed: false,
    };
    st.offSample = driver.onSample((s) => this.#onSample(st, s));
    this.#devices.set(uuid, st);
    this.#queueSync(st);
  }

  #release(st: DeviceState): void {
    st.closed = true;
    st.offSample();
    if (this.#devices.get(st.uuid) === st) this.#devices.delete(st.uuid);
    for (const byKpi of st.lookup.values()) for (const s of byKpi.values()) s.active = false;
  }

  #onSample(st: DeviceState, s: StateSample): void {
    const series = s.endpoint !== undefined && s.sampleType !== undefined ? st.lookup.get(s.endpoint)?.get(s.sampleType) : undefined;
    if (series === undefined || typeof s.value !== 'number') {
      this.ignored++;
      return;
    }
    this.#ingest.offer(series, s.ts, s.value);
  }

  #queueSync(st: DeviceState): void {
    if (st.syncQueued || st.closed) return;
    st.syncQueued = true;
    st.chain = st.chain.then(() => {
      st.syncQueued = false;
      return this.#sync(st).catch((err: unknown) => this.#log.warn({ device: st.uuid, err }, 'telemetry subscription failed'));
    });
  }

  async #sync(st: DeviceState): Promise<void> {
    if (st.closed) return;
    const device = await this.#loadDevice(st.uuid);
    if (st.closed) return;
    const plan = device ? planDevice(st.uuid, device, this.intervalS) : undefined;
    const wanted = new Map<string, number>(plan ? subscriptionsOf(plan).map(([key, , interval]) => [key, interval]) : []);
    const lookup = new Map<string, Map<number, Series>>();
    for (const ep of plan?.endpoints ?? []) {
      const byKpi = new Map<number, Series>();
      for (const kpi of ep.kpis) {
        const series = this.#ingest.store.ensure({ deviceUuid: st.uuid, deviceName: plan!.deviceName, endpoint: ep.name, kpi });
        if (!series) continue;
        series.active = true;
        byKpi.set(kpi, series);
      }
      lookup.set(ep.name, byKpi);
    }
    for (const [endpoint, byKpi] of st.lookup) {
      for (const [kpi, s] of byKpi) if (lookup.get(endpoint)?.get(kpi) !== s) s.active = false;
    }
    st.lookup = lookup;

    const remove = [...st.subscribed].filter(([k]) => !wanted.has(k)).map(([k, i]): StateSubscription => [k, 0, i]);
    const add = [...wanted].filter(([k, i]) => st.subscribed.get(k) !== i).map(([k, i]): StateSubscription => [k, 0, i]);
    if (remove.length > 0) {
      await this.#onDriver(st, (d) => d.unsubscribeState(remove));
      for (const [k] of remove) st.subscribed.delete(k);
    }
    if (add.length === 0) return;
    const results = await this.#onDriver(st, (d) => d.subscribeState(add));
    if (!results) return;
    const failed: string[] = [];
    add.forEach(([key, , interval], i) => {
      const r = results[i];
      if (r === true) st.subscribed.set(key, interval);
      else failed.push(`${key}: ${r?.message ?? 'no result'}`);
    });
    if (failed.length > 0) this.#log.warn({ device: st.uuid, failed }, 'some telemetry subscriptions were refused');
    this.#log.debug({ device: st.uuid, keys: st.subscribed.size, intervalS: plan?.intervalS }, 'telemetry subscribed');
  }

  /** Runs fn on this session's driver, in turn with the device's other operations; undefined if the session is gone. */
  async #onDriver<T>(st: DeviceState, fn: (d: Driver) => Promise<T>): Promise<T | undefined> {
    try {
      return await this.#sessions.withDriver(st.uuid, async (d) => (d === st.driver && !st.closed ? fn(d) : undefined));
    } catch (err) {
      if (st.closed) return undefined;
      throw err;
    }
  }
}
