/**
 * A driver whose code is loaded when its first session connects. The gNMI and NETCONF drivers
 * bring gRPC, protobuf, SSH and YANG along (~35 MB of a controller's idle RSS); a controller that
 * manages none of those devices never loads them.
 */
import { announcedModelsOf } from './announced-models.js';
import type { Driver, DriverConnectConfig, DriverFactory, Resource, StateSample, StateSubscription } from './api.js';

export function lazyDriverFactory(names: readonly string[], usesNetwork: boolean, load: () => Promise<DriverFactory>): DriverFactory {
  let loading: Promise<DriverFactory> | undefined;
  const factory = () => {
    loading ??= load().catch((e: unknown) => {
      loading = undefined; // a failed load is tried again on the next connect
      throw e;
    });
    return loading;
  };
  return { names, usesNetwork, create: (config) => new LazyDriver(config, factory) };
}

interface Pending<L> {
  listener: L;
  off?: () => void;
}

/** Listeners given before the driver exists are handed to it when it is made; later ones go straight to it. */
class Listeners<L> {
  readonly #pending = new Set<Pending<L>>();
  #attach: ((listener: L) => () => void) | undefined;

  add(listener: L): () => void {
    if (this.#attach) return this.#attach(listener);
    const p: Pending<L> = { listener };
    this.#pending.add(p);
    return () => {
      this.#pending.delete(p);
      p.off?.();
    };
  }

  attach(to: (listener: L) => () => void): void {
    this.#attach = to;
    for (const p of this.#pending) p.off = to(p.listener);
  }
}

class LazyDriver implements Driver {
  readonly #config: DriverConnectConfig;
  readonly #factory: () => Promise<DriverFactory>;
  #driver: Promise<Driver> | undefined;
  readonly #samples = new Listeners<(sample: StateSample) => void>();
  readonly #disconnects = new Listeners<(reason: Error) => void>();
  readonly #notifications = new Listeners<(notification: unknown) => void>();

  constructor(config: DriverConnectConfig, factory: () => Promise<DriverFactory>) {
    this.#config = config;
    this.#factory = factory;
  }

  #real(): Promise<Driver> {
    this.#driver ??= this.#factory().then((f) => {
      const d = f.create(this.#config);
      // Samples then flow from the driver to its listeners with nothing in between.
      this.#samples.attach((l) => d.onSample(l));
      this.#disconnects.attach((l) => d.onDisconnect(l));
      // Device notifications (the NETCONF driver's onNotification), for drivers that have them.
      const notifying = d as Driver & { onNotification?: (l: (n: unknown) => void) => () => void };
      this.#notifications.attach((l) => (notifying.onNotification ? notifying.onNotification(l) : () => undefined));
      return d;
    });
    return this.#driver;
  }

  async connect(): Promise<void> {
    await (await this.#real()).connect();
  }

  async disconnect(): Promise<void> {
    // Never connected: nothing to load, nothing to close.
    if (this.#driver) await (await this.#driver).disconnect();
  }

  async discoverEndpoints() {
    return (await this.#real()).discoverEndpoints();
  }

  async announcedModels() {
    return announcedModelsOf(await this.#real());
  }

  async getInitialConfig() {
    return (await this.#real()).getInitialConfig();
  }

  async getConfig(keys?: readonly string[]) {
    return (await this.#real()).getConfig(keys);
  }

  async setConfig(resources: readonly Resource[]) {
    return (await this.#real()).setConfig(resources);
  }

  async deleteConfig(resources: readonly Resource[]) {
    return (await this.#real()).deleteConfig(resources);
  }

  async subscribeState(subscriptions: readonly StateSubscription[]) {
    return (await this.#real()).subscribeState(subscriptions);
  }

  async unsubscribeState(subscriptions: readonly StateSubscription[]) {
    return (await this.#real()).unsubscribeState(subscriptions);
  }

  onSample(sink: (sample: StateSample) => void): () => void {
    return this.#samples.add(sink);
  }

  onDisconnect(listener: (reason: Error) => void): () => void {
    return this.#disconnects.add(listener);
  }

  /** Device notifications of the loaded driver, when it delivers any (NETCONF); never called otherwise. */
  onNotification(listener: (notification: unknown) => void): () => void {
    return this.#notifications.add(listener);
  }
}
