import { CnsdnError } from '../common/errors.js';
import type {
  AnnouncedModel,
  Driver,
  DriverConnectConfig,
  DriverFactory,
  EndpointInfo,
  Resource,
  ResourceResult,
  StateSample,
  StateSubscription,
} from './api.js';
import { type EmulatedEndpoint, type EmulatedSettings, parseEmulatedSettings } from './emulated-settings.js';
import { counterKey, isByteCounter } from './kpi.js';
import { isUnder, splitResourceKey } from './resource-key.js';

interface StoredResource {
  segments: string[];
  value: unknown;
}

interface Subscription {
  interval: NodeJS.Timeout;
  expiry?: NodeJS.Timeout;
}

const INTERFACE_SEGMENT = /^interface\[(.+)\]$/;
const ENDPOINT_SEGMENT = /^endpoint\[(.+)\]$/;
const MIN_INTERVAL_S = 0.001;

function invalid(message: string): CnsdnError {
  return new CnsdnError('INVALID_ARGUMENT', message);
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * An in-memory device (TFS DEVICEDRIVER_UNDEFINED). Endpoints come from settings, config
 * is a resource tree kept for the life of the driver, and subscriptions produce synthetic,
 * monotonically increasing counters. It opens no sockets.
 */
export class EmulatedDriver implements Driver {
  readonly #config: DriverConnectConfig;
  readonly #tree = new Map<string, StoredResource>();
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #counters = new Map<string, number>();
  readonly #sampleSinks = new Set<(sample: StateSample) => void>();
  readonly #disconnectListeners = new Set<(reason: Error) => void>();
  #settings: EmulatedSettings | undefined;
  #connected = false;
  #connecting: Promise<void> | undefined;
  #abortConnect: ((reason: Error) => void) | undefined;

  constructor(config: DriverConnectConfig) {
    this.#config = config;
  }

  connect(): Promise<void> {
    if (this.#connected) return Promise.resolve();
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
      this.#abortConnect = undefined;
    });
    return this.#connecting;
  }

  async #open(): Promise<void> {
    const settings = parseEmulatedSettings(this.#config.settings);
    if (settings.connectDelayMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, settings.connectDelayMs);
        this.#abortConnect = (reason) => {
          clearTimeout(timer);
          reject(reason);
        };
      });
    }
    if (settings.failConnect) {
      throw new CnsdnError('DEVICE_UNREACHABLE', `emulated device ${this.#label()} refused the connection (settings.fail_connect)`);
    }
    this.#settings = settings;
    for (const ep of settings.endpoints) this.#store(`/endpoints/endpoint[${ep.name}]`, endpointResource(ep));
    this.#connected = true;
  }

  async disconnect(): Promise<void> {
    this.#abortConnect?.(new CnsdnError('DEVICE_UNREACHABLE', `emulated device ${this.#label()}: disconnected while connecting`));
    for (const sub of this.#subscriptions.values()) stopSubscription(sub);
    this.#subscriptions.clear();
    this.#connected = false;
  }

  /** An emulated device announces no YANG models. */
  async announcedModels(): Promise<AnnouncedModel[]> {
    this.#requireConnected();
    return [];
  }

  async discoverEndpoints(): Promise<EndpointInfo[]> {
    const settings = this.#requireConnected();
    return settings.endpoints.map((ep) => ({
      name: ep.name,
      type: ep.type,
      sampleTypes: [...ep.sampleTypes],
      ...(ep.location ? { location: structuredClone(ep.location) } : {}),
    }));
  }

  async getInitialConfig(): Promise<Resource[]> {
    this.#requireConnected();
    return this.#dump(() => true);
  }

  async getConfig(keys: readonly string[] = []): Promise<Array<[string, unknown]>> {
    this.#requireConnected();
    if (keys.length === 0) return this.#dump(() => true);
    const out: Array<[string, unknown]> = [];
    for (const key of keys) {
      let prefix: string[];
      try {
        prefix = splitResourceKey(key);
      } catch (e) {
        out.push([key, asError(e)]);
        continue;
      }
      out.push(...this.#dump((segments) => isUnder(segments, prefix)));
    }
    return out;
  }

  async setConfig(resources: readonly Resource[]): Promise<ResourceResult[]> {
    this.#requireConnected();
    const prepared = resources.map(([key, value]): { key: string; value: unknown } | Error => {
      try {
        splitResourceKey(key);
        if (value === undefined) throw invalid(`resource "${key}" has no value`);
        return { key, value: structuredClone(value) };
      } catch (e) {
        return e instanceof CnsdnError ? e : invalid(`resource "${key}": value cannot be stored (${asError(e).message})`);
      }
    });
    const rejected = transactionOutcome(prepared);
    if (rejected) return rejected;
    for (const p of prepared as Array<{ key: string; value: unknown }>) this.#store(p.key, p.value);
    return prepared.map(() => true);
  }

  async deleteConfig(resources: readonly Resource[]): Promise<ResourceResult[]> {
    this.#requireConnected();
    const prepared = resources.map(([key]): string[] | Error => {
      try {
        return splitResourceKey(key);
      } catch (e) {
        return asError(e);
      }
    });
    const rejected = transactionOutcome(prepared);
    if (rejected) return rejected;
    for (const prefix of prepared as string[][]) {
      for (const [key, stored] of this.#tree) {
        if (isUnder(stored.segments, prefix)) this.#tree.delete(key);
      }
    }
    return prepared.map(() => true);
  }

  async subscribeState(subscriptions: readonly StateSubscription[]): Promise<ResourceResult[]> {
    const settings = this.#requireConnected();
    return subscriptions.map(([key, durationS, intervalS]) => {
      try {
        const endpoint = this.#subscribedEndpoint(settings, key);
        if (!Number.isFinite(intervalS) || intervalS < MIN_INTERVAL_S) {
          throw invalid(`subscription "${key}": sampling interval must be at least ${MIN_INTERVAL_S} s`);
        }
        if (endpoint.sampleTypes.length === 0) {
          throw invalid(`subscription "${key}": endpoint "${endpoint.name}" has no sample types`);
        }
        this.#stopSubscription(key);
        const sub: Subscription = { interval: setInterval(() => this.#emit(endpoint), intervalS * 1000).unref() };
        if (Number.isFinite(durationS) && durationS > 0) {
          sub.expiry = setTimeout(() => this.#stopSubscription(key), durationS * 1000).unref();
        }
        this.#subscriptions.set(key, sub);
        return true;
      } catch (e) {
        return asError(e);
      }
    });
  }

  async unsubscribeState(subscriptions: readonly StateSubscription[]): Promise<ResourceResult[]> {
    const settings = this.#requireConnected();
    return subscriptions.map(([key]) => {
      try {
        this.#subscribedEndpoint(settings, key);
        this.#stopSubscription(key);
        return true;
      } catch (e) {
        return asError(e);
      }
    });
  }

  onSample(sink: (sample: StateSample) => void): () => void {
    this.#sampleSinks.add(sink);
    return () => this.#sampleSinks.delete(sink);
  }

  /** Never fires on its own: an emulated session does not drop. Kept for the SPI. */
  onDisconnect(listener: (reason: Error) => void): () => void {
    this.#disconnectListeners.add(listener);
    return () => this.#disconnectListeners.delete(listener);
  }

  #label(): string {
    return `${this.#config.deviceName} (${this.#config.deviceUuid})`;
  }

  #requireConnected(): EmulatedSettings {
    if (!this.#connected || !this.#settings) {
      throw new CnsdnError('DEVICE_UNREACHABLE', `emulated device ${this.#label()} is not connected`);
    }
    return this.#settings;
  }

  #store(key: string, value: unknown): void {
    this.#tree.set(key, { segments: splitResourceKey(key), value });
  }

  #dump(select: (segments: readonly string[]) => boolean): Array<[string, unknown]> {
    const keys = [...this.#tree.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: Array<[string, unknown]> = [];
    for (const key of keys) {
      const stored = this.#tree.get(key)!;
      if (select(stored.segments)) out.push([key, structuredClone(stored.value)]);
    }
    return out;
  }

  #subscribedEndpoint(settings: EmulatedSettings, key: string): EmulatedEndpoint {
    const segments = splitResourceKey(key);
    const name =
      segments.length === 1
        ? INTERFACE_SEGMENT.exec(segments[0]!)?.[1]
        : segments.length === 2 && segments[0] === 'endpoints'
          ? ENDPOINT_SEGMENT.exec(segments[1]!)?.[1]
          : undefined;
    if (name === undefined) {
      throw invalid(`subscription key "${key}" must be "/interface[NAME]" or "/endpoints/endpoint[NAME]"`);
    }
    const endpoint = settings.endpoints.find((ep) => ep.name === name);
    if (!endpoint) throw invalid(`subscription "${key}": device ${this.#label()} has no endpoint "${name}"`);
    return endpoint;
  }

  #stopSubscription(key: string): void {
    const sub = this.#subscriptions.get(key);
    if (!sub) return;
    stopSubscription(sub);
    this.#subscriptions.delete(key);
  }

  #emit(endpoint: EmulatedEndpoint): void {
    const ts = Date.now();
    for (const sampleType of endpoint.sampleTypes) {
      const counter = `${endpoint.name}\u0000${sampleType}`;
      const packets = 1 + Math.floor(Math.random() * 100);
      const step = isByteCounter(sampleType) ? packets * (64 + Math.floor(Math.random() * 1437)) : packets;
      const value = (this.#counters.get(counter) ?? 0) + step;
      this.#counters.set(counter, value);
      const sample: StateSample = { ts, key: counterKey(endpoint.name, sampleType), value, endpoint: endpoint.name, sampleType };
      for (const sink of this.#sampleSinks) {
        try {
          sink(sample);
        } catch {
          // A failing sink must not stop sampling for the other sinks.
        }
      }
    }
  }
}

function endpointResource(ep: EmulatedEndpoint): Record<string, unknown> {
  return {
    uuid: ep.uuid,
    type: ep.type,
    sample_types: [...ep.sampleTypes],
    ...(ep.named ? { name: ep.name } : {}),
    ...(ep.location ? { location: structuredClone(ep.location) } : {}),
  };
}

function stopSubscription(sub: Subscription): void {
  clearInterval(sub.interval);
  if (sub.expiry) clearTimeout(sub.expiry);
}

/** All-or-nothing: if any resource is invalid, none is applied and every result says why. */
function transactionOutcome(prepared: ReadonlyArray<unknown>): ResourceResult[] | undefined {
  const firstBad = prepared.findIndex((p) => p instanceof Error);
  if (firstBad < 0) return undefined;
  return prepared.map((p) =>
    p instanceof Error ? p : invalid(`not applied: resource #${firstBad} is invalid (${(prepared[firstBad] as Error).message})`),
  );
}

export const emulatedDriverFactory: DriverFactory = {
  names: ['DEVICEDRIVER_UNDEFINED'],
  usesNetwork: false,
  create: (config) => new EmulatedDriver(config),
};
