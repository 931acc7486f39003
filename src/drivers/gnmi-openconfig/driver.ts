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
import { type AnnouncedModel, endpointResources, gnmiAnnouncedModels, isUnder, splitResourceKey } from '../../device/index.js';
import {
  GnmiClient,
  GnmiError,
  type GnmiNotification,
  type GnmiPath,
  type GnmiSubscription,
  LeafPathCache,
  type LeafSink,
  notificationsToTree,
  pathToString,
} from '../../protocols/gnmi/index.js';
import { composeDelete, composeUpdate } from './compose.js';
import { endpointsFromInterfaces } from './endpoints.js';
import { isConnectionLoss, toDriverError } from './errors.js';
import { parseResourceKey, RESOURCE_ENDPOINTS, RESOURCE_INTERFACES, RESOURCE_NETWORK_INSTANCES, type ResourceRef } from './keys.js';
import { renderInterfaces, renderNetworkInstances } from './render.js';
import { type GnmiDriverSettings, parseGnmiSettings } from './settings.js';
import { type CounterLeaf, type CounterSubscription, counterLeaf, counterSample, parseStateKey, streamSpecs } from './telemetry.js';
import { GnmiYangCheck } from './yang-check.js';

const DEFAULT_TIMEOUT_MS = 10_000;
/** Counter paths → sample keys, for every session of the process: counterLeaf depends on the path alone. */
const COUNTER_PATHS = new LeafPathCache<CounterLeaf>(200_000);

interface Session {
  client: GnmiClient;
  closed: boolean;
  /** The models the target announced in its CapabilityResponse. */
  announced: AnnouncedModel[];
  /** Stops listening for the loss of the channel's connection. */
  unwatch?: () => void;
  telemetry?: GnmiSubscription;
}

interface ActiveSubscription extends CounterSubscription {
  expiry?: NodeJS.Timeout;
}

/** What one getConfig key reads and how its resources are picked from the answer. */
interface ReadPlan {
  path: GnmiPath;
  render: (tree: unknown) => Resource[];
  keep: (key: string) => boolean;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CnsdnError('DEVICE_UNREACHABLE', `${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A session to one gNMI device speaking OpenConfig (TFS DEVICEDRIVER_GNMI_OPENCONFIG).
 * Counter subscriptions belong to the instance: when the same instance connects again they
 * are streamed again. The session manager makes a new instance per reconnect; there the
 * telemetry service re-applies its subscriptions from SessionManager.onSession.
 */
export class GnmiOpenconfigDriver implements Driver {
  readonly #config: DriverConnectConfig;
  readonly #label: string;
  /** Sample sinks, replaced (not changed) when one is added or removed, so a delivery walks a stable list. */
  #sinks: ReadonlyArray<(sample: StateSample) => void> = [];
  readonly #disconnectListeners = new Set<(reason: Error) => void>();
  readonly #subscriptions = new Map<string, ActiveSubscription>();
  #settings?: GnmiDriverSettings;
  #session?: Session;
  #connecting?: Promise<void>;
  /** Bumped by disconnect, so a connect still in flight gives up its result. */
  #generation = 0;
  #connectingGeneration = 0;
  #interfaces?: Set<string>;
  #subscriptionChain: Promise<unknown> = Promise.resolve();
  readonly #yang = new GnmiYangCheck();

  constructor(config: DriverConnectConfig) {
    this.#config = config;
    this.#label = `${config.deviceName} at ${config.address}:${config.port}`;
  }

  get #timeoutMs(): number {
    return this.#settings?.timeoutMs ?? this.#config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  connect(): Promise<void> {
    if (this.#session) return Promise.resolve();
    if (this.#connecting && this.#connectingGeneration === this.#generation) return this.#connecting;
    // A connect that a disconnect cancelled is let finish (it closes its client) before the next starts.
    const cancelled = this.#connecting ?? Promise.resolve();
    const generation = this.#generation;
    const attempt: Promise<void> = cancelled
      .catch(() => undefined)
      .then(() => (this.#session ? undefined : this.#open(generation)))
      .finally(() => {
        if (this.#connecting === attempt) this.#connecting = undefined;
      });
    this.#connecting = attempt;
    this.#connectingGeneration = this.#generation;
    return attempt;
  }

  async #open(generation: number): Promise<void> {
    if (generation !== this.#generation) throw this.#cancelled();
    this.#settings = parseGnmiSettings(this.#config.settings);
    const { address, port } = this.#config;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new CnsdnError('INVALID_ARGUMENT', `device ${this.#config.deviceName}: _connect/port must be 1..65535, got ${port}`);
    }
    const s = this.#settings;
    let client: GnmiClient;
    try {
      client = await GnmiClient.connect({
        address: address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`,
        tls: s.tls,
        timeoutMs: this.#timeoutMs,
        ...(s.username !== undefined ? { username: s.username } : {}),
        ...(s.password !== undefined ? { password: s.password } : {}),
      });
    } catch (e) {
      throw toDriverError(e, `gNMI connect to ${this.#label}`);
    }
    const session: Session = { client, closed: false, announced: [] };
    try {
      if (generation !== this.#generation) throw this.#cancelled();
      const caps = await client.capabilities().catch((e: unknown) => {
        throw toDriverError(e, `gNMI Capabilities on ${this.#label}`);
      });
      this.#yang.setAnnounced(caps.models);
      session.announced = gnmiAnnouncedModels(caps.models);
      if (generation !== this.#generation) throw this.#cancelled();
      this.#session = session;
      this.#watch(session);
      if (this.#subscriptions.size > 0) await this.#serialized(() => this.#restream(session));
    } catch (e) {
      this.#close(session);
      if (this.#session === session) this.#session = undefined;
      throw e;
    }
  }

  #cancelled(): CnsdnError {
    return new CnsdnError('DEVICE_UNREACHABLE', `connect to ${this.#label} was cancelled by disconnect`);
  }

  /**
   * The channel's connection tells a lost device while no call runs: closed by the device,
   * or keepalive pings unanswered (GnmiClient.onConnectionLost). No stream is kept open for it.
   */
  #watch(session: Session): void {
    session.unwatch = session.client.onConnectionLost((state) => this.#lost(session, new Error(`the connection closed (channel ${state})`)));
  }

  #lost(session: Session, reason: Error): void {
    if (session.closed || this.#session !== session) return;
    this.#session = undefined;
    this.#close(session);
    const error = new CnsdnError('DEVICE_UNREACHABLE', `gNMI session to ${this.#label} lost: ${reason.message}`, [], { cause: reason });
    for (const listener of [...this.#disconnectListeners]) {
      try {
        listener(error);
      } catch {
        // A listener's failure is its own; the others still hear of the loss.
      }
    }
  }

  #close(session: Session): void {
    session.closed = true;
    const { unwatch, telemetry } = session;
    session.unwatch = undefined;
    session.telemetry = undefined;
    unwatch?.();
    telemetry?.cancel();
    session.client.close();
  }

  async announcedModels(): Promise<AnnouncedModel[]> {
    return this.#need('announced models').announced.map((m) => ({ ...m }));
  }

  async disconnect(): Promise<void> {
    this.#generation += 1;
    const session = this.#session;
    this.#session = undefined;
    if (session) this.#close(session);
  }

  #need(op: string): Session {
    const s = this.#session;
    if (!s) throw new CnsdnError('DEVICE_UNREACHABLE', `${op} on ${this.#label}: not connected`);
    return s;
  }

  /** Runs one gNMI call; a lost channel ends the session, and any failure comes back coded. */
  async #call<T>(session: Session, what: string, fn: (client: GnmiClient) => Promise<T>): Promise<T> {
    try {
      return await fn(session.client);
    } catch (e) {
      if (isConnectionLoss(e)) this.#lost(session, asError(e));
      throw toDriverError(e, `${what} on ${this.#label}`);
    }
  }

  async #getTree(session: Session, path: GnmiPath | GnmiPath[], type: 'CONFIG' | 'STATE'): Promise<unknown> {
    const paths = Array.isArray(path) ? path : [path];
    const notifications = await this.#call<GnmiNotification[]>(session, `gNMI Get ${paths.map(pathToString).join(' ')}`, (c) =>
      c.get({ paths, type, encoding: this.#settings!.encoding, timeoutMs: this.#timeoutMs }),
    );
    return notificationsToTree(notifications, { elem: [] }, { stripModulePrefixes: true });
  }

  async discoverEndpoints(): Promise<EndpointInfo[]> {
    const session = this.#need('discoverEndpoints');
    const endpoints = endpointsFromInterfaces(await this.#getTree(session, { elem: [{ name: 'interfaces' }] }, 'STATE'));
    this.#interfaces = new Set(endpoints.map((e) => e.name));
    return endpoints;
  }

  getInitialConfig(): Promise<Resource[]> {
    return this.getConfig() as Promise<Resource[]>;
  }

  #plan(key: string): ReadPlan {
    if (key === RESOURCE_INTERFACES) return { path: { elem: [{ name: 'interfaces' }] }, render: renderInterfaces, keep: () => true };
    if (key === RESOURCE_NETWORK_INSTANCES) return { path: { elem: [{ name: 'network-instances' }] }, render: renderNetworkInstances, keep: () => true };
    const ref: ResourceRef = parseResourceKey(key);
    const wanted = splitResourceKey(key);
    const keep = (k: string) => isUnder(splitResourceKey(k), wanted);
    if (ref.kind === 'interface' || ref.kind === 'subinterface') {
      return { path: { elem: [{ name: 'interfaces' }, { name: 'interface', key: { name: ref.ifName } }] }, render: renderInterfaces, keep };
    }
    return { path: { elem: [{ name: 'network-instances' }, { name: 'network-instance', key: { name: ref.ni } }] }, render: renderNetworkInstances, keep };
  }

  /**
   * The keys' entities read in one Get: network instances through their parent container (a
   * network instance about to be created is absent, and one absent path fails a whole Get), each
   * interface by its own path (interfaces are the device's ports, present). undefined when the
   * keys need one path or fewer, or when the Get fails (the caller then reads path by path).
   */
  async #readTogether(session: Session, keys: readonly string[]): Promise<Array<[string, unknown]> | undefined> {
    const plans: ReadPlan[] = [];
    for (const key of keys) {
      if (key === RESOURCE_ENDPOINTS) return undefined;
      try {
        plans.push(this.#plan(key));
      } catch {
        return undefined;
      }
    }
    if (new Set(plans.map((p) => pathToString(p.path))).size < 2) return undefined;
    const paths = new Map<string, GnmiPath>();
    for (const { path } of plans) {
      const whole = path.elem[0]!.name === 'network-instances' || path.elem.length === 1 ? { elem: [path.elem[0]!] } : path;
      paths.set(pathToString(whole), whole);
    }
    let tree: unknown;
    try {
      tree = await this.#getTree(session, [...paths.values()], 'CONFIG');
    } catch (e) {
      if (e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE') throw e;
      return undefined;
    }
    const rendered = new Map<ReadPlan['render'], Resource[]>();
    return plans.flatMap((plan) => {
      let all = rendered.get(plan.render);
      if (!all) {
        all = plan.render(tree);
        rendered.set(plan.render, all);
      }
      return all.filter(([k]) => plan.keep(k));
    });
  }

  async getConfig(keys: readonly string[] = []): Promise<Array<[string, unknown]>> {
    const session = this.#need('getConfig');
    if (keys.length === 0) keys = [RESOURCE_INTERFACES, RESOURCE_NETWORK_INSTANCES];
    const together = await this.#readTogether(session, keys);
    if (together) return together;
    const reads = new Map<string, Promise<Resource[]>>();
    const read = (plan: ReadPlan): Promise<Resource[]> => {
      const id = pathToString(plan.path);
      let r = reads.get(id);
      if (!r) {
        r = this.#getTree(session, plan.path, 'CONFIG').then(plan.render, (e: unknown) => {
          if (e instanceof CnsdnError && e.cause instanceof GnmiError && e.cause.code === 'NOT_FOUND') return [];
          throw e;
        });
        r.catch(() => undefined);
        reads.set(id, r);
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
          plan = this.#plan(key);
        } catch (e) {
          return [[key, asError(e)]];
        }
        try {
          return (await read(plan)).filter(([k]) => plan.keep(k));
        } catch (e) {
          if (e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE') throw e;
          return [[key, asError(e)]];
        }
      }),
    );
    return parts.flat();
  }

  /**
   * One SetRequest for the whole batch, so the device applies all of it or none. A resource
   * that cannot be composed fails the batch before anything is sent.
   */
  async #transaction<Op>(
    op: 'setConfig' | 'deleteConfig',
    resources: readonly Resource[],
    compose: (key: string, ref: ResourceRef, value: unknown) => Op[],
    send: (client: GnmiClient, ops: Op[]) => Promise<unknown>,
    validate?: (ops: Op[]) => Promise<CnsdnError | undefined>,
  ): Promise<ResourceResult[]> {
    const session = this.#need(op);
    if (resources.length === 0) return [];
    const ops: Op[] = [];
    const invalid: Array<Error | undefined> = resources.map(([key, value]) => {
      try {
        ops.push(...compose(key, parseResourceKey(key), value));
        return undefined;
      } catch (e) {
        return asError(e);
      }
    });
    const firstBad = invalid.findIndex((e) => e !== undefined);
    if (firstBad >= 0) {
      const because = new CnsdnError(
        'INVALID_ARGUMENT',
        `not applied: the batch is one transaction and resource #${firstBad} (${JSON.stringify(resources[firstBad][0])}) is invalid: ${invalid[firstBad]!.message}`,
      );
      return invalid.map((e) => e ?? because);
    }
    const refused = await validate?.(ops);
    if (refused) return resources.map(() => refused);
    try {
      await this.#call(session, `gNMI Set (${op}, ${resources.length} resources)`, (c) => send(c, ops));
    } catch (e) {
      const error = asError(e);
      return resources.map(() => error);
    }
    return resources.map(() => true);
  }

  setConfig(resources: readonly Resource[]): Promise<ResourceResult[]> {
    const kind = this.#settings?.encoding === 'JSON' ? 'json' : 'json_ietf';
    return this.#transaction(
      'setConfig',
      resources,
      (key, ref, value) => [composeUpdate(key, ref, value)],
      (c, updates) => c.set({ update: updates.map((u) => ({ path: u.path, value: { kind, value: u.value } })), timeoutMs: this.#timeoutMs }),
      (updates) => this.#yang.check(this.#label, updates),
    );
  }

  deleteConfig(resources: readonly Resource[]): Promise<ResourceResult[]> {
    return this.#transaction<GnmiPath>('deleteConfig', resources, composeDelete, (c, paths) => c.set({ delete: paths, timeoutMs: this.#timeoutMs }));
  }

  /** Subscription changes run one at a time: each rebuilds the device's one telemetry stream. */
  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#subscriptionChain.then(fn, fn);
    this.#subscriptionChain = run.catch(() => undefined);
    return run;
  }

  /** Replaces the session's telemetry stream with one for the current subscriptions. */
  async #restream(session: Session): Promise<void> {
    const old = session.telemetry;
    session.telemetry = undefined;
    old?.cancel();
    const specs = streamSpecs(this.#subscriptions.values());
    if (specs.length === 0 || session.closed) return;
    // Leaves straight from the bytes: each counter path is resolved once per stream, not per sample.
    const leaves: LeafSink<CounterLeaf> = {
      numericStrings: true,
      resolve: counterLeaf,
      paths: COUNTER_PATHS,
      leaf: (ref, value, ts) => {
        if (session.telemetry === sub) this.#deliver(ref, value, ts);
      },
    };
    const sub = session.client.subscribe({ mode: 'STREAM', encoding: this.#settings!.encoding, subscriptions: specs, leaves: leaves as LeafSink<unknown> });
    session.telemetry = sub;
    let synced = false;
    sub.on('error', (e: Error) => {
      if (session.telemetry === sub && (synced || isConnectionLoss(e))) this.#lost(session, e);
    });
    sub.on('end', () => {
      if (session.telemetry === sub) this.#lost(session, new Error('the device ended the telemetry stream'));
    });
    try {
      await withTimeout(sub.synced, this.#timeoutMs, `telemetry subscription on ${this.#label}`);
      synced = true;
    } catch (e) {
      if (session.telemetry === sub) session.telemetry = undefined;
      sub.cancel();
      throw toDriverError(e, `gNMI Subscribe on ${this.#label}`);
    }
  }

  #deliver(ref: CounterLeaf, value: unknown, ts: number): void {
    const sinks = this.#sinks;
    if (sinks.length === 0) return;
    const sample = counterSample(ref, value, ts);
    if (!sample) return;
    for (const sink of sinks) {
      try {
        sink(sample);
      } catch {
        // One failing sink must not starve the others.
      }
    }
  }

  async #knownInterface(session: Session, name: string): Promise<boolean> {
    if (this.#interfaces?.has(name)) return true;
    if (this.#session !== session) return false;
    await this.discoverEndpoints();
    return this.#interfaces?.has(name) ?? false;
  }

  async subscribeState(subscriptions: readonly StateSubscription[]): Promise<ResourceResult[]> {
    const session = this.#need('subscribeState');
    const parsed = await Promise.all(
      subscriptions.map(async ([key, durationS, intervalS]): Promise<CounterSubscription | Error> => {
        try {
          const sub = parseStateKey(key, durationS, intervalS);
          if (!(await this.#knownInterface(session, sub.endpoint))) {
            return new CnsdnError('INVALID_ARGUMENT', `state subscription ${key}: ${this.#label} has no interface ${sub.endpoint}`);
          }
          return sub;
        } catch (e) {
          if (e instanceof CnsdnError && e.code === 'DEVICE_UNREACHABLE') throw e;
          return asError(e);
        }
      }),
    );
    const valid = parsed.filter((p): p is CounterSubscription => !(p instanceof Error));
    return this.#serialized(async () => {
      const before = new Map(this.#subscriptions);
      for (const sub of valid) this.#subscriptions.set(sub.key, { ...sub });
      try {
        await this.#restream(this.#need('subscribeState'));
      } catch (e) {
        this.#subscriptions.clear();
        for (const [k, v] of before) this.#subscriptions.set(k, v);
        await this.#restream(session).catch(() => undefined);
        const error = asError(e);
        return parsed.map((p) => (p instanceof Error ? p : error));
      }
      for (const sub of valid) {
        const active = this.#subscriptions.get(sub.key)!;
        const previous = before.get(sub.key)?.expiry;
        if (previous) clearTimeout(previous);
        if (sub.durationS > 0) active.expiry = setTimeout(() => void this.#expire(active), sub.durationS * 1000).unref();
      }
      return parsed.map((p) => (p instanceof Error ? p : true));
    });
  }

  #expire(sub: ActiveSubscription): Promise<void> {
    return this.#serialized(async () => {
      if (this.#subscriptions.get(sub.key) !== sub) return;
      this.#subscriptions.delete(sub.key);
      const session = this.#session;
      if (session) await this.#restream(session).catch(() => undefined);
    });
  }

  async unsubscribeState(subscriptions: readonly StateSubscription[]): Promise<ResourceResult[]> {
    this.#need('unsubscribeState');
    const parsed = subscriptions.map(([key, durationS, intervalS]) => {
      try {
        return parseStateKey(key, durationS, intervalS);
      } catch (e) {
        return asError(e);
      }
    });
    return this.#serialized(async () => {
      for (const p of parsed) {
        if (p instanceof Error) continue;
        const active = this.#subscriptions.get(p.key);
        if (active?.expiry) clearTimeout(active.expiry);
        this.#subscriptions.delete(p.key);
      }
      try {
        await this.#restream(this.#need('unsubscribeState'));
      } catch (e) {
        const error = asError(e);
        return parsed.map((p) => (p instanceof Error ? p : error));
      }
      return parsed.map((p) => (p instanceof Error ? p : true));
    });
  }

  /** Keys of the counter subscriptions this instance keeps (and restreams after a reconnect). */
  subscriptionKeys(): string[] {
    return [...this.#subscriptions.keys()];
  }

  onSample(sink: (sample: StateSample) => void): () => void {
    const wrapped = (s: StateSample) => sink(s);
    this.#sinks = [...this.#sinks, wrapped];
    return () => {
      this.#sinks = this.#sinks.filter((x) => x !== wrapped);
    };
  }

  onDisconnect(listener: (reason: Error) => void): () => void {
    const wrapped = (e: Error) => listener(e);
    this.#disconnectListeners.add(wrapped);
    return () => this.#disconnectListeners.delete(wrapped);
  }
}
