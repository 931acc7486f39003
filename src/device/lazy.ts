/**
 * A driver whose code is loaded when its first session connects. The gNMI and NETCONF drivers
 * bring gRPC, protobuf, SSH and YANG along (~35 MB of a controller's idle RSS); a controller that
 * manages none of those devices never loads them.
 */
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

class LazyDriver implements Driver {
  readonly #config: DriverConnectConfig;
  readonly #factory: () => Promise<DriverFactory>;
  #driver: Promise<Driver> | undefined;
  readonly #sinks = new Set<(sample: StateSample) => void>();
  readonly #listeners = new Set<(reason: Error) => void>();

  constructor(config: DriverConnectConfig, factory: () => Promise<DriverFactory>) {
    this.#config = config;
    this.#factory = factory;
  }

  #real(): Promise<Driver> {
    this.#driver ??= this.#factory().then((f) => {
      const d = f.create(this.#config);
      d.onSample((s) => {
        for (const sink of this.#sinks) sink(s);
      });
      d.onDisconnect((e) => {
        for (const l of this.#listeners) l(e);
      });
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
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  onDisconnect(listener: (reason: Error) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
