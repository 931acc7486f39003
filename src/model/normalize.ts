/**
 * Turns validated TFS input into canonical entities: ids become uuids (TFS's name → UUIDv5 rule),
 * names are kept, enums become names, every field gets its default.
 */
import * as E from './enums.js';
import { uuidFromText } from './ids.js';
import type * as In from './schemas.js';
import type * as T from './types.js';
import { DEFAULT_CONTEXT, DEFAULT_TOPOLOGY } from './types.js';

const name = (table: E.EnumTable, v: unknown, dflt: string): string => (v === undefined ? dflt : (E.enumName(table, v) ?? dflt));

/** Raw id text as given (a name or a uuid). */
export interface Ref {
  uuid: string;
  /** The text the user wrote (equals uuid when a uuid was given). */
  text: string;
}

export const ref = (text: string, prefix?: string): Ref => ({ uuid: uuidFromText(text, prefix), text });

export function contextRef(id: In.ContextIdIn | undefined): Ref {
  return ref(id?.context_uuid.uuid || DEFAULT_CONTEXT);
}

export function contextId(id: In.ContextIdIn | undefined): T.ContextId {
  return { context_uuid: { uuid: contextRef(id).uuid } };
}

export function topologyId(id: In.TopologyIdIn | undefined): T.TopologyId {
  const ctx = contextRef(id?.context_id);
  const topo = ref(id?.topology_uuid.uuid || DEFAULT_TOPOLOGY, ctx.uuid);
  return { context_id: { context_uuid: { uuid: ctx.uuid } }, topology_uuid: { uuid: topo.uuid } };
}

export const deviceId = (id: In.DeviceIdIn): T.DeviceId => ({ device_uuid: { uuid: uuidFromText(id.device_uuid.uuid) } });
export const linkId = (id: In.LinkIdIn): T.LinkId => ({ link_uuid: { uuid: uuidFromText(id.link_uuid.uuid) } });
export const connectionId = (id: In.ConnectionIdIn): T.ConnectionId => ({ connection_uuid: { uuid: uuidFromText(id.connection_uuid.uuid) } });

export function serviceId(id: In.ServiceIdIn): T.ServiceId {
  const ctx = contextId(id.context_id);
  return { context_id: ctx, service_uuid: { uuid: uuidFromText(id.service_uuid.uuid, ctx.context_uuid.uuid) } };
}

export function sliceId(id: In.SliceIdIn): T.SliceId {
  const ctx = contextId(id.context_id);
  return { context_id: ctx, slice_uuid: { uuid: uuidFromText(id.slice_uuid.uuid, ctx.context_uuid.uuid) } };
}

export function endpointId(id: In.EndPointIdIn): T.EndPointId {
  const dev = deviceId(id.device_id);
  return {
    topology_id: topologyId(id.topology_id),
    device_id: dev,
    endpoint_uuid: { uuid: uuidFromText(id.endpoint_uuid.uuid, dev.device_uuid.uuid) },
  };
}

/** TFS's rule for an entity's own id: an empty uuid is taken from the entity's name. */
export function ownIdText(uuid: string, name: string | undefined): string {
  return uuid || name || '';
}

/** The name an entity gets: its explicit name, else the id text when that was not a uuid. */
export function entityName(explicit: string | undefined, idText: string, uuid: string): string {
  if (explicit) return explicit;
  return idText || uuid;
}

export function jsonText(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function configRule(r: In.ConfigRuleIn): T.ConfigRule {
  const out: T.ConfigRule = { action: name(E.ConfigAction, r.action, 'CONFIGACTION_UNDEFINED') };
  if (r.custom) out.custom = { resource_key: r.custom.resource_key, resource_value: jsonText(r.custom.resource_value) };
  if (r.acl) out.acl = { endpoint_id: endpointId(r.acl.endpoint_id), rule_set: r.acl.rule_set };
  return out;
}

export const configRules = (c: { config_rules?: In.ConfigRuleIn[] } | undefined) => ({ config_rules: (c?.config_rules ?? []).map(configRule) });

function location(l: In.LocationIn | undefined): T.Location {
  return l ? { ...l } : {};
}

export function constraint(c: In.ConstraintIn): T.Constraint {
  const out: T.Constraint = { action: name(E.ConstraintAction, c.action, 'CONSTRAINTACTION_UNDEFINED') };
  if (c.custom) out.custom = { constraint_type: c.custom.constraint_type, constraint_value: jsonText(c.custom.constraint_value) };
  if (c.schedule) out.schedule = { start_timestamp: c.schedule.start_timestamp ?? 0, duration_days: c.schedule.duration_days ?? 0 };
  if (c.endpoint_location) out.endpoint_location = { endpoint_id: endpointId(c.endpoint_location.endpoint_id), location: location(c.endpoint_location.location) };
  if (c.endpoint_priority) out.endpoint_priority = { endpoint_id: endpointId(c.endpoint_priority.endpoint_id), priority: c.endpoint_priority.priority ?? 0 };
  if (c.sla_capacity) out.sla_capacity = { capacity_gbps: c.sla_capacity.capacity_gbps };
  if (c.sla_latency) out.sla_latency = { e2e_latency_ms: c.sla_latency.e2e_latency_ms };
  if (c.sla_availability)
    out.sla_availability = {
      num_disjoint_paths: c.sla_availability.num_disjoint_paths ?? 0,
      all_active: c.sla_availability.all_active ?? false,
      availability: c.sla_availability.availability ?? 0,
    };
  if (c.sla_isolation) out.sla_isolation = { isolation_level: (c.sla_isolation.isolation_level ?? []).map((l) => name(E.IsolationLevel, l, 'NO_ISOLATION')) };
  if (c.exclusions)
    out.exclusions = {
      is_permanent: c.exclusions.is_permanent ?? false,
      device_ids: (c.exclusions.device_ids ?? []).map(deviceId),
      endpoint_ids: (c.exclusions.endpoint_ids ?? []).map(endpointId),
      link_ids: (c.exclusions.link_ids ?? []).map(linkId),
    };
  return out;
}

export function endpoint(e: In.EndPointIn, dev: T.DeviceId): T.EndPoint {
  const id = endpointId({ ...e.endpoint_id, device_id: { device_uuid: { uuid: dev.device_uuid.uuid } } });
  return {
    endpoint_id: id,
    name: entityName(e.name, e.endpoint_id.endpoint_uuid.uuid, id.endpoint_uuid.uuid),
    endpoint_type: e.endpoint_type ?? '',
    kpi_sample_types: (e.kpi_sample_types ?? []).map((k) => name(E.KpiSampleType, k, 'KPISAMPLETYPE_UNKNOWN')),
    endpoint_location: location(e.endpoint_location),
    capabilities: { ...(e.capabilities ?? {}) },
  };
}

export function device(d: In.DeviceIn): T.Device {
  const id = deviceId({ device_uuid: { uuid: ownIdText(d.device_id.device_uuid.uuid, d.name) } });
  const out: T.Device = {
    device_id: id,
    name: entityName(d.name, d.device_id.device_uuid.uuid, id.device_uuid.uuid),
    device_type: d.device_type ?? '',
    device_config: configRules(d.device_config),
    device_operational_status: name(E.DeviceOperationalStatus, d.device_operational_status, 'DEVICEOPERATIONALSTATUS_UNDEFINED'),
    device_drivers: (d.device_drivers ?? []).map((x) => name(E.DeviceDriver, x, 'DEVICEDRIVER_UNDEFINED')),
    device_endpoints: (d.device_endpoints ?? []).map((e) => endpoint(e, id)),
    components: (d.components ?? []).map((c) => {
      const cname = c.name ?? c.component_uuid?.uuid ?? '';
      return {
        component_uuid: { uuid: uuidFromText(c.component_uuid?.uuid || cname, id.device_uuid.uuid) },
        name: cname,
        type: c.type ?? '',
        attributes: { ...(c.attributes ?? {}) },
        parent: c.parent ?? '',
      };
    }),
  };
  if (d.controller_id?.device_uuid.uuid) out.controller_id = deviceId(d.controller_id);
  return out;
}

export function link(l: In.LinkIn): T.Link {
  const id = linkId({ link_uuid: { uuid: ownIdText(l.link_id.link_uuid.uuid, l.name) } });
  const attributes: T.Link['attributes'] = {
    total_capacity_gbps: l.attributes?.total_capacity_gbps ?? 0,
    used_capacity_gbps: l.attributes?.used_capacity_gbps ?? 0,
  };
  if (l.attributes?.is_bidirectional !== undefined) attributes.is_bidirectional = l.attributes.is_bidirectional;
  return {
    link_id: id,
    name: entityName(l.name, l.link_id.link_uuid.uuid, id.link_uuid.uuid),
    link_type: name(E.LinkType, l.link_type, 'LINKTYPE_UNKNOWN'),
    link_endpoint_ids: (l.link_endpoint_ids ?? []).map(endpointId),
    attributes,
  };
}

export function service(s: In.ServiceIn): T.Service {
  const id = serviceId({ ...s.service_id, service_uuid: { uuid: ownIdText(s.service_id.service_uuid.uuid, s.name) } });
  return {
    service_id: id,
    name: entityName(s.name, s.service_id.service_uuid.uuid, id.service_uuid.uuid),
    service_type: name(E.ServiceType, s.service_type, 'SERVICETYPE_UNKNOWN'),
    service_endpoint_ids: (s.service_endpoint_ids ?? []).map(endpointId),
    service_constraints: (s.service_constraints ?? []).map(constraint),
    service_status: { service_status: name(E.ServiceStatus, s.service_status?.service_status, 'SERVICESTATUS_UNDEFINED') },
    service_config: configRules(s.service_config),
    timestamp: { timestamp: s.timestamp?.timestamp ?? 0 },
  };
}

export function slice(s: In.SliceIn): T.Slice {
  const id = sliceId({ ...s.slice_id, slice_uuid: { uuid: ownIdText(s.slice_id.slice_uuid.uuid, s.name) } });
  return {
    slice_id: id,
    name: entityName(s.name, s.slice_id.slice_uuid.uuid, id.slice_uuid.uuid),
    slice_endpoint_ids: (s.slice_endpoint_ids ?? []).map(endpointId),
    slice_constraints: (s.slice_constraints ?? []).map(constraint),
    slice_service_ids: (s.slice_service_ids ?? []).map(serviceId),
    slice_subslice_ids: (s.slice_subslice_ids ?? []).map(sliceId),
    slice_status: { slice_status: name(E.SliceStatus, s.slice_status?.slice_status, 'SLICESTATUS_UNDEFINED') },
    slice_config: configRules(s.slice_config),
    slice_owner: {
      owner_uuid: { uuid: s.slice_owner?.owner_uuid?.uuid ? uuidFromText(s.slice_owner.owner_uuid.uuid) : '' },
      owner_string: s.slice_owner?.owner_string ?? '',
    },
    timestamp: { timestamp: s.timestamp?.timestamp ?? 0 },
  };
}

export function connection(c: In.ConnectionIn): T.Connection {
  return {
    connection_id: connectionId(c.connection_id),
    service_id: serviceId(c.service_id),
    path_hops_endpoint_ids: (c.path_hops_endpoint_ids ?? []).map(endpointId),
    sub_service_ids: (c.sub_service_ids ?? []).map(serviceId),
    settings: c.settings ?? {},
  };
}

export function context(c: In.ContextIn): T.Context {
  const id = contextId(c.context_id);
  return {
    context_id: id,
    name: entityName(c.name, c.context_id.context_uuid.uuid, id.context_uuid.uuid),
    topology_ids: [],
    service_ids: [],
    slice_ids: [],
  };
}

export function topology(t: In.TopologyIn): T.Topology {
  const id = topologyId(t.topology_id);
  return {
    topology_id: id,
    name: entityName(t.name, t.topology_id.topology_uuid.uuid, id.topology_uuid.uuid),
    device_ids: (t.device_ids ?? []).map(deviceId),
    link_ids: (t.link_ids ?? []).map(linkId),
    optical_link_ids: (t.optical_link_ids ?? []).map(linkId),
  };
}
