/**
 * The slice manager (TFS's slice component, local domain): a slice with two or more endpoints is
 * realised by one service (see realise.ts) that the service layer configures on the devices; the
 * slice lists it in `slice_service_ids` and is ACTIVE once the service is. A failure leaves the
 * slice PLANNED with `/cnsdn/failure` saying why. Removing a slice removes its services (devices
 * deconfigured first) and its subslices, then the slice.
 */
import type { Bus, BusSubscription } from '../bus/api.js';
import { CnsdnError, isCnsdnError } from '../common/errors.js';
import type { ContextManager } from '../context/index.js';
import type * as T from '../model/types.js';
import { uuidFromText } from '../model/ids.js';
import type { ServiceActivator, ServiceFailure } from '../service/api.js';
import { realisingServiceId, serviceForSlice, sliceFingerprint } from './realise.js';

export const SLICE_FAILURE_KEY = '/cnsdn/failure';
const ACTIVE = 'SLICESTATUS_ACTIVE';
const PLANNED = 'SLICESTATUS_PLANNED';
const TRIGGERS = new Set(['SLICESTATUS_UNDEFINED', PLANNED, 'SLICESTATUS_INIT']);

export interface SliceRealisation {
  status: string;
  service_ids: T.ServiceId[];
  failure?: ServiceFailure;
}

export interface SliceManagerOptions {
  ctx: ContextManager;
  services: ServiceActivator;
  logger?: { warn(obj: unknown, msg?: string): void };
}

const isNotFound = (e: unknown) => isCnsdnError(e) && e.code === 'NOT_FOUND';

export class SliceManager {
  readonly #ctx: ContextManager;
  readonly #services: ServiceActivator;
  readonly #log: { warn(obj: unknown, msg?: string): void };
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Per slice: the intent realised (or that failed) and the services it lists. */
  readonly #known = new Map<string, { fingerprint?: string; services: T.ServiceId[] }>();
  /** Per slice: the intent of its last successful realisation (in this process). */
  readonly #realised = new Map<string, string>();
  #subscription: BusSubscription | undefined;

  constructor(options: SliceManagerOptions) {
    this.#ctx = options.ctx;
    this.#services = options.services;
    this.#log = options.logger ?? { warn() {} };
  }

  /** Loads the stored slices, then follows slice events (a TFS REST write realises the slice, a removal releases its services). */
  async start(bus: Bus): Promise<void> {
    for (const c of await this.#ctx.listContexts()) {
      for (const s of await this.#ctx.listSlices(c.context_id.context_uuid.uuid)) {
        const realised = s.slice_status.slice_status === ACTIVE ? sliceFingerprint(s) : undefined;
        this.#known.set(s.slice_id.slice_uuid.uuid, { fingerprint: realised, services: s.slice_service_ids });
      }
    }
    this.#subscription = await bus.subscribe(
      (e) => {
        if (!e.parent) return;
        const parent = e.parent;
        if (e.op === 'REMOVE') void this.#serial(e.uuid, () => this.#release(parent, e.uuid)).catch((err) => this.#log.warn({ err, slice: e.uuid }, 'releasing a removed slice failed'));
        else void this.#serial(e.uuid, () => this.#onEvent(parent, e.uuid)).catch((err) => this.#log.warn({ err, slice: e.uuid }, 'slice realisation failed'));
      },
      { kinds: ['slice'] },
    );
  }

  async stop(): Promise<void> {
    await this.#subscription?.unsubscribe();
    await this.idle();
  }

  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.allSettled([...this.#queues.values()]);
  }

  /** Realises the slice now (its service written and activated); throws for bad input, returns a device failure. */
  realise(contextRef: string, sliceRef: string): Promise<SliceRealisation> {
    return this.#serial(uuidFromText(sliceRef, uuidFromText(contextRef)), () => this.#realise(contextRef, sliceRef));
  }

  /** Removes the slice's services (devices first), its subslices, then the slice. A device refusal keeps the slice. */
  remove(contextRef: string, sliceRef: string): Promise<void> {
    return this.#serial(uuidFromText(sliceRef, uuidFromText(contextRef)), () => this.#remove(contextRef, sliceRef, new Set()));
  }

  #serial<R>(uuid: string, fn: () => Promise<R>): Promise<R> {
    const run = (this.#queues.get(uuid) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#queues.set(uuid, tail);
    void tail.then(() => {
      if (this.#queues.get(uuid) === tail) this.#queues.delete(uuid);
    });
    return run;
  }

  async #onEvent(contextUuid: string, sliceUuid: string): Promise<void> {
    let slice: T.Slice;
    try {
      slice = await this.#ctx.getSlice(contextUuid, sliceUuid);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const known = this.#known.get(sliceUuid);
    this.#known.set(sliceUuid, { fingerprint: known?.fingerprint, services: slice.slice_service_ids });
    if (slice.slice_endpoint_ids.length < 2) return;
    const status = slice.slice_status.slice_status;
    const fp = sliceFingerprint(slice);
    if (known?.fingerprint === fp) return;
    if (status !== ACTIVE && !TRIGGERS.has(status)) return;
    try {
      await this.#realise(contextUuid, sliceUuid);
    } catch (e) {
      const err = isCnsdnError(e) ? e : new CnsdnError('INTERNAL', e instanceof Error ? e.message : String(e));
      await this.#writeSlice(slice, PLANNED, { code: `CNSDN_${err.code}`, message: err.message, at: new Date().toISOString() });
    }
  }

  async #realise(contextRef: string, sliceRef: string): Promise<SliceRealisation> {
    const slice = await this.#ctx.getSlice(contextRef, sliceRef);
    const uuid = slice.slice_id.slice_uuid.uuid;
    const fp = sliceFingerprint(slice);
    this.#known.set(uuid, { fingerprint: fp, services: slice.slice_service_ids });
    if (slice.slice_endpoint_ids.length < 2) return { status: slice.slice_status.slice_status, service_ids: slice.slice_service_ids };
    const serviceId = realisingServiceId(slice);
    const ctxUuid = slice.slice_id.context_id.context_uuid.uuid;
    const existing = await this.#ctx.getService(ctxUuid, serviceId.service_uuid.uuid).catch((e: unknown) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (existing && !slice.slice_service_ids.some((s) => s.service_uuid.uuid === existing.service_id.service_uuid.uuid)) {
      throw new CnsdnError('IN_USE', `slice ${slice.name} would be realised by service ${existing.name}, which exists and is not the slice's`, [{ path: '/slice_id', message: `service ${existing.name} exists` }]);
    }
    if (slice.slice_status.slice_status === ACTIVE && existing?.service_status.service_status === 'SERVICESTATUS_ACTIVE' && this.#realised.get(uuid) === fp) {
      return { status: ACTIVE, service_ids: slice.slice_service_ids };
    }
    const services = [...slice.slice_service_ids.filter((s) => s.service_uuid.uuid !== serviceId.service_uuid.uuid), serviceId];
    // Service and slice (PLANNED, listing it) in one write: the slice never names a service that is not stored.
    await this.#ctx.apply({ services: [serviceForSlice(slice, existing)], slices: [sliceBody(slice, PLANNED, services)] });
    this.#known.set(uuid, { fingerprint: fp, services });
    const result = await this.#services.activate(ctxUuid, serviceId.service_uuid.uuid);
    const status = result.failure ? PLANNED : ACTIVE;
    await this.#writeSlice({ ...slice, slice_service_ids: services }, status, result.failure);
    if (!result.failure) this.#realised.set(uuid, fp);
    return { status, service_ids: services, ...(result.failure ? { failure: result.failure } : {}) };
  }

  async #remove(contextRef: string, sliceRef: string, seen: Set<string>): Promise<void> {
    const slice = await this.#ctx.getSlice(contextRef, sliceRef);
    const uuid = slice.slice_id.slice_uuid.uuid;
    if (seen.has(uuid)) return;
    seen.add(uuid);
    const ctxUuid = slice.slice_id.context_id.context_uuid.uuid;
    this.#known.delete(uuid);
    await this.#removeServices(ctxUuid, slice.slice_service_ids);
    for (const sub of slice.slice_subslice_ids) {
      await this.#remove(sub.context_id.context_uuid.uuid, sub.slice_uuid.uuid, seen).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
    this.#realised.delete(uuid);
    await this.#ctx.removeSlice(ctxUuid, uuid);
  }

  /** After a removal the TFS REST way (the slice is gone): its services go too. */
  async #release(contextUuid: string, sliceUuid: string): Promise<void> {
    const known = this.#known.get(sliceUuid);
    this.#known.delete(sliceUuid);
    this.#realised.delete(sliceUuid);
    if (known) await this.#removeServices(contextUuid, known.services);
  }

  /** Removes the services no other known slice still lists (a service shared by slices stays until the last one goes). */
  async #removeServices(contextUuid: string, ids: readonly T.ServiceId[]): Promise<void> {
    const stillUsed = new Set<string>();
    for (const other of this.#known.values()) for (const s of other.services) stillUsed.add(s.service_uuid.uuid);
    for (const id of ids) {
      if (stillUsed.has(id.service_uuid.uuid)) continue;
      await this.#ctx.removeService(id.context_id.context_uuid.uuid || contextUuid, id.service_uuid.uuid).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
  }

  /** Status and failure rule (set, or deleted when undefined), the rest of the slice as stored. */
  async #writeSlice(slice: T.Slice, status: string, failure: ServiceFailure | undefined): Promise<void> {
    const body = sliceBody(slice, status, slice.slice_service_ids);
    const hadFailure = slice.slice_config.config_rules.some((r) => r.custom?.resource_key === SLICE_FAILURE_KEY);
    body.slice_config = {
      config_rules: failure
        ? [{ action: 'CONFIGACTION_SET', custom: { resource_key: SLICE_FAILURE_KEY, resource_value: failure } }]
        : hadFailure
          ? [{ action: 'CONFIGACTION_DELETE', custom: { resource_key: SLICE_FAILURE_KEY, resource_value: {} } }]
          : [],
    };
    await this.#ctx.apply({ slices: [body] });
  }
}

/** A whole slice for a write (slices are replaced but for their config rules, which merge by key). */
function sliceBody(slice: T.Slice, status: string, services: T.ServiceId[]): { slice_config: { config_rules: unknown[] } } & Record<string, unknown> {
  return {
    slice_id: slice.slice_id,
    name: slice.name,
    slice_endpoint_ids: slice.slice_endpoint_ids,
    slice_constraints: slice.slice_constraints,
    slice_service_ids: services,
    slice_subslice_ids: slice.slice_subslice_ids,
    slice_status: { slice_status: status },
    slice_owner: slice.slice_owner,
    slice_config: { config_rules: [] },
  };
}
