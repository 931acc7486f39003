/** The TFS entity shapes the dashboard reads, and how to name and label them. */

export interface Uuid {
  uuid: string;
}
export interface ContextId {
  context_uuid: Uuid;
}
export interface TopologyId {
  context_id: ContextId;
  topology_uuid: Uuid;
}
export interface DeviceId {
  device_uuid: Uuid;
}
export interface EndpointId {
  topology_id?: TopologyId;
  device_id: DeviceId;
  endpoint_uuid: Uuid;
}
export interface ConfigRule {
  action: string | number;
  custom?: { resource_key: string; resource_value: unknown };
  [other: string]: unknown;
}
export interface Endpoint {
  endpoint_id: EndpointId;
  name?: string;
  endpoint_type?: string;
  kpi_sample_types?: (string | number)[];
}
export interface Device {
  device_id: DeviceId;
  name?: string;
  device_type: string;
  device_config?: { config_rules: ConfigRule[] };
  device_operational_status?: string | number;
  device_drivers?: (string | number)[];
  device_endpoints?: Endpoint[];
  cnsdn?: { managed?: boolean; status_reason?: string; status_since?: string; config_error?: string };
}
export interface Link {
  link_id: { link_uuid: Uuid };
  name?: string;
  link_type?: string;
  link_endpoint_ids: EndpointId[];
  attributes?: Record<string, unknown>;
}
export interface Context {
  context_id: ContextId;
  name?: string;
  topology_ids?: TopologyId[];
}
export interface Topology {
  topology_id: TopologyId;
  name?: string;
  device_ids?: DeviceId[];
  link_ids?: { link_uuid: Uuid }[];
}
export interface TopologyDetails {
  topology_id: TopologyId;
  name?: string;
  devices: Device[];
  links: Link[];
}
export interface Service {
  service_id: { context_id: ContextId; service_uuid: Uuid };
  name?: string;
  service_type?: string | number;
  service_status?: { service_status: string | number };
  service_endpoint_ids?: EndpointId[];
  service_constraints?: unknown[];
  service_config?: { config_rules: ConfigRule[] };
}
export interface Slice {
  slice_id: { context_id: ContextId; slice_uuid: Uuid };
  name?: string;
  slice_status?: { slice_status: string | number };
  slice_endpoint_ids?: EndpointId[];
  slice_constraints?: unknown[];
  slice_config?: { config_rules: ConfigRule[] };
  slice_service_ids?: { context_id: ContextId; service_uuid: Uuid }[];
  slice_subslice_ids?: unknown[];
}
export interface Connection {
  connection_id: { connection_uuid: Uuid };
  service_id?: unknown;
  path_hops_endpoint_ids: EndpointId[];
  sub_service_ids?: unknown[];
}

/** Drops a TFS enum prefix: DEVICEOPERATIONALSTATUS_ENABLED → ENABLED. */
export function label(value: string | number | undefined, prefix: string): string {
  if (value === undefined) return '—';
  const s = String(value);
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

export const deviceStatus = (d: Device) => label(d.device_operational_status, 'DEVICEOPERATIONALSTATUS_');
export const driverLabel = (v: string | number) => label(v, 'DEVICEDRIVER_');
export const kpiLabel = (v: string | number) => label(v, 'KPISAMPLETYPE_');
export const serviceType = (s: Service) => label(s.service_type, 'SERVICETYPE_');
export const serviceStatus = (s: Service) => label(s.service_status?.service_status, 'SERVICESTATUS_');
export const sliceStatus = (s: Slice) => label(s.slice_status?.slice_status, 'SLICESTATUS_');
export const configAction = (r: ConfigRule) => label(r.action, 'CONFIGACTION_');

export function statusTone(status: string): 'ok' | 'bad' | 'warn' | 'muted' {
  if (status === 'ENABLED' || status === 'ACTIVE') return 'ok';
  if (status === 'DISABLED' || status === 'SLA_VIOLATED') return 'bad';
  if (status === 'UNDEFINED' || status === '—') return 'muted';
  return 'warn';
}

export const deviceUuid = (d: Device) => d.device_id.device_uuid.uuid;
export const deviceName = (d: Device) => d.name || deviceUuid(d);
export const linkUuid = (l: Link) => l.link_id.link_uuid.uuid;
export const linkName = (l: Link) => l.name || linkUuid(l);
export const serviceUuid = (s: Service) => s.service_id.service_uuid.uuid;
export const serviceName = (s: Service) => s.name || serviceUuid(s);
export const sliceUuid = (s: Slice) => s.slice_id.slice_uuid.uuid;
export const sliceName = (s: Slice) => s.name || sliceUuid(s);
export const contextUuid = (c: Context) => c.context_id.context_uuid.uuid;
export const contextName = (c: Context) => c.name || contextUuid(c);
export const topologyUuid = (t: Topology) => t.topology_id.topology_uuid.uuid;
export const topologyName = (t: Topology) => t.name || topologyUuid(t);

/** Looks endpoints up by uuid to show "device / endpoint" names for an endpoint id. */
export class Names {
  private readonly devices = new Map<string, Device>();
  private readonly endpoints = new Map<string, string>();

  constructor(devices: Device[]) {
    for (const d of devices) {
      this.devices.set(deviceUuid(d), d);
      for (const e of d.device_endpoints ?? []) this.endpoints.set(e.endpoint_id.endpoint_uuid.uuid, e.name || e.endpoint_id.endpoint_uuid.uuid);
    }
  }

  device(uuid: string): string {
    const d = this.devices.get(uuid);
    return d ? deviceName(d) : uuid;
  }

  endpoint(id: EndpointId): string {
    const ep = id.endpoint_uuid.uuid;
    return `${this.device(id.device_id.device_uuid.uuid)} / ${this.endpoints.get(ep) ?? ep}`;
  }

  has(uuid: string): boolean {
    return this.devices.has(uuid);
  }
}

/** The device's rules outside _connect/, the ones a user edits. */
export function userRules(d: Device): ConfigRule[] {
  return (d.device_config?.config_rules ?? []).filter((r) => r.custom !== undefined);
}

export function ruleValueText(r: ConfigRule): string {
  const v = r.custom?.resource_value;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
