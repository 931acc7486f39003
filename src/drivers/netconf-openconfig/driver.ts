import { CnsdnError } from '../../common/errors.js';
import type {
  Driver,
  DriverConnectConfig,
  EndpointInfo,
  Resource,
  ResourceResult,
  StateSample,
  StateSubscription,
} from '../../device/index.js';
import { type AnnouncedModel, endpointResources, isUnder, netconfAnnouncedModels, splitResourceKey } from '../../device/index.js';
import { parseResourceKey, parseStateKey, type ResourceRef } from '../gnmi-openconfig/index.js';
import { type Capabilities, NetconfClient, NetconfError, type Notification, type XmlElement } from '../../protocols/netconf/index.js';
import { warnOnce } from '../../protocols/yang/index.js';
import { breaksSession, toDriverError } from './errors.js';
import {
  ietfCounters,
  ietfDeleteTree,
  ietfEndpoints,
  ietfInterfaceNames,
  ietfInterfacesFilter,
  ietfNamesFilter,
  ietfResources,
  ietfSetTree,
  ietfStatisticsFilter,
  typedInterfaces,
} from './ietf.js';
import { deviceLibrary, importOnly, withLibrary } from './library.js';
import { type DeviceModels, modelsOf, validateBeforeCommit } from './models.js';
import { netconfYangRefusal } from './yang-check.js';
import { ocCounters, ocCountersFilter, ocDeleteTrees, ocEndpoints, ocInterfacesFilter, ocNetworkInstancesFilter, ocResources, ocSetTree } from './openconfig.js';
import { type NotificationSummary, summarizeNotification } from './notification-event.js';
import { type NetconfDriverSettings, parseNetconfSettings } from './settings.js';
import { CounterPoller, type CounterSubscription } from './telemetry.js';
import { applyEdits, SessionBroken, type TxEdit } from './transaction.js';
import type { XNode } from './xtree.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const LOCK_WAIT_MS = 5000;
const CLOSE_WAIT_MS = 1000;
const RESOURCE_ENDPOINTS = '__endpoints__';
const RESOURCE_INTERFACES = '__interfaces__';
const RESOURCE_NETWORK_INSTANCES = '__network_instances__';

/** A NETCONF notification the device sent (RFC 5277), e.g. ietf-netconf-notifications netconf-config-change. */
export interface DeviceNotification {
  eventTime: string;
  /** Local name and namespace of the event element. */
  name: string;
  namespace: string;
  /** The event element as XML. */
  xml: string;
  /** The RFC 5277 stream subscribed to (the default stream, NETCONF). */
  stream: string;
  /** Parsed summary, e.g. the edit targets of a netconf-config-change (notification-event.ts). */
  summary: NotificationSummary;
}

/** What one getConfig key reads (keys with the same filter share one get-config) and how its resources are picked. */
interface ReadPlan {
  filter: string;
  parse: (data: XmlElement) => Resource[];
  keep: (key: string) => boolean;
}

interface Session {
  client: NetconfClient;
  /** The hello's capabilities with the YANG library's modules merged into `modules` (library.ts). */
  caps: Capabilities;
  models: DeviceModels;
  target: 'candidate' | 'running';
  /** The modules the device announced: its hello's module capabilities and its YANG library. */
  announced: AnnouncedModel[];
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

function emitTo<T>(listeners: Iterable<(v: T) => void>, value: T): void {
  for (const l of [...listeners]) {
    try {
      l(value);
    } catch {
      // One failing listener must not starve the others.
    }
  }
}

/**
 * A session to one NETCONF device (TFS DEVICEDRIVER_OPENCONFIG). The device's hello decides
 * the models (OpenConfig when it announces openconfig-interfaces, else ietf-interfaces) and
 * the datastore (candidate + commit when offered unless force_running, else running).
 * Extra to the Driver SPI: onNotification() delivers the device's NETCONF notifications.
 */
export class NetconfOpenconfigDriver implements Driver {
  readonly #config: DriverConnectConfig;
  readonly #label: string;
  readonly #sinks = new Set<(sample: StateSample) => void>();
  readonly #disconnectListeners = new Set<(reason: Error) => void>();
  readonly #notificationListeners = new Set<(n: DeviceNotification) => void>();
  #settings?: NetconfDriverSettings;
  #session?: Session;
  #connecting?: Promise<void>;
  /** Bumped by disconnect, so a connect still in flight gives up its result. */
  #generation = 0;
  #interfaces?: Set<string>;
  #poller?: CounterPoller;
  #transactions: Promise<unknown> = Promise.resolve();

  constructor(config: DriverConnectConfig) {
    this.#config = config;
    this.#label = `${config.deviceName} at ${config.address}:${config.port}`;
  }

  get #timeoutMs(): number {
    return this.#settings?.timeoutMs ?? this.#config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The datastore edits go to, and the models in use, once connected. */
  get datastore(): 'candidate' | 'running' | undefined {
    return this.#session?.target;
  }

  get models(): DeviceModels | undefined {
    return this.#session?.models;
  }

  connect(): Promise<void> {
    if (this.#session) return Promise.resolve();
    if (this.#connecting) return this.#connecting;
    const attempt = this.#open(this.#generation).finally(() => {
      if (this.#connecting === attempt) this.#connecting = undefined;
    });
    this.#connecting = attempt;
    return attempt;
  }

  async #open(generation: number): Promise<void> {
    this.#settings = parseNetconfSettings(this.#config.settings);
    const { address, port } = this.#config;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new CnsdnError('INVALID_ARGUMENT', `device ${this.#config.deviceName}: _connect/port must be 1..65535, got ${port}`);
    }
    const s = this.#settings;
    let client: NetconfClient;
    try {
      client = await NetconfClient.connect({
        host: address,
        port,
        username: s.username,
        hostKey: s.hostKey,
        timeoutMs: this.#timeoutMs,
        rpcTimeoutMs: this.#timeoutMs,
        ...(s.password !== undefined ? { password: s.password } : {}),
        ...(s.privateKey !== undefined ? { privateKey: s.privateKey } : {}),
        ...(s.passphrase !== undefined ? { passphrase: s.passphrase } : {}),
        ...(s.agent !== undefined ? { agent: s.agent } : {}),
        ...(s.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: s.keepaliveIntervalMs } : {}),
        ...(s.keepaliveCountMax !== undefined ? { keepaliveCountMax: s.keepaliveCountMax } : {}),
        ...(s.maxMessageBytes !== undefined ? { maxMessageBytes: s.maxMessageBytes } : {}),
      });
    } catch (e) {
      throw toDriverError(e, `NETCONF connect to ${this.#label}`);
    }
    if (generation !== this.#generation) {
      void client.close(CLOSE_WAIT_MS);
      throw new CnsdnError('DEVICE_UNREACHABLE', `connect to ${this.#label} was cancelled by disconnect`);
    }
    const { caps, importOnly: imported } = await this.#withLibrary(client);
    if (generation !== this.#generation) {
      void client.close(CLOSE_WAIT_MS);
      throw new CnsdnError('DEVICE_UNREACHABLE', `connect to ${this.#label} was cancelled by disconnect`);
    }
    const target = caps.candidate && !(s.forceRunning && caps.writableRunning) ? 'candidate' : 'running';
    // Modules the library lists as only imported serve no data nodes: they do not pick the models written.
    const implemented = imported.size === 0 ? caps : { ...caps, modules: caps.modules.filter((m) => !imported.has(m.module)) };
    const session: Session = { client, caps, models: modelsOf(implemented), target, announced: netconfAnnouncedModels(caps.modules) };
    this.#session = session;
    client.on('close', (reason) => this.#lost(session, reason ?? new Error('the device closed the session')));
    client.on('notification', (n: Notification) => this.#notify(n));
    if (s.notifications && caps.notification && caps.interleave) {
      // Notifications are a bonus: a device refusing the subscription still configures fine.
      await client.createSubscription().catch(() => undefined);
    }
  }

  /**
   * The hello's capabilities, with the modules of the device's YANG library merged in when it
   * announces one. A library the device refuses or garbles is logged and left out, unless the hello
   * lists no module either (nothing would be known of the device): then the connect fails.
   */
  async #withLibrary(client: NetconfClient): Promise<{ caps: Capabilities; importOnly: ReadonlySet<string> }> {
    const caps = client.capabilities;
    if (!caps.yangLibrary) return { caps, importOnly: new Set() };
    let read: Awaited<ReturnType<typeof deviceLibrary>>;
    try {
      read = await deviceLibrary(`${this.#config.address}:${this.#config.port}`, client);
    } catch (e) {
      void client.close(CLOSE_WAIT_MS);
      throw toDriverError(e, `reading the YANG library of ${this.#label}`);
    }
    if (read.problem) {
      if (caps.modules.length === 0) {
        void client.close(CLOSE_WAIT_MS);
        throw new CnsdnError('DRIVER_ERROR', `${this.#label} announces its modules only through its YANG library, which could not be read: ${read.problem.message}`, [], { cause: read.problem });
      }
      warnOnce(`netconf-yang-library:${this.#label}`, `the YANG library of ${this.#label} could not be read (the hello's modules are used): ${read.problem.message}`);
      return { caps, importOnly: new Set() };
    }
    return { caps: withLibrary(caps, read.library), importOnly: importOnly(read.library) };
  }

  #notify(n: Notification): void {
    if (!n.event) return;
    emitTo(this.#notificationListeners, {
      eventTime: n.eventTime,
      name: n.event.name,
      namespace: n.event.ns,
      xml: n.xml,
      stream: 'NETCONF',
      summary: summarizeNotification(n.event),
    });
  }

  #lost(session: Session, reason: Error): void {
    if (this.#session !== session) return;
    this.#session = undefined;
    this.#stopTelemetry();
    session.client.session.fail(new NetconfError('NETCONF_CLOSED', `session abandoned: ${reason.message}`));
    const error = new CnsdnError('DEVICE_UNREACHABLE', `NETCONF session to ${this.#label} lost: ${reason.message}`, [], { cause: reason });
    emitTo(this.#disconnectListeners, error);
  }

  async announcedModels(): Promise<AnnouncedModel[]> {
    return this.#need('announced models').announced.map((m) => ({ ...m }));
  }

  async disconnect(): Promise<void> {
    this.#generation += 1;
    this.#stopTelemetry();
    const session = this.#session;
    this.#session = undefined;
    if (session) await session.client.close(CLOSE_WAIT_MS).catch(() => undefined);
  }

  #stopTelemetry(): void {
    this.#poller?.stop();
    this.#poller = undefined;
  }

  #need(op: string): Session {
    const s = this.#session;
    if (!s) throw new CnsdnError('DEVICE_UNREACHABLE', `${op} on ${this.#label}: not connected`);
    return s;
  }

  /** Runs one read; a failure that breaks the session ends it, and every failure comes back coded. */
  async #read(session: Session, what: string, fn: (c: NetconfClient) => Promise<{ element: XmlElement }>): Promise<XmlElement> {
    try {
      return (await fn(session.client)).element;
    } catch (e) {
      if (breaksSession(e)) this.#lost(session, asError(e));
      throw toDriverError(e, `${what} on ${this.#label}`);
    }
  }

  async discoverEndpoints(): Promise<EndpointInfo[]> {
    const session = this.#need('discoverEndpoints');
    let endpoints: EndpointInfo[];
    if (session.models.interfaces === 'openconfig') {
      endpoints = ocEndpoints(await this.#read(session, 'get interfaces', (c) => c.get({ filter: { subtree: ocInterfacesFilter() } })));
    } else if (session.models.interfaces === 'ietf') {
      endpoints = ietfEndpoints(await this.#read(session, 'get interfaces-state', (c) => c.get({ filter: { subtree: `<interfaces-state xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"/>` } })));
    } else {
      throw new CnsdnError('DRIVER_ERROR', `${this.#label} offers neither openconfig-interfaces nor ietf-interfaces: no endpoints can be discovered`);
    }
    this.#interfaces = new Set(endpoints.map((e) => e.name));
    return endpoints;
  }

  getInitialConfig(): Promise<Resource[]> {
    return this.getConfig() as Promise<Resource[]>;
  }

  #filterFor(session: Session, key: string): ReadPlan {
    const m = session.models;
    const all = () => true;
    if (key === RESOURCE_INTERFACES) {
      if (m.interfaces === 'openconfig') return { filter: ocInterfacesFilter(), parse: ocResources, keep: all };
      if (m.interfaces === 'ietf') return { filter: ietfInterfacesFilter(), parse: ietfResources, keep: all };
      throw new CnsdnError('DRIVER_ERROR', `${this.#label} offers neither openconfig-interfaces nor ietf-interfaces`);
    }
    if (key === RESOURCE_NETWORK_INSTANCES) {
      if (!m.networkInstances) throw new CnsdnError('INVALID_ARGUMENT', `${key}: unsupported by this device: ${this.#label} does not offer openconfig-network-instance`);
      return { filter: ocNetworkInstancesFilter(), parse: ocResources, keep: all };
    }
    const ref = parseResourceKey(key);
    const wanted = splitResourceKey(key);
    const keep = (k: string) => isUnder(splitResourceKey(k), wanted);
    if (ref.kind === 'interface' || ref.kind === 'subinterface') {
      if (m.interfaces === 'openconfig') return { filter: ocInterfacesFilter(ref.ifName), parse: ocResources, keep };
      if (m.interfaces === 'ietf') return { filter: ietfInterfacesFilter(), parse: ietfResources, keep };
      throw new CnsdnError('DRIVER_ERROR', `${this.#label} offers neither openconfig-interfaces nor ietf-interfaces`);
    }
    if (!m.networkInstances) {
      throw new CnsdnError('INVALID_ARGUMENT', `resource ${key}: unsupported by this device: network instances need openconfig-network-instance, which ${this.#label} does not offer`);
    }
    return { filter: ocNetworkInstancesFilter(ref.ni), parse: ocResources, keep };
  }

  async getConfig(keys: readonly string[] = []): Promise<Array<[string, unknown]>> {
    const session = this.#need('getConfig');
    if (keys.length === 0) keys = session.models.networkInstances ? [RESOURCE_INTERFACES, RESOURCE_NETWORK_INSTANCES] : [RESOURCE_INTERFACES];
    const reads = new Map<string, Promise<XmlElement>>();
    const read = (filter: string): Promise<XmlElement> => {
      let r = reads.get(filter);
      if (!r) {
        r = this.#read(session, 'get-config running', (c) => c.getConfig('running', { filter: { subtree: filter } }));
        r.catch(() => undefined);
        reads.set(filter, r);
      }
      return r;
    };
    const parts = await Promise.all(
      keys.map(async (key): Promise<Array<[string, unknown]>> => {
        if (key === RESOURCE_ENDPOINTS) {
          return endpointResources(await this.discoverEndpoints());
        }
        let plan: ReadPlan;
        try {
          plan = this.#filterFor(session, key);
        } catch (e) {
          return [[key, asError(e)]];
        }
        try {
          return plan.parse(await read(plan.filter)).filter(([k]) => plan.keep(k));
        } catch (e) {
          if (e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE') throw e;
          return [[key, asError(e)]];
        }
      }),
    );
    return parts.flat();
  }

  #trees(session: Session, op: 'set' | 'delete', key: string, value: unknown, known: ReadonlySet<string>): XNode[] {
    const ref: ResourceRef = parseResourceKey(key);
    const m = session.models;
    const oc = () => (op === 'set' ? [ocSetTree(key, ref, value, m)] : ocDeleteTrees(key, ref, value, m));
    if (ref.kind !== 'interface' && ref.kind !== 'subinterface') {
      if (m.networkInstances) return oc();
      throw new CnsdnError('INVALID_ARGUMENT', `resource ${key}: unsupported by this device: network instances need openconfig-network-instance, which ${this.#label} does not offer`);
    }
    if (m.interfaces === 'openconfig') return oc();
    if (m.interfaces === 'ietf') return [op === 'set' ? ietfSetTree(key, ref, value, m, known) : ietfDeleteTree(key, ref, value, m)];
    throw new CnsdnError('INVALID_ARGUMENT', `resource ${key}: unsupported by this device: ${this.#label} offers neither openconfig-interfaces nor ietf-interfaces`);
  }

  /** Interfaces that exist, or that the batch types explicitly: no default `type` is sent for them. */
  async #knownIetfInterfaces(session: Session, resources: readonly Resource[]): Promise<Set<string>> {
    const refs = resources.map(([key, value]): [ResourceRef | undefined, unknown] => {
      try {
        return [parseResourceKey(key), value];
      } catch {
        return [undefined, value];
      }
    });
    if (!refs.some(([r]) => r?.kind === 'interface' || r?.kind === 'subinterface')) return new Set();
    const data = await this.#read(session, 'get-config interface names', (c) => c.getConfig('running', { filter: { subtree: ietfNamesFilter() } }));
    return new Set([...ietfInterfaceNames(data), ...typedInterfaces(refs)]);
  }

  /** Serialises transactions on the session: each holds the datastore lock from start to end. */
  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#transactions.then(fn, fn);
    this.#transactions = run.catch(() => undefined);
    return run;
  }

  async #transaction(op: 'set' | 'delete', resources: readonly Resource[]): Promise<ResourceResult[]> {
    const session = this.#need(op === 'set' ? 'setConfig' : 'deleteConfig');
    if (resources.length === 0) return [];
    const perResource = this.#settings?.commitPerRule ?? false;
    const known = op === 'set' && session.models.interfaces === 'ietf' ? await this.#knownIetfInterfaces(session, resources) : new Set<string>();
    const built = await Promise.all(
      resources.map(async ([key, value]): Promise<TxEdit | Error> => {
        try {
          const trees = this.#trees(session, op, key, value, known);
          return (op === 'set' && (await netconfYangRefusal(this.#label, session.caps, trees, session.client))) || { key, trees };
        } catch (e) {
          return asError(e);
        }
      }),
    );
    const firstBad = built.findIndex((b) => b instanceof Error);
    if (firstBad >= 0 && !perResource) {
      const bad = built[firstBad] as Error;
      const because = new CnsdnError(
        'INVALID_ARGUMENT',
        `not applied: the batch is one transaction and resource #${firstBad} (${JSON.stringify(resources[firstBad][0])}) is invalid: ${bad.message}`,
      );
      return built.map((b) => (b instanceof Error ? b : because));
    }
    const edits = built.filter((b): b is TxEdit => !(b instanceof Error));
    const applied = await this.#serialized(async () => {
      const current = this.#need(op === 'set' ? 'setConfig' : 'deleteConfig');
      try {
        return await applyEdits(current.client, edits, {
          target: current.target,
          perResource,
          rollbackOnError: current.client.capabilities.rollbackOnError,
          validate: current.target === 'candidate' && validateBeforeCommit(current.caps),
          lockWaitMs: Math.min(LOCK_WAIT_MS, this.#timeoutMs),
          label: this.#label,
        });
      } catch (e) {
        if (!(e instanceof SessionBroken)) throw e;
        this.#lost(current, e.error);
        return edits.map(() => e.error);
      }
    });
    let next = 0;
    return built.map((b) => (b instanceof Error ? b : applied[next++]));
  }

  setConfig(resources: readonly Resource[]): Promise<ResourceResult[]> {
    return this.#transaction('set', resources);
  }

  deleteConfig(resources: readonly Resource[]): Promise<ResourceResult[]> {
    return this.#transaction('delete', resources);
  }

  async #readCounters(ifNames: readonly string[]): Promise<Map<string, Record<string, number>>> {
    const session = this.#need('counter poll');
    if (session.models.interfaces === 'openconfig') {
      return ocCounters(await this.#read(session, 'get counters', (c) => c.get({ filter: { subtree: ocCountersFilter(ifNames) } })));
    }
    return ietfCounters(await this.#read(session, 'get statistics', (c) => c.get({ filter: { subtree: ietfStatisticsFilter(ifNames) } })));
  }

  async #knownInterface(name: string): Promise<boolean> {
    if (this.#interfaces?.has(name)) return true;
    await this.discoverEndpoints();
    return this.#interfaces?.has(name) ?? false;
  }

  async subscribeState(subscriptions: readonly StateSubscription[]): Promise<ResourceResult[]> {
    this.#need('subscribeState');
    const parsed: Array<CounterSubscription | Error> = [];
    for (const [key, durationS, intervalS] of subscriptions) {
      try {
        const sub = parseStateKey(key, durationS, intervalS);
        if (!(await this.#knownInterface(sub.endpoint))) {
          throw new CnsdnError('INVALID_ARGUMENT', `state subscription ${key}: ${this.#label} has no interface ${sub.endpoint}`);
        }
        parsed.push(sub);
      } catch (e) {
        if (e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE') throw e;
        parsed.push(asError(e));
      }
    }
    this.#need('subscribeState');
    this.#poller ??= new CounterPoller(
      (names) => this.#readCounters(names),
      (sample) => emitTo(this.#sinks, sample),
      // A poll that broke the session has already ended it (#read); others are retried at the next interval.
      () => undefined,
    );
    for (const p of parsed) if (!(p instanceof Error)) this.#poller.add(p);
    return parsed.map((p) => (p instanceof Error ? p : true));
  }

  async unsubscribeState(subscriptions: readonly StateSubscription[]): Promise<ResourceResult[]> {
    this.#need('unsubscribeState');
    return subscriptions.map(([key, durationS, intervalS]) => {
      try {
        const sub = parseStateKey(key, durationS, intervalS);
        this.#poller?.remove(sub.key);
        return true;
      } catch (e) {
        return asError(e);
      }
    });
  }

  /** Keys of the active counter subscriptions. */
  subscriptionKeys(): string[] {
    return this.#poller?.keys ?? [];
  }

  onSample(sink: (sample: StateSample) => void): () => void {
    const wrapped = (s: StateSample) => sink(s);
    this.#sinks.add(wrapped);
    return () => this.#sinks.delete(wrapped);
  }

  onDisconnect(listener: (reason: Error) => void): () => void {
    const wrapped = (e: Error) => listener(e);
    this.#disconnectListeners.add(wrapped);
    return () => this.#disconnectListeners.delete(wrapped);
  }

  /** NETCONF notifications of the device (when it offers :notification and :interleave, and setting `notifications` is not false). */
  onNotification(listener: (n: DeviceNotification) => void): () => void {
    const wrapped = (n: DeviceNotification) => listener(n);
    this.#notificationListeners.add(wrapped);
    return () => this.#notificationListeners.delete(wrapped);
  }
}
