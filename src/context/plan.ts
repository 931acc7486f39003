/**
 * Plans a change set (a TFS descriptor, or one entity from the NBI) against the current state:
 * merges with what is stored as TFS does, checks every reference, and yields the writes —
 * or every error found, with the JSON path of each. Nothing is written here.
 */
import { CnsdnError, type ErrorDetail, pointer } from '../common/errors.js';
import { normalize as N, type schemas } from '../model/index.js';
import type * as T from '../model/types.js';
import { UNDISCOVERED_ENDPOINT_TYPE } from '../model/types.js';
import { uuidFromText } from '../model/ids.js';
import type { EntityKind } from '../store/api.js';
import type { StateView, ViewEntry } from './view.js';

export type Action = 'created' | 'updated' | 'unchanged';

export interface PlannedEntity {
  kind: EntityKind;
  uuid: string;
  name: string;
  action: Action;
}

export interface PlanOptions {
  /** Descriptor semantics (default): topology members are added to. NBI PUT replaces them. */
  replaceTopologyMembers?: boolean;
  /** POST semantics: an entity that exists already is an error. */
  createOnly?: boolean;
  /** dummy_mode: devices are recorded but never connected. */
  unmanaged?: boolean;
}

export interface Plan {
  entities: PlannedEntity[];
  view: StateView;
  errors: ErrorDetail[];
}

type D = schemas.DescriptorIn;

const settingsEndpointsKey = '_connect/settings';
/** Where a device without endpoints joins: the default topology. */
const DEFAULT_ENDPOINT_TOPOLOGY: T.EndPointId = N.endpointId({ device_id: { device_uuid: { uuid: '-' } }, endpoint_uuid: { uuid: '-' } });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The endpoints an emulated device declares in `_connect/settings.endpoints`. */
export function declaredEndpoints(device: T.Device): T.EndPoint[] | undefined {
  const rule = device.device_config.config_rules.find((r) => r.custom?.resource_key === settingsEndpointsKey && r.action !== 'CONFIGACTION_DELETE');
  if (!rule?.custom) return undefined;
  const settings = parseJson(rule.custom.resource_value) as { endpoints?: unknown };
  if (!settings || typeof settings !== 'object' || !Array.isArray(settings.endpoints)) return undefined;
  const out: T.EndPoint[] = [];
  for (const raw of settings.endpoints as Array<Record<string, unknown>>) {
    const text = String(raw.uuid ?? raw.name ?? '');
    if (!text) continue;
    out.push(
      N.endpoint(
        {
          endpoint_id: { device_id: { device_uuid: { uuid: device.device_id.device_uuid.uuid } }, endpoint_uuid: { uuid: text } },
          name: typeof raw.name === 'string' ? raw.name : text,
          endpoint_type: typeof raw.type === 'string' ? raw.type : '',
          kpi_sample_types: Array.isArray(raw.sample_types) ? (raw.sample_types as never[]) : [],
        },
        device.device_id,
      ),
    );
  }
  return out;
}

/** True when a device's endpoint list is known (declared or discovered), so a missing endpoint is an error. */
export function endpointsAuthoritative(device: T.Device): boolean {
  return device.device_endpoints.some((e) => e.endpoint_type !== UNDISCOVERED_ENDPOINT_TYPE);
}

/** Config rules merged as TFS does: SET adds or replaces by key, DELETE removes. */
export function mergeConfigRules(existing: T.ConfigRule[], incoming: T.ConfigRule[]): T.ConfigRule[] {
  const byKey = new Map<string, T.ConfigRule>();
  const acls: T.ConfigRule[] = [];
  for (const r of existing) {
    if (r.custom) byKey.set(r.custom.resource_key, r);
    else acls.push(r);
  }
  for (const r of incoming) {
    if (!r.custom) {
      acls.push(r);
      continue;
    }
    if (r.action === 'CONFIGACTION_DELETE') byKey.delete(r.custom.resource_key);
    else byKey.set(r.custom.resource_key, { ...r, action: 'CONFIGACTION_SET' });
  }
  return [...byKey.values(), ...acls];
}

function mergeEndpoints(existing: T.EndPoint[], incoming: T.EndPoint[]): T.EndPoint[] {
  const byUuid = new Map(existing.map((e) => [e.endpoint_id.endpoint_uuid.uuid, e]));
  for (const e of incoming) byUuid.set(e.endpoint_id.endpoint_uuid.uuid, e);
  return [...byUuid.values()];
}

function unionIds<I>(existing: I[], incoming: I[], key: (i: I) => string): I[] {
  const seen = new Set(existing.map(key));
  const out = [...existing];
  for (const i of incoming) {
    if (seen.has(key(i))) continue;
    seen.add(key(i));
    out.push(i);
  }
  return out;
}

const devKey = (d: T.DeviceId) => d.device_uuid.uuid;
const linkKey = (l: T.LinkId) => l.link_uuid.uuid;
const topoUuid = (t: T.TopologyId) => t.topology_uuid.uuid;

function isController(d: T.Device, referenced: Set<string>): boolean {
  return referenced.has(devKey(d.device_id)) || /controller/i.test(d.device_type);
}

export async function plan(descriptor: D, view: StateView, options: PlanOptions = {}): Promise<Plan> {
  const errors: ErrorDetail[] = [];
  const err = (path: string, message: string, code: ErrorDetail['code'] = 'DANGLING_REFERENCE') => errors.push({ path, message, code });
  const touchedOrder: Array<{ kind: EntityKind; uuid: string }> = [];
  const touch = <B>(kind: EntityKind, uuid: string, parent: string | null, name: string, body: B) => {
    const e = view.peek(kind, uuid);
    if (!e?.touched) touchedOrder.push({ kind, uuid });
    return view.set(kind, uuid, parent, name, body);
  };

  const contexts = (descriptor.contexts ?? []).map((c, i) => ({ path: `/contexts/${i}`, v: N.context(c) }));
  const topologies = (descriptor.topologies ?? []).map((t, i) => ({ path: `/topologies/${i}`, v: N.topology(t), raw: t }));
  const controllerRefs = new Set((descriptor.devices ?? []).flatMap((d) => (d.controller_id ? [uuidFromText(d.controller_id.device_uuid.uuid)] : [])));
  // TFS order: controllers first, then the other devices (stable within each group).
  const devices = (descriptor.devices ?? [])
    .map((d, i) => ({ path: `/devices/${i}`, v: N.device(d), raw: d }))
    .map((d) => ({ ...d, controller: isController(d.v, controllerRefs) }))
    .sort((a, b) => Number(b.controller) - Number(a.controller));
  const links = (descriptor.links ?? []).map((l, i) => ({ path: `/links/${i}`, v: N.link(l) }));
  const services = (descriptor.services ?? []).map((s, i) => ({ path: `/services/${i}`, v: N.service(s), raw: s }));
  const slices = (descriptor.slices ?? []).map((s, i) => ({ path: `/slices/${i}`, v: N.slice(s), raw: s }));
  const connections = (descriptor.connections ?? []).map((c, i) => ({ path: `/connections/${i}`, v: N.connection(c) }));

  // Duplicate ids inside one change set.
  const dup = (kind: string, items: Array<{ path: string; id: string; idPath: string }>) => {
    const first = new Map<string, string>();
    for (const it of items) {
      const prev = first.get(it.id);
      if (prev !== undefined) err(it.path + it.idPath, `duplicate ${kind} id (first given at ${prev})`, 'VALIDATION_FAILED');
      else first.set(it.id, it.path);
    }
  };
  dup('context', contexts.map((c) => ({ path: c.path, id: c.v.context_id.context_uuid.uuid, idPath: '/context_id' })));
  dup('topology', topologies.map((t) => ({ path: t.path, id: topoUuid(t.v.topology_id), idPath: '/topology_id' })));
  dup('device', devices.map((d) => ({ path: d.path, id: devKey(d.v.device_id), idPath: '/device_id' })));
  dup('link', links.map((l) => ({ path: l.path, id: linkKey(l.v.link_id), idPath: '/link_id' })));
  dup('service', services.map((s) => ({ path: s.path, id: s.v.service_id.service_uuid.uuid, idPath: '/service_id' })));
  dup('slice', slices.map((s) => ({ path: s.path, id: s.v.slice_id.slice_uuid.uuid, idPath: '/slice_id' })));
  dup('connection', connections.map((c) => ({ path: c.path, id: c.v.connection_id.connection_uuid.uuid, idPath: '/connection_id' })));

  // TFS would invent a random uuid for an entity with neither; a re-import would then duplicate it.
  const needId = (path: string, uuid: string, name: string | undefined) => {
    if (!uuid && !name) err(path, 'must not be empty unless the entity has a name', 'VALIDATION_FAILED');
  };
  for (const d of devices) needId(`${d.path}/device_id/device_uuid/uuid`, d.raw.device_id.device_uuid.uuid, d.raw.name);
  (descriptor.links ?? []).forEach((l, i) => {
    needId(`/links/${i}/link_id/link_uuid/uuid`, l.link_id.link_uuid.uuid, l.name);
  });
  for (const s of services) needId(`${s.path}/service_id/service_uuid/uuid`, s.raw.service_id.service_uuid.uuid, s.raw.name);
  for (const s of slices) needId(`${s.path}/slice_id/slice_uuid/uuid`, s.raw.slice_id.slice_uuid.uuid, s.raw.name);

  // Batched reads of everything the change set names.
  const endpointDevices = (ids: T.EndPointId[]) => ids.map((e) => e.device_id.device_uuid.uuid);
  await view.preload('context', [
    ...contexts.map((c) => c.v.context_id.context_uuid.uuid),
    ...topologies.map((t) => t.v.topology_id.context_id.context_uuid.uuid),
    ...services.map((s) => s.v.service_id.context_id.context_uuid.uuid),
    ...slices.map((s) => s.v.slice_id.context_id.context_uuid.uuid),
  ]);
  const allEndpointIds = [
    ...links.flatMap((l) => l.v.link_endpoint_ids),
    ...services.flatMap((s) => s.v.service_endpoint_ids),
    ...slices.flatMap((s) => s.v.slice_endpoint_ids),
    ...connections.flatMap((c) => c.v.path_hops_endpoint_ids),
    ...devices.flatMap((d) => d.v.device_endpoints.map((e) => e.endpoint_id)),
  ];
  await view.preload('topology', [
    ...topologies.map((t) => topoUuid(t.v.topology_id)),
    ...allEndpointIds.map((e) => topoUuid(e.topology_id)),
    ...(devices.length ? [topoUuid(DEFAULT_ENDPOINT_TOPOLOGY.topology_id)] : []),
  ]);
  await view.preload('device', [
    ...devices.map((d) => devKey(d.v.device_id)),
    ...devices.flatMap((d) => (d.v.controller_id ? [devKey(d.v.controller_id)] : [])),
    ...topologies.flatMap((t) => t.v.device_ids.map(devKey)),
    ...endpointDevices(allEndpointIds),
  ]);
  await view.preload('link', [...links.map((l) => linkKey(l.v.link_id)), ...topologies.flatMap((t) => t.v.link_ids.map(linkKey))]);
  await view.preload('service', [
    ...services.map((s) => s.v.service_id.service_uuid.uuid),
    ...slices.flatMap((s) => s.v.slice_service_ids.map((x) => x.service_uuid.uuid)),
    ...connections.map((c) => c.v.service_id.service_uuid.uuid),
  ]);
  await view.preload('slice', [...slices.map((s) => s.v.slice_id.slice_uuid.uuid), ...slices.flatMap((s) => s.v.slice_subslice_ids.map((x) => x.slice_uuid.uuid))]);
  await view.preload('connection', connections.map((c) => c.v.connection_id.connection_uuid.uuid));

  const exists = (kind: EntityKind, uuid: string) => view.peek(kind, uuid) !== undefined;
  const checkNew = (kind: EntityKind, uuid: string, path: string, label: string) => {
    const e = view.peek(kind, uuid);
    if (options.createOnly && e && e.storedRevision !== undefined) err(path, `${kind} ${label} already exists`, 'ALREADY_EXISTS');
  };

  for (const c of contexts) {
    const uuid = c.v.context_id.context_uuid.uuid;
    checkNew('context', uuid, `${c.path}/context_id`, c.v.name);
    touch('context', uuid, null, c.v.name, c.v);
  }

  const topologyMembers: Array<{ path: string; v: T.Topology }> = [];
  for (const t of topologies) {
    const ctx = t.v.topology_id.context_id.context_uuid.uuid;
    if (!exists('context', ctx)) err(`${t.path}/topology_id/context_id`, `context ${t.raw.topology_id.context_id?.context_uuid.uuid ?? 'admin'} does not exist`);
    const uuid = topoUuid(t.v.topology_id);
    checkNew('topology', uuid, `${t.path}/topology_id`, t.v.name);
    const prev = view.peek<T.Topology>('topology', uuid);
    // Membership is applied last (TFS: topologies are updated after devices and links).
    const body: T.Topology = prev
      ? { ...prev.body, topology_id: t.v.topology_id, name: t.v.name }
      : { ...t.v, device_ids: [], link_ids: [], optical_link_ids: [] };
    touch('topology', uuid, ctx, t.v.name, body);
    topologyMembers.push({ path: t.path, v: t.v });
  }

  // New devices and links join the topologies their endpoints name (TFS: admin/admin by default).
  const joins: Array<{ kind: 'device' | 'link'; member: string; topologies: Set<string> }> = [];
  const joinTopologies = (kind: 'device' | 'link', member: string, ids: T.EndPointId[]) =>
    joins.push({ kind, member, topologies: new Set(ids.map((e) => topoUuid(e.topology_id))) });

  for (const d of devices) {
    const uuid = devKey(d.v.device_id);
    checkNew('device', uuid, `${d.path}/device_id`, d.v.name);
    const prev = view.peek<T.Device>('device', uuid);
    const merged: T.Device = prev
      ? {
          ...prev.body,
          name: d.v.name,
          device_type: d.raw.device_type !== undefined ? d.v.device_type : prev.body.device_type,
          device_config: { config_rules: mergeConfigRules(prev.body.device_config.config_rules, d.v.device_config.config_rules) },
          device_operational_status: d.raw.device_operational_status !== undefined ? d.v.device_operational_status : prev.body.device_operational_status,
          device_drivers: d.raw.device_drivers !== undefined ? d.v.device_drivers : prev.body.device_drivers,
          device_endpoints: mergeEndpoints(prev.body.device_endpoints, d.v.device_endpoints),
          components: d.raw.components !== undefined ? d.v.components : prev.body.components,
        }
      : { ...d.v, device_config: { config_rules: mergeConfigRules([], d.v.device_config.config_rules) } };
    if (d.v.controller_id) {
      merged.controller_id = d.v.controller_id;
      if (!exists('device', devKey(d.v.controller_id))) err(`${d.path}/controller_id`, `controller device ${d.raw.controller_id?.device_uuid.uuid} does not exist`);
    }
    const declared = declaredEndpoints(merged);
    if (declared) merged.device_endpoints = mergeEndpoints(declared, merged.device_endpoints);
    merged.cnsdn = { ...(prev?.body.cnsdn ?? {}), managed: options.unmanaged ? false : (prev?.body.cnsdn?.managed ?? true) };
    if (options.unmanaged) merged.cnsdn.managed = false;
    d.v.device_endpoints.forEach((e, j) => {
      if (!exists('topology', topoUuid(e.endpoint_id.topology_id)))
        err(`${d.path}/device_endpoints/${j}/endpoint_id/topology_id`, `topology of endpoint ${e.name} does not exist`);
    });
    touch('device', uuid, null, merged.name, merged);
    if (!prev) joinTopologies('device', uuid, [...merged.device_endpoints.map((e) => e.endpoint_id), DEFAULT_ENDPOINT_TOPOLOGY]);
  }

  /** Checks an endpoint reference; adds a declared-but-undiscovered endpoint where the device's list is not known yet. */
  const resolveEndpoint = (id: T.EndPointId, raw: schemas.EndPointIdIn | undefined, path: string) => {
    const devUuid = devKey(id.device_id);
    const dev = view.peek<T.Device>('device', devUuid);
    const devText = raw?.device_id.device_uuid.uuid ?? devUuid;
    if (!dev) {
      err(`${path}/device_id`, `device ${devText} does not exist`);
      return;
    }
    const epUuid = id.endpoint_uuid.uuid;
    if (dev.body.device_endpoints.some((e) => e.endpoint_id.endpoint_uuid.uuid === epUuid)) return;
    const epText = raw?.endpoint_uuid.uuid ?? epUuid;
    if (endpointsAuthoritative(dev.body)) {
      const known = dev.body.device_endpoints.map((e) => e.name).slice(0, 20).join(', ');
      err(`${path}/endpoint_uuid`, `device ${dev.body.name} has no endpoint ${epText} (it has: ${known})`);
      return;
    }
    const placeholder: T.EndPoint = {
      endpoint_id: { ...id },
      name: epText,
      endpoint_type: UNDISCOVERED_ENDPOINT_TYPE,
      kpi_sample_types: [],
      endpoint_location: {},
      capabilities: {},
    };
    touch('device', devUuid, null, dev.name, { ...dev.body, device_endpoints: [...dev.body.device_endpoints, placeholder] });
  };
  const rawIds = (obj: unknown, field: string): schemas.EndPointIdIn[] => ((obj as Record<string, schemas.EndPointIdIn[] | undefined>)[field] ?? []);

  (descriptor.links ?? []).forEach((rawLink, i) => {
    const l = links[i]!;
    const uuid = linkKey(l.v.link_id);
    checkNew('link', uuid, `${l.path}/link_id`, l.v.name);
    l.v.link_endpoint_ids.forEach((id, j) => {
      resolveEndpoint(id, rawIds(rawLink, 'link_endpoint_ids')[j], `${l.path}/link_endpoint_ids/${j}`);
    });
    const prev = view.peek<T.Link>('link', uuid);
    touch('link', uuid, null, l.v.name, l.v);
    if (!prev) joinTopologies('link', uuid, l.v.link_endpoint_ids);
  });

  for (const s of services) {
    const ctx = s.v.service_id.context_id.context_uuid.uuid;
    if (!exists('context', ctx)) err(`${s.path}/service_id/context_id`, `context ${s.raw.service_id.context_id?.context_uuid.uuid ?? 'admin'} does not exist`);
    const uuid = s.v.service_id.service_uuid.uuid;
    checkNew('service', uuid, `${s.path}/service_id`, s.v.name);
    s.v.service_endpoint_ids.forEach((id, j) => {
      resolveEndpoint(id, s.raw.service_endpoint_ids?.[j], `${s.path}/service_endpoint_ids/${j}`);
    });
    const prev = view.peek<T.Service>('service', uuid);
    const merged: T.Service = prev
      ? {
          ...prev.body,
          name: s.v.name,
          service_type: s.raw.service_type !== undefined ? s.v.service_type : prev.body.service_type,
          service_endpoint_ids: s.v.service_endpoint_ids.length ? s.v.service_endpoint_ids : prev.body.service_endpoint_ids,
          service_constraints: s.v.service_constraints.length ? s.v.service_constraints : prev.body.service_constraints,
          service_status: s.raw.service_status !== undefined ? s.v.service_status : prev.body.service_status,
          service_config: { config_rules: mergeConfigRules(prev.body.service_config.config_rules, s.v.service_config.config_rules) },
          timestamp: s.raw.timestamp !== undefined ? s.v.timestamp : prev.body.timestamp,
        }
      : { ...s.v, service_config: { config_rules: mergeConfigRules([], s.v.service_config.config_rules) } };
    touch('service', uuid, ctx, merged.name, merged);
  }

  for (const s of slices) {
    const ctx = s.v.slice_id.context_id.context_uuid.uuid;
    if (!exists('context', ctx)) err(`${s.path}/slice_id/context_id`, `context ${s.raw.slice_id.context_id?.context_uuid.uuid ?? 'admin'} does not exist`);
    const uuid = s.v.slice_id.slice_uuid.uuid;
    checkNew('slice', uuid, `${s.path}/slice_id`, s.v.name);
    s.v.slice_endpoint_ids.forEach((id, j) => {
      resolveEndpoint(id, s.raw.slice_endpoint_ids?.[j], `${s.path}/slice_endpoint_ids/${j}`);
    });
    s.v.slice_service_ids.forEach((id, j) => {
      if (!exists('service', id.service_uuid.uuid)) err(`${s.path}/slice_service_ids/${j}`, `service ${s.raw.slice_service_ids?.[j]?.service_uuid.uuid} does not exist`);
    });
    s.v.slice_subslice_ids.forEach((id, j) => {
      if (!exists('slice', id.slice_uuid.uuid)) err(`${s.path}/slice_subslice_ids/${j}`, `slice ${s.raw.slice_subslice_ids?.[j]?.slice_uuid.uuid} does not exist`);
    });
    const prev = view.peek<T.Slice>('slice', uuid);
    const merged: T.Slice = prev
      ? {
          ...s.v,
          slice_config: { config_rules: mergeConfigRules(prev.body.slice_config.config_rules, s.v.slice_config.config_rules) },
          slice_status: s.raw.slice_status !== undefined ? s.v.slice_status : prev.body.slice_status,
        }
      : s.v;
    touch('slice', uuid, ctx, merged.name, merged);
  }

  (descriptor.connections ?? []).forEach((raw, i) => {
    const c = connections[i]!;
    const svc = c.v.service_id.service_uuid.uuid;
    if (!exists('service', svc)) err(`${c.path}/service_id`, `service ${raw.service_id.service_uuid.uuid} does not exist`);
    c.v.path_hops_endpoint_ids.forEach((id, j) => {
      resolveEndpoint(id, raw.path_hops_endpoint_ids?.[j], `${c.path}/path_hops_endpoint_ids/${j}`);
    });
    const uuid = c.v.connection_id.connection_uuid.uuid;
    checkNew('connection', uuid, `${c.path}/connection_id`, uuid);
    touch('connection', uuid, svc, uuid, c.v);
  });

  const added = new Map<string, { devices: T.DeviceId[]; links: T.LinkId[] }>();
  for (const j of joins) {
    for (const tu of j.topologies) {
      if (!view.peek('topology', tu)) continue;
      const a = added.get(tu) ?? { devices: [], links: [] };
      if (j.kind === 'device') a.devices.push({ device_uuid: { uuid: j.member } });
      else a.links.push({ link_uuid: { uuid: j.member } });
      added.set(tu, a);
    }
  }
  for (const [tu, a] of added) {
    const topo = view.peek<T.Topology>('topology', tu)!;
    const body = { ...topo.body, device_ids: unionIds(topo.body.device_ids, a.devices, devKey), link_ids: unionIds(topo.body.link_ids, a.links, linkKey) };
    touch('topology', tu, topo.parent, topo.name, body);
  }

  // Topologies last: their own member lists.
  topologyMembers.forEach(({ path, v }) => {
    const uuid = topoUuid(v.topology_id);
    v.device_ids.forEach((d, j) => {
      if (!exists('device', devKey(d))) err(`${path}/device_ids/${j}`, `device ${devKey(d)} does not exist`);
    });
    v.link_ids.forEach((l, j) => {
      if (!exists('link', linkKey(l))) err(`${path}/link_ids/${j}`, `link ${linkKey(l)} does not exist`);
    });
    const topo = view.peek<T.Topology>('topology', uuid)!;
    const body = options.replaceTopologyMembers
      ? { ...topo.body, device_ids: v.device_ids, link_ids: v.link_ids, optical_link_ids: v.optical_link_ids }
      : {
          ...topo.body,
          device_ids: unionIds(topo.body.device_ids, v.device_ids, devKey),
          link_ids: unionIds(topo.body.link_ids, v.link_ids, linkKey),
          optical_link_ids: unionIds(topo.body.optical_link_ids, v.optical_link_ids, linkKey),
        };
    touch('topology', uuid, topo.parent, topo.name, body);
  });

  const actions = new Map(view.changes().map((c) => [`${c.entry.kind}:${c.entry.uuid}`, c.action]));
  const entities = touchedOrder.map(({ kind, uuid }) => {
    const e = view.peek(kind, uuid) as ViewEntry;
    return { kind, uuid, name: e.name, action: actions.get(`${kind}:${uuid}`) ?? 'unchanged' };
  });
  return { entities, view, errors };
}

/** Throws the plan's errors as one coded error listing all of them. */
export function assertPlanOk(p: Plan, what = 'descriptor'): void {
  if (p.errors.length === 0) return;
  const code = p.errors.every((e) => e.code === p.errors[0]!.code) ? (p.errors[0]!.code ?? 'VALIDATION_FAILED') : 'VALIDATION_FAILED';
  const first = p.errors[0]!;
  throw new CnsdnError(code, `${what} rejected with ${p.errors.length} error(s); first: ${first.path}: ${first.message}`, p.errors);
}

export { pointer };
