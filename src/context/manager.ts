/**
 * The context manager: the TFS context service. Reads and writes contexts, topologies, devices,
 * links, services, slices and connections through the store, and publishes every committed
 * change on the bus. It knows the store and the bus only by their SPIs.
 */

import type { Bus } from '../bus/api.js';
import { CnsdnError } from '../common/errors.js';
import type { DeviceOperationalStatus, DeviceStatusSink, EndpointInfo } from '../device/api.js';
import { enumName, KpiSampleType } from '../model/enums.js';
import { uuidFromText } from '../model/ids.js';
import { normalize as N, schemas, validate } from '../model/index.js';
import type * as T from '../model/types.js';
import { DEFAULT_CONTEXT, UNDISCOVERED_ENDPOINT_TYPE } from '../model/types.js';
import type { EntityKind, Store, StoredEntity, StoreTx } from '../store/api.js';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
import { assertPlanOk, type PlannedEntity, type PlanOptions, plan } from './plan.js';
import { StateView } from './view.js';

export interface ApplyResult {
  dryRun: boolean;
  entities: PlannedEntity[];
  summary: { created: number; updated: number; unchanged: number };
}

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Called with the context and service uuids before a service is removed. */
export type ServiceRemovalHook = (contextUuid: string, serviceUuid: string) => Promise<void>;

const silent: Logger = { info() {}, warn() {}, error() {} };

function result(entities: PlannedEntity[], dryRun: boolean): ApplyResult {
  const summary = { created: 0, updated: 0, unchanged: 0 };
  for (const e of entities) summary[e.action]++;
  return { dryRun, entities, summary };
}

/**
 * Bytes of single device/link answers kept in memory: 10,000 devices of 8 endpoints are ~55 MB, so
 * the default holds all of them (a miss on PostgreSQL is a round trip); CNSDN_ENTITY_CACHE_MIB sets it.
 */
const ENTITY_CACHE_BYTES = entityCacheBytes(process.env.CNSDN_ENTITY_CACHE_MIB);

function entityCacheBytes(setting: string | undefined): number {
  const mib = setting === undefined || setting.trim() === '' ? 64 : Number(setting);
  if (!Number.isFinite(mib) || mib < 0) throw new Error(`CNSDN_ENTITY_CACHE_MIB must be a number of MiB (0 or more), not "${setting}"`);
  return Math.floor(mib * 1024 * 1024);
}

/** A change to a stored device; undefined when it changes nothing. */
type DeviceChange = (d: T.Device) => T.Device | undefined;
interface DeviceBatch {
  changes: Map<string, DeviceChange[]>;
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
}

export class ContextManager implements DeviceStatusSink {
  readonly relay: OutboxRelay;

  constructor(
    private readonly store: Store,
    bus: Bus,
    log: Logger = silent,
    relayOptions: OutboxRelayOptions = {},
  ) {
    this.relay = new OutboxRelay(store, bus, log, relayOptions);
  }

  // ---- writes ------------------------------------------------------------------------------

  /** Runs fn in a store transaction and publishes what it committed. */
  async commit<R>(fn: (tx: StoreTx) => Promise<R>): Promise<R> {
    const { result, changes, outbox } = await this.store.transaction(fn);
    for (const c of changes) this.invalidate(c.kind, c.uuid);
    await this.relay.publish(changes, outbox);
    return result;
  }

  /**
   * Applies a TFS descriptor (or a part of one) atomically: validated, planned against the
   * current state, written in one transaction — or rejected with every error and nothing written.
   */
  async apply(input: unknown, options: PlanOptions & { dryRun?: boolean } = {}): Promise<ApplyResult> {
    const descriptor = validate(schemas.Descriptor, input, 'descriptor');
    const unmanaged = options.unmanaged ?? descriptor.dummy_mode ?? false;
    const run = async (tx: StoreTx) => {
      const p = await plan(descriptor, new StateView(tx), { ...options, unmanaged });
      assertPlanOk(p);
      if (!options.dryRun) {
        const writes = p.view.changes().filter((c) => c.action !== 'unchanged').map((c) => StateView.toWrite(c.entry));
        if (writes.length) await tx.putMany(writes);
      }
      return p.entities;
    };
    const entities = options.dryRun ? (await this.store.transaction(run)).result : await this.commit(run);
    return result(entities, !!options.dryRun);
  }

  /**
   * A dry run of descriptors loaded one after the other (`cnsdn load --dry-run a.json b.json`):
   * each is planned against the state the ones before it would leave, inside one transaction that
   * is rolled back. Stops at the first that would be rejected (its error in place of a result):
   * what comes after it may depend on it.
   */
  async dryRunSequence(inputs: readonly unknown[], options: PlanOptions = {}): Promise<Array<ApplyResult | { error: unknown }>> {
    const out: Array<ApplyResult | { error: unknown }> = [];
    const rollBack = new Error('dry run: rolled back');
    try {
      await this.store.transaction(async (tx) => {
        out.length = 0; // a retried transaction starts over
        for (const input of inputs) {
          try {
            const descriptor = validate(schemas.Descriptor, input, 'descriptor');
            const p = await plan(descriptor, new StateView(tx), { ...options, unmanaged: options.unmanaged ?? descriptor.dummy_mode ?? false });
            assertPlanOk(p);
            const writes = p.view.changes().filter((c) => c.action !== 'unchanged').map((c) => StateView.toWrite(c.entry));
            if (writes.length) await tx.putMany(writes);
            out.push(result(p.entities, true));
          } catch (error) {
            out.push({ error });
            break;
          }
        }
        throw rollBack;
      });
    } catch (e) {
      if (e !== rollBack) throw e;
    }
    return out;
  }

  async removeContext(ref: string): Promise<void> {
    const uuid = uuidFromText(ref);
    await this.commit(async (tx) => {
      await this.mustGet(tx, 'context', uuid, ref);
      const children: string[] = [];
      for (const k of ['topology', 'service', 'slice'] as const) {
        const n = await tx.count(k, { parent: uuid });
        if (n) children.push(`${n} ${k}(s)`);
      }
      if (children.length) throw new CnsdnError('IN_USE', `context ${ref} still holds ${children.join(', ')}: remove them first`);
      await tx.delete('context', uuid);
    });
  }

  async removeTopology(contextRef: string, ref: string): Promise<void> {
    const ctx = uuidFromText(contextRef);
    const uuid = uuidFromText(ref, ctx);
    await this.commit(async (tx) => {
      await this.mustGet(tx, 'topology', uuid, ref);
      await tx.delete('topology', uuid);
    });
  }

  async removeDevice(ref: string): Promise<void> {
    const uuid = uuidFromText(ref);
    await this.commit(async (tx) => {
      const dev = await this.mustGet<T.Device>(tx, 'device', uuid, ref);
      const users = await this.usersOfDevice(tx, uuid);
      if (users.length) throw new CnsdnError('IN_USE', `device ${dev.name} is used by ${users.slice(0, 10).join(', ')}${users.length > 10 ? ', ...' : ''}: remove them first`);
      await this.dropFromTopologies(tx, (t) => t.device_ids.some((d) => d.device_uuid.uuid === uuid), (t) => ({ ...t, device_ids: t.device_ids.filter((d) => d.device_uuid.uuid !== uuid) }));
      await tx.delete('device', uuid);
    });
  }

  async removeLink(ref: string): Promise<void> {
    const uuid = uuidFromText(ref);
    await this.commit(async (tx) => {
      await this.mustGet(tx, 'link', uuid, ref);
      await this.dropFromTopologies(tx, (t) => t.link_ids.some((l) => l.link_uuid.uuid === uuid), (t) => ({ ...t, link_ids: t.link_ids.filter((l) => l.link_uuid.uuid !== uuid) }));
      await tx.delete('link', uuid);
    });
  }

  /**
   * Registers work that must finish before a service is removed (the service layer takes its
   * configuration off the devices). A hook that throws stops the removal. Returns an unregister function.
   */
  beforeServiceRemoval(hook: ServiceRemovalHook): () => void {
    this.#removalHooks.push(hook);
    return () => {
      this.#removalHooks = this.#removalHooks.filter((h) => h !== hook);
    };
  }

  #removalHooks: ServiceRemovalHook[] = [];

  async removeService(contextRef: string, ref: string): Promise<void> {
    const ctx = uuidFromText(contextRef);
    const uuid = uuidFromText(ref, ctx);
    for (const hook of this.#removalHooks) await hook(ctx, uuid);
    await this.commit(async (tx) => {
      await this.mustGet(tx, 'service', uuid, ref);
      for (const c of await tx.list('connection', { parent: uuid })) await tx.delete('connection', c.uuid);
      await tx.delete('service', uuid);
    });
  }

  async removeSlice(contextRef: string, ref: string): Promise<void> {
    const ctx = uuidFromText(contextRef);
    const uuid = uuidFromText(ref, ctx);
    await this.commit(async (tx) => {
      await this.mustGet(tx, 'slice', uuid, ref);
      await tx.delete('slice', uuid);
    });
  }

  async removeConnection(ref: string): Promise<void> {
    const uuid = uuidFromText(ref);
    await this.commit(async (tx) => {
      await this.mustGet(tx, 'connection', uuid, ref);
      await tx.delete('connection', uuid);
    });
  }

  private async usersOfDevice(tx: StoreTx, uuid: string): Promise<string[]> {
    const uses = (ids: T.EndPointId[]) => ids.some((e) => e.device_id.device_uuid.uuid === uuid);
    const out: string[] = [];
    for (const l of await tx.list<T.Link>('link')) if (uses(l.body.link_endpoint_ids)) out.push(`link ${l.name}`);
    for (const s of await tx.list<T.Service>('service')) if (uses(s.body.service_endpoint_ids)) out.push(`service ${s.name}`);
    for (const s of await tx.list<T.Slice>('slice')) if (uses(s.body.slice_endpoint_ids)) out.push(`slice ${s.name}`);
    return out;
  }

  private async dropFromTopologies(tx: StoreTx, has: (t: T.Topology) => boolean, drop: (t: T.Topology) => T.Topology): Promise<void> {
    for (const t of await tx.list<T.Topology>('topology')) {
      if (has(t.body)) await tx.put({ kind: 'topology', uuid: t.uuid, parent: t.parent, name: t.name, body: drop(t.body) }, t.revision);
    }
  }

  private async mustGet<B>(tx: StoreTx, kind: EntityKind, uuid: string, ref: string): Promise<StoredEntity<B>> {
    const e = await tx.get<B>(kind, uuid);
    if (!e) throw new CnsdnError('NOT_FOUND', `${kind} ${ref} does not exist`);
    return e;
  }

  // ---- device status (DeviceStatusSink) ------------------------------------------------------

  async setStatus(deviceUuid: string, status: DeviceOperationalStatus, reason?: string): Promise<void> {
    await this.updateDevice(deviceUuid, (d) => {
      const { status_reason: _previous, ...kept } = d.cnsdn ?? { managed: true };
      const report: T.DeviceReport = { ...kept, managed: d.cnsdn?.managed ?? true, status_since: new Date().toISOString() };
      if (reason && status !== 'DEVICEOPERATIONALSTATUS_ENABLED') report.status_reason = reason;
      if (d.device_operational_status === status && d.cnsdn?.status_reason === report.status_reason) return undefined;
      return { ...d, device_operational_status: status, cnsdn: report };
    });
  }

  /** Records the outcome of the last configuration push to a device (undefined: it was applied). */
  async setConfigOutcome(deviceUuid: string, error: string | undefined): Promise<void> {
    await this.updateDevice(deviceUuid, (d) => {
      if ((d.cnsdn?.config_error ?? undefined) === error) return undefined;
      const { config_error: _previous, ...kept } = d.cnsdn ?? { managed: true };
      return { ...d, cnsdn: error === undefined ? kept : { ...kept, config_error: error } };
    });
  }

  /** Reconciles discovered endpoints: same-named endpoints keep their uuid, undiscovered ones stay. */
  async setEndpoints(deviceUuid: string, endpoints: readonly EndpointInfo[]): Promise<void> {
    await this.updateDevice(deviceUuid, (d) => {
      // Drivers report names; an endpoint declared as {uuid, name} keeps the uuid links refer to.
      const known = new Map(d.device_endpoints.map((e) => [e.name, e.endpoint_id.endpoint_uuid.uuid]));
      const discovered = endpoints.map((e) =>
        N.endpoint(
          {
            endpoint_id: { device_id: { device_uuid: { uuid: deviceUuid } }, endpoint_uuid: { uuid: known.get(e.name) ?? e.name } },
            name: e.name,
            endpoint_type: e.type,
            kpi_sample_types: e.sampleTypes.filter((n) => enumName(KpiSampleType, n) !== undefined) as never[],
            ...(e.location ? { endpoint_location: e.location as never } : {}),
          },
          d.device_id,
        ),
      );
      const found = new Set(discovered.map((e) => e.endpoint_id.endpoint_uuid.uuid));
      const kept = d.device_endpoints.filter((e) => !found.has(e.endpoint_id.endpoint_uuid.uuid) && e.endpoint_type === UNDISCOVERED_ENDPOINT_TYPE);
      const next = [...discovered, ...kept];
      return JSON.stringify(next) === JSON.stringify(d.device_endpoints) ? undefined : { ...d, device_endpoints: next };
    });
  }

  /**
   * Device reports (status, endpoints) arrive by the thousand when many devices connect at
   * once: they are coalesced and written in one transaction per batch. The promise resolves
   * once the change is committed (or rejects with the batch's error).
   */
  private updateDevice(uuid: string, change: DeviceChange): Promise<void> {
    return new Promise((resolve, reject) => {
      const b = this.#batch;
      const changes = b.changes.get(uuid);
      if (changes) changes.push(change);
      else b.changes.set(uuid, [change]);
      b.waiters.push({ resolve, reject });
      if (b.changes.size >= 1000) this.#flushDevices();
      else this.#batchTimer ??= setTimeout(() => this.#flushDevices(), 5);
    });
  }

  #batch: DeviceBatch = { changes: new Map(), waiters: [] };
  #batchTimer: NodeJS.Timeout | undefined;

  #flushDevices(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    const batch = this.#batch;
    this.#batch = { changes: new Map(), waiters: [] };
    this.commit(async (tx) => {
      const writes = [];
      for (const e of await tx.getMany<T.Device>('device', [...batch.changes.keys()])) {
        let body = e.body;
        // A change returns undefined when it changes nothing.
        for (const change of batch.changes.get(e.uuid)!) body = change(body) ?? body;
        if (body !== e.body) writes.push({ kind: 'device' as const, uuid: e.uuid, parent: null, name: e.name, body });
      }
      if (writes.length) await tx.putMany(writes);
    }).then(
      () => {
        for (const w of batch.waiters) w.resolve();
      },
      (err) => {
        for (const w of batch.waiters) w.reject(err);
      },
    );
  }

  // ---- reads -------------------------------------------------------------------------------

  async listContexts(): Promise<T.Context[]> {
    const ctxs = await this.store.list<T.Context>('context');
    return Promise.all(ctxs.map((c) => this.withChildren(c)));
  }

  async getContext(ref: string): Promise<T.Context> {
    return this.withChildren(await this.need<T.Context>('context', uuidFromText(ref), ref));
  }

  private async withChildren(c: StoredEntity<T.Context>): Promise<T.Context> {
    const [topos, svcs, slices] = await Promise.all([
      this.store.list<T.Topology>('topology', { parent: c.uuid }),
      this.store.list<T.Service>('service', { parent: c.uuid }),
      this.store.list<T.Slice>('slice', { parent: c.uuid }),
    ]);
    return {
      ...c.body,
      topology_ids: topos.map((t) => t.body.topology_id),
      service_ids: svcs.map((s) => s.body.service_id),
      slice_ids: slices.map((s) => s.body.slice_id),
    };
  }

  async listTopologies(contextRef: string): Promise<T.Topology[]> {
    const ctx = await this.need('context', uuidFromText(contextRef), contextRef);
    return (await this.store.list<T.Topology>('topology', { parent: ctx.uuid })).map((t) => t.body);
  }

  async getTopology(contextRef: string, ref: string): Promise<T.Topology> {
    return (await this.need<T.Topology>('topology', uuidFromText(ref, uuidFromText(contextRef)), ref)).body;
  }

  async getTopologyDetails(contextRef: string, ref: string): Promise<{ topology_id: T.TopologyId; name: string; devices: T.Device[]; links: T.Link[] }> {
    const t = await this.getTopology(contextRef, ref);
    const [devices, links] = await Promise.all([
      this.store.getMany<T.Device>('device', t.device_ids.map((d) => d.device_uuid.uuid)),
      this.store.getMany<T.Link>('link', t.link_ids.map((l) => l.link_uuid.uuid)),
    ]);
    const byName = <E extends { name: string }>(a: E, b: E) => a.name.localeCompare(b.name);
    return { topology_id: t.topology_id, name: t.name, devices: devices.map((d) => d.body).sort(byName), links: links.map((l) => l.body).sort(byName) };
  }

  /**
   * `{"devices":[...]}` / `{"links":[...]}` as bytes, from the stored JSON unparsed. Kept until a
   * change of that kind: this replica's commits invalidate it at once, other replicas' through
   * their events (invalidate()), so a flood of list requests reads the store once.
   */
  async listResponse(kind: 'device' | 'link'): Promise<Buffer> {
    const cached = this.#lists.get(kind);
    if (cached) return cached;
    const generation = this.#generation.get(kind) ?? 0;
    const texts = await this.store.listJson(kind);
    const body = Buffer.from(`{"${kind}s":[${texts.join(',')}]}`);
    if ((this.#generation.get(kind) ?? 0) === generation) this.#lists.set(kind, body);
    return body;
  }

  /**
   * Forgets cached responses (called for every change, local or from the bus): the kind's list,
   * and the entity's own answer (every one of the kind when no uuid is given).
   */
  invalidate(kind: EntityKind, uuid?: string): void {
    this.#lists.delete(kind as 'device' | 'link');
    this.#generation.set(kind, (this.#generation.get(kind) ?? 0) + 1);
    if (kind !== 'device' && kind !== 'link') return;
    if (uuid !== undefined) this.#forget(`${kind}:${uuid}`);
    else for (const key of [...this.#entities.keys()]) if (key.startsWith(`${kind}:`)) this.#forget(key);
  }

  /** Changes of a kind seen so far (local commits, and others' through invalidate()): what a cache of that kind is keyed by. */
  generation(kind: EntityKind): number {
    return this.#generation.get(kind) ?? 0;
  }

  readonly #lists = new Map<'device' | 'link', Buffer>();
  readonly #generation = new Map<EntityKind, number>();
  /** One device's or link's answer as bytes (`kind:uuid` → stored JSON), oldest dropped first past the byte budget. */
  readonly #entities = new Map<string, Buffer>();
  #entityBytes = 0;

  #forget(key: string): void {
    const b = this.#entities.get(key);
    if (b === undefined) return;
    this.#entities.delete(key);
    this.#entityBytes -= b.length;
  }

  #remember(key: string, body: Buffer): void {
    this.#forget(key);
    if (body.length > ENTITY_CACHE_BYTES) return;
    this.#entities.set(key, body);
    this.#entityBytes += body.length;
    for (const [oldest] of this.#entities) {
      if (this.#entityBytes <= ENTITY_CACHE_BYTES) break;
      this.#forget(oldest);
    }
  }

  /**
   * One device or link as the stored JSON bytes, kept until that entity changes: the busiest read
   * (`GET /tfs-api/device/{id}`) then costs a map lookup, not a store query and a string copy.
   */
  async getJson(kind: 'device' | 'link', ref: string): Promise<Buffer> {
    const uuid = uuidFromText(ref);
    const key = `${kind}:${uuid}`;
    const hit = this.#entities.get(key);
    if (hit !== undefined) return hit;
    const generation = this.generation(kind);
    const text = await this.store.getJson(kind, uuid);
    if (text === undefined) throw new CnsdnError('NOT_FOUND', `${kind} ${ref} does not exist`, [{ path: '', message: `no ${kind} with id or name ${ref}` }]);
    const body = Buffer.from(text);
    // A change of this kind while the store was read may have come after the read: do not keep it.
    if (this.generation(kind) === generation) this.#remember(key, body);
    return body;
  }

  /** The answer getJson() keeps for an entity, if it is kept (no I/O). */
  keptJson(kind: 'device' | 'link', ref: string): Buffer | undefined {
    return this.#entities.get(`${kind}:${uuidFromText(ref)}`);
  }

  async listDevices(): Promise<T.Device[]> {
    return (await this.store.list<T.Device>('device')).map((d) => d.body);
  }

  async getDevice(ref: string): Promise<T.Device> {
    return (await this.need<T.Device>('device', uuidFromText(ref), ref)).body;
  }

  async listLinks(): Promise<T.Link[]> {
    return (await this.store.list<T.Link>('link')).map((l) => l.body);
  }

  async getLink(ref: string): Promise<T.Link> {
    return (await this.need<T.Link>('link', uuidFromText(ref), ref)).body;
  }

  async listServices(contextRef: string): Promise<T.Service[]> {
    const ctx = await this.need('context', uuidFromText(contextRef), contextRef);
    return (await this.store.list<T.Service>('service', { parent: ctx.uuid })).map((s) => s.body);
  }

  async getService(contextRef: string, ref: string): Promise<T.Service> {
    return (await this.need<T.Service>('service', uuidFromText(ref, uuidFromText(contextRef)), ref)).body;
  }

  async listSlices(contextRef: string): Promise<T.Slice[]> {
    const ctx = await this.need('context', uuidFromText(contextRef), contextRef);
    return (await this.store.list<T.Slice>('slice', { parent: ctx.uuid })).map((s) => s.body);
  }

  async getSlice(contextRef: string, ref: string): Promise<T.Slice> {
    return (await this.need<T.Slice>('slice', uuidFromText(ref, uuidFromText(contextRef)), ref)).body;
  }

  async listConnections(contextRef: string, serviceRef: string): Promise<T.Connection[]> {
    const svc = await this.need('service', uuidFromText(serviceRef, uuidFromText(contextRef)), serviceRef);
    return (await this.store.list<T.Connection>('connection', { parent: svc.uuid })).map((c) => c.body);
  }

  async getConnection(ref: string): Promise<T.Connection> {
    return (await this.need<T.Connection>('connection', uuidFromText(ref), ref)).body;
  }

  private async need<B>(kind: EntityKind, uuid: string, ref: string): Promise<StoredEntity<B>> {
    const e = await this.store.get<B>(kind, uuid);
    if (!e) throw new CnsdnError('NOT_FOUND', `${kind} ${ref} does not exist`, [{ path: '', message: `no ${kind} with id or name ${ref}` }]);
    return e;
  }
}

export { DEFAULT_CONTEXT };
