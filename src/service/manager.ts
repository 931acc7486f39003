/**
 * The service manager (TFS's service component): turns stored L2NM/L3NM services into
 * configured devices and back. Activation runs on service events — a service with two or more
 * endpoints that is UNDEFINED, PLANNED or UPDATING, or ACTIVE with a changed intent — one at a time per
 * service. Removal goes through ContextManager.beforeServiceRemoval: devices are deconfigured
 * first and a device that refuses keeps the service (and its record) in place.
 */
import type { Bus, BusSubscription } from '../bus/api.js';
import { CnsdnError, isCnsdnError } from '../common/errors.js';
import type { ContextManager } from '../context/index.js';
import type * as T from '../model/types.js';
import { uuidFromText } from '../model/ids.js';
import type { ActivationResult, DeviceConfigDiff, ServiceActivator, ServiceFailure } from './api.js';
import { type DesiredDevice, nextApplied, takeOffAll } from './diff.js';
import { defaultHandlers, type HandlerRegistry } from './handlers.js';
import { isSharedKey } from './keys.js';
import { sharedSnapshot, type TopologySnapshot } from './paths.js';
import { LinkPool } from './pool.js';
import { prepareActivation } from './prepare.js';
import { type AppliedRecord, Claims, connectionUuid, fingerprint, fromConnections, toConnectionSettings } from './record.js';
import { serviceSpans as spans } from './spans.js';
import { checkDevices, type SyncReport } from './sync.js';
import { type DriverRunner, type JournalDevice, recoverDevices, runTransaction, type TransactionFailure } from './transaction.js';

export const FAILURE_KEY = '/cnsdn/failure';
/** Config rule holding the journal of a transaction in progress (see recoverDevices). */
export const JOURNAL_KEY = '/cnsdn/transaction';
/** How long recovery at start waits for a journaled device to be connected. */
const RECOVERY_WAIT_MS = 120_000;

const ACTIVE = 'SERVICESTATUS_ACTIVE';
const PLANNED = 'SERVICESTATUS_PLANNED';
/** What a topology snapshot is made of. */
const SNAPSHOT_KINDS = ['topology', 'device', 'link'] as const;
const TRIGGERS = new Set(['SERVICESTATUS_UNDEFINED', PLANNED, 'SERVICESTATUS_UPDATING']);

export interface ServiceLogger {
  warn(obj: unknown, msg?: string): void;
}

export interface ServiceManagerOptions {
  ctx: ContextManager;
  sessions: DriverRunner;
  handlers?: HandlerRegistry;
  /** Pool of /30s for links between routers (default 10.255.0.0/16). */
  linkPool?: string;
  logger?: ServiceLogger;
  /** Longest wait for a device's turn behind other services' work on it (ms, default 30 s): then CNSDN_UNAVAILABLE. */
  deviceWaitMs?: number;
  /** In a cluster: whether this member does the work of a service (recovering its interrupted transaction at start). Default: yes. */
  coordinates?: (serviceUuid: string) => boolean;
}

export type ServiceActivation = ActivationResult;

export class ServiceManager implements ServiceActivator {
  readonly #ctx: ContextManager;
  readonly #sessions: DriverRunner;
  readonly #handlers: HandlerRegistry;
  readonly #pool: LinkPool;
  readonly #log: ServiceLogger;
  readonly #deviceWaitMs: number | undefined;
  readonly #coordinates: (serviceUuid: string) => boolean;
  readonly #claims = new Claims();
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Intent (fingerprint) of the last activation that failed or was undone: not retried by events. */
  readonly #settled = new Map<string, string>();
  readonly #pending = new Set<string>();
  readonly #snapshots = new Map<string, { key: string; snapshot: Promise<TopologySnapshot> }>();
  #topologyEvents = 0;
  #subscription: BusSubscription | undefined;
  #offRemoval: (() => void) | undefined;

  constructor(options: ServiceManagerOptions) {
    this.#ctx = options.ctx;
    this.#sessions = options.sessions;
    this.#handlers = options.handlers ?? defaultHandlers();
    this.#pool = new LinkPool(options.linkPool);
    this.#log = options.logger ?? { warn() {} };
    this.#deviceWaitMs = options.deviceWaitMs;
    this.#coordinates = options.coordinates ?? (() => true);
  }

  /** Loads what services applied (from their connections), then follows service events. */
  async start(bus: Bus): Promise<void> {
    const interrupted: T.Service[] = [];
    for (const c of await this.#ctx.listContexts()) {
      for (const s of await this.#ctx.listServices(c.context_id.context_uuid.uuid)) {
        const record = fromConnections(await this.#ctx.listConnections(c.context_id.context_uuid.uuid, s.service_id.service_uuid.uuid));
        if (record) this.#claims.set(s.service_id.service_uuid.uuid, record);
        const journaled = s.service_config.config_rules.some((r) => r.custom?.resource_key === JOURNAL_KEY);
        if (journaled && this.#coordinates(s.service_id.service_uuid.uuid)) interrupted.push(s);
      }
    }
    // Devices connect after start: each interrupted transaction is undone in the background, before any other work on its service.
    for (const s of interrupted) {
      void this.#serial(s.service_id.service_uuid.uuid, () => this.#recover(s)).catch((e) => this.#log.warn({ err: e, service: s.service_id.service_uuid.uuid }, 'recovering an interrupted transaction failed'));
    }
    this.#offRemoval = this.#ctx.beforeServiceRemoval((c, s) => this.#serial(s, () => this.#deactivate(c, s, true)));
    this.#subscription = await bus.subscribe(
      (e) => {
        if (e.kind !== 'service') {
          this.#topologyEvents++;
          return;
        }
        if (e.op !== 'REMOVE' && e.parent) {
          spans.add('event heard (since commit)', Date.now() - e.ts);
          this.#schedule(e.parent, e.uuid);
        }
      },
      { kinds: ['service', ...SNAPSHOT_KINDS] },
    );
  }

  async stop(): Promise<void> {
    this.#offRemoval?.();
    await this.#subscription?.unsubscribe();
    await this.idle();
  }

  /** Waits until no service work is queued (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.allSettled([...this.#queues.values()]);
  }

  activate(contextUuid: string, serviceUuid: string, options: { dryRun?: boolean } = {}): Promise<ServiceActivation> {
    return this.#serial(serviceUuid, () => this.#activate(contextUuid, serviceUuid, options.dryRun === true), contextUuid);
  }

  deactivate(contextUuid: string, serviceUuid: string): Promise<void> {
    return this.#serial(serviceUuid, () => this.#deactivate(contextUuid, serviceUuid, false), contextUuid);
  }

  /**
   * What activating `service` (stored or not, in its canonical form) would change on each
   * device, against what the stored service of that id applied. Touches nothing.
   */
  async dryRun(service: T.Service): Promise<DeviceConfigDiff[]> {
    const uuid = service.service_id.service_uuid.uuid;
    const snapshot = await this.#snapshot(service);
    return prepareActivation(service, snapshot, this.#handlers, this.#pool, this.#claims, this.#claims.record(uuid)).diffs;
  }

  /**
   * The service's topology (that of its first endpoint, `admin` by default), read and built
   * once and shared by the activations that follow until a topology, device or link changes:
   * keyed by the context manager's generations (bumped at once by this replica's commits) and by
   * the topology events heard (other replicas' changes).
   */
  #snapshot(service: T.Service): Promise<TopologySnapshot> {
    const contextUuid = service.service_id.context_id.context_uuid.uuid;
    const topology = service.service_endpoint_ids[0]?.topology_id.topology_uuid.uuid ?? 'admin';
    const id = `${contextUuid}/${topology}`;
    const key = [this.#topologyEvents, ...SNAPSHOT_KINDS.map((k) => this.#ctx.generation(k))].join(' ');
    const hit = this.#snapshots.get(id);
    if (hit?.key === key) return hit.snapshot;
    const snapshot = this.#ctx.getTopologyDetails(contextUuid, topology).then((d) => sharedSnapshot(d.devices, d.links));
    this.#snapshots.set(id, { key, snapshot });
    snapshot.catch(() => {
      if (this.#snapshots.get(id)?.snapshot === snapshot) this.#snapshots.delete(id);
    });
    return snapshot;
  }

  /** Compares what each device holds with what the service applied. */
  checkSync(contextUuid: string, serviceUuid: string): Promise<SyncReport> {
    return this.#serial(serviceUuid, async () => checkDevices(this.#sessions, await this.#record(contextUuid, serviceUuid), false), contextUuid);
  }

  /** Sets again what drifted, then reports as checkSync does. */
  reSync(contextUuid: string, serviceUuid: string): Promise<SyncReport> {
    return this.#serial(serviceUuid, async () => checkDevices(this.#sessions, await this.#record(contextUuid, serviceUuid), true), contextUuid);
  }

  /** Runs fn after the work queued for the service (given by name or uuid). */
  #serial<R>(serviceRef: string, fn: () => Promise<R>, contextRef?: string): Promise<R> {
    const serviceUuid = contextRef === undefined ? serviceRef : uuidFromText(serviceRef, uuidFromText(contextRef));
    const run = (this.#queues.get(serviceUuid) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#queues.set(serviceUuid, tail);
    void tail.then(() => {
      if (this.#queues.get(serviceUuid) === tail) this.#queues.delete(serviceUuid);
    });
    return run;
  }

  #schedule(contextUuid: string, serviceUuid: string): void {
    if (this.#pending.has(serviceUuid)) return;
    this.#pending.add(serviceUuid);
    void this.#serial(serviceUuid, async () => {
      this.#pending.delete(serviceUuid);
      await this.#onEvent(contextUuid, serviceUuid);
    }).catch((e) => this.#log.warn({ err: e, service: serviceUuid }, 'service activation failed'));
  }

  async #onEvent(contextUuid: string, serviceUuid: string): Promise<void> {
    let service: T.Service;
    try {
      service = await spans.time('read service', () => this.#ctx.getService(contextUuid, serviceUuid));
    } catch (e) {
      if (isCnsdnError(e) && e.code === 'NOT_FOUND') return;
      throw e;
    }
    if (service.service_endpoint_ids.length < 2) return;
    const status = service.service_status.service_status;
    const fp = fingerprint(service);
    const record = this.#claims.record(serviceUuid);
    if (status === ACTIVE ? !record || record.fingerprint === fp : !TRIGGERS.has(status)) return;
    if (this.#settled.get(serviceUuid) === fp) return;
    try {
      await spans.time('activation (event-triggered, total)', () => this.#activate(contextUuid, serviceUuid, false, service));
    } catch (e) {
      this.#settled.set(serviceUuid, fp);
      const err = isCnsdnError(e) ? e : new CnsdnError('INTERNAL', e instanceof Error ? e.message : String(e));
      await this.#writeStatus(contextUuid, service, PLANNED, { code: `CNSDN_${err.code}`, message: err.message, at: new Date().toISOString() });
    }
  }

  async #record(contextUuid: string, serviceUuid: string): Promise<AppliedRecord> {
    const service = await this.#ctx.getService(contextUuid, serviceUuid);
    const record = this.#claims.record(service.service_id.service_uuid.uuid);
    if (!record) throw new CnsdnError('INVALID_ARGUMENT', `service ${service.name} has configured no device (it is ${service.service_status.service_status})`);
    return record;
  }

  /** `read`: the service as just read by the caller (an event handler), not read again. */
  async #activate(contextUuid: string, serviceUuid: string, dryRun: boolean, read?: T.Service): Promise<ServiceActivation> {
    const service = read ?? (await this.#ctx.getService(contextUuid, serviceUuid));
    const uuid = service.service_id.service_uuid.uuid;
    const ctxUuid = service.service_id.context_id.context_uuid.uuid;
    const snapshot = await spans.time('topology snapshot', () => this.#snapshot(service));
    const old = this.#claims.record(uuid);
    const t0 = performance.now();
    const prepared = prepareActivation(service, snapshot, this.#handlers, this.#pool, this.#claims, old);
    spans.add('prepare (paths, intent, render, diff)', performance.now() - t0);
    const status = service.service_status.service_status;
    if (dryRun) return { status, connections: [], diffs: prepared.diffs, dryRun: true };

    const fp = fingerprint(service);
    const links = Object.fromEntries(prepared.links);
    // Held while devices change, so a concurrent activation cannot take the same keys or subnets.
    this.#claims.set(uuid, { fingerprint: fp, links, devices: prepared.desired.map((d) => ({ ...d, prior: [] })) });
    // The service's connections so far are read while the devices change (off the critical path).
    const existing = spans.time('list old connections', () => this.#ctx.listConnections(ctxUuid, uuid));
    existing.catch(() => undefined);
    const outcome = await runTransaction(this.#sessions, prepared.diffs, { maxWaitMs: this.#deviceWaitMs, journal: (devices) => this.#journal(service, 'activate', devices) });
    if (!outcome.ok) {
      this.#claims.set(uuid, old);
      this.#settled.set(uuid, fp);
      const failure = toFailure(outcome.failure);
      await this.#writeStatus(ctxUuid, service, PLANNED, failure);
      return { status: PLANNED, connections: old ? await existing : [], diffs: prepared.diffs, dryRun: false, failure };
    }
    const oldDevices = new Map((old?.devices ?? []).map((d) => [d.uuid, d]));
    const record: AppliedRecord = {
      fingerprint: fp,
      links,
      devices: prepared.desired.map((d) => nextApplied(d, oldDevices.get(d.uuid), this.#before(uuid, d, outcome.before.get(d.uuid)))),
    };
    const parts = toConnectionSettings(
      record,
      prepared.paths.map((p) => p.computed.device_ids.map((d) => d.device_uuid.uuid)),
    );
    const connections: T.Connection[] = prepared.paths.map((p, i) => ({
      connection_id: { connection_uuid: { uuid: connectionUuid(uuid, i) } },
      service_id: service.service_id,
      path_hops_endpoint_ids: p.computed.path_hops_endpoint_ids,
      sub_service_ids: [],
      settings: { cnsdn: parts[i] },
    }));
    const stale = (await existing).filter((c) => !connections.some((n) => n.connection_id.connection_uuid.uuid === c.connection_id.connection_uuid.uuid));
    await spans.time('write ACTIVE + connections', () => this.#writeStatus(ctxUuid, service, ACTIVE, undefined, connections));
    for (const c of stale) await this.#ctx.removeConnection(c.connection_id.connection_uuid.uuid);
    this.#claims.set(uuid, record);
    this.#settled.delete(uuid);
    return { status: ACTIVE, connections, diffs: prepared.diffs, dryRun: false };
  }

  async #deactivate(contextUuid: string, serviceUuid: string, removing: boolean): Promise<void> {
    let service: T.Service;
    try {
      service = await this.#ctx.getService(contextUuid, serviceUuid);
    } catch (e) {
      if (removing && isCnsdnError(e) && e.code === 'NOT_FOUND') return;
      throw e;
    }
    const uuid = service.service_id.service_uuid.uuid;
    const ctxUuid = service.service_id.context_id.context_uuid.uuid;
    const record = this.#claims.record(uuid);
    if (record) {
      const heldElsewhere = (device: string, key: string) => this.#claims.otherHolder(uuid, device, key) !== undefined;
      const diffs: DeviceConfigDiff[] = record.devices.map((d) => ({ deviceUuid: d.uuid, deviceName: d.name, ...takeOffAll(d.uuid, d.rules, d.prior, heldElsewhere) }));
      const outcome = await runTransaction(this.#sessions, diffs, {
        known: new Map(record.devices.map((d) => [d.uuid, d.rules])),
        maxWaitMs: this.#deviceWaitMs,
        journal: (devices) => this.#journal(service, 'deactivate', devices),
      });
      if (!outcome.ok) {
        const failure = toFailure(outcome.failure);
        await this.#writeStatus(ctxUuid, service, service.service_status.service_status, failure);
        throw new CnsdnError(failure.code.replace(/^CNSDN_/, '') as 'DRIVER_ERROR', `service ${service.name} kept: ${failure.message}`);
      }
    }
    this.#claims.set(uuid, undefined);
    if (removing) {
      this.#settled.delete(uuid);
      return;
    }
    this.#settled.set(uuid, fingerprint(service));
    for (const c of await this.#ctx.listConnections(ctxUuid, uuid)) await this.#ctx.removeConnection(c.connection_id.connection_uuid.uuid);
    await this.#writeStatus(ctxUuid, service, PLANNED, undefined);
  }

  /**
   * What the device held under a service's keys before it: as read, except for shared keys
   * another service holds already, whose value before any service is that service's prior.
   */
  #before(serviceUuid: string, device: DesiredDevice, read: ReadonlyMap<string, unknown> | undefined): Map<string, unknown> {
    const out = new Map(read);
    for (const r of device.rules) {
      if (!isSharedKey(r.key)) continue;
      const holder = this.#claims.otherHolder(serviceUuid, device.uuid, r.key);
      if (holder === undefined) continue;
      const prior = this.#claims.priorOf(holder, device.uuid, r.key);
      if (prior) out.set(r.key, prior.value);
      else out.delete(r.key);
    }
    return out;
  }

  /** Records a transaction's devices and previous values on the service before any device changes. */
  async #journal(service: T.Service, op: 'activate' | 'deactivate', devices: JournalDevice[]): Promise<void> {
    const journal = { op, started_at: new Date().toISOString(), devices };
    await this.#ctx.apply({
      services: [{ service_id: service.service_id, name: service.name, service_config: { config_rules: [{ action: 'CONFIGACTION_SET', custom: { resource_key: JOURNAL_KEY, resource_value: journal } }] } }],
    });
  }

  /**
   * A transaction the controller did not finish (it stopped in the middle): every journaled device
   * is put back to what it held before, and the service says so — an activation ends PLANNED (not
   * retried by events), a removal leaves the service as it was. A device that cannot be put back
   * keeps the journal, for the next start.
   */
  async #recover(read: T.Service): Promise<void> {
    const contextUuid = read.service_id.context_id.context_uuid.uuid;
    const service = await this.#ctx.getService(contextUuid, read.service_id.service_uuid.uuid);
    const rule = service.service_config.config_rules.find((r) => r.custom?.resource_key === JOURNAL_KEY)?.custom;
    if (!rule) return;
    const journal = (typeof rule.resource_value === 'string' ? JSON.parse(rule.resource_value) : rule.resource_value) as { op: string; started_at: string; devices: JournalDevice[] };
    const { restored, restore_errors } = await recoverDevices(this.#sessions, journal.devices, RECOVERY_WAIT_MS);
    const what = journal.op === 'activate' ? 'activating' : 'taking off';
    const failure: ServiceFailure = {
      code: 'CNSDN_UNAVAILABLE',
      message: `the controller stopped while ${what} the service (transaction of ${journal.started_at}); ${restore_errors.length ? `devices not put back yet: ${restore_errors.join('; ')}` : 'every device was put back to what it had before'}`,
      at: new Date().toISOString(),
      restored,
      restore_errors,
    };
    const uuid = service.service_id.service_uuid.uuid;
    if (journal.op === 'activate') this.#settled.set(uuid, fingerprint(service));
    const status = journal.op === 'activate' ? PLANNED : service.service_status.service_status;
    await this.#writeStatus(contextUuid, service, status, failure, [], restore_errors.length > 0);
  }

  /** Status, failure rule (set, or deleted when undefined) and connections in one write; the transaction's journal is deleted (unless kept). */
  async #writeStatus(contextUuid: string, service: T.Service, status: string, failure: ServiceFailure | undefined, connections: T.Connection[] = [], keepJournal = false): Promise<void> {
    const hadFailure = service.service_config.config_rules.some((r) => r.custom?.resource_key === FAILURE_KEY);
    const rules: Array<{ action: string; custom: { resource_key: string; resource_value: unknown } }> = failure
      ? [{ action: 'CONFIGACTION_SET', custom: { resource_key: FAILURE_KEY, resource_value: failure } }]
      : hadFailure
        ? [{ action: 'CONFIGACTION_DELETE', custom: { resource_key: FAILURE_KEY, resource_value: {} } }]
        : [];
    if (!keepJournal) rules.push({ action: 'CONFIGACTION_DELETE', custom: { resource_key: JOURNAL_KEY, resource_value: {} } });
    await this.#ctx.apply({
      services: [{ service_id: { context_id: { context_uuid: { uuid: contextUuid } }, service_uuid: service.service_id.service_uuid }, name: service.name, service_status: { service_status: status }, service_config: { config_rules: rules } }],
      connections,
    });
  }
}

function toFailure(f: TransactionFailure): ServiceFailure {
  return {
    code: f.code,
    message: `device ${f.device} failed: ${f.reason}`,
    at: new Date().toISOString(),
    device: f.device,
    device_uuid: f.device_uuid,
    restored: f.restored,
    restore_errors: f.restore_errors,
  };
}
