/** Canonical (stored and returned) TFS entities: uuids in ids, enums as names, every field present. */
export interface Uuid { uuid: string }
export interface ContextId { context_uuid: Uuid }
export interface TopologyId { context_id: ContextId; topology_uuid: Uuid }
export interface DeviceId { device_uuid: Uuid }
export interface LinkId { link_uuid: Uuid }
export interface ServiceId { context_id: ContextId; service_uuid: Uuid }
export interface SliceId { context_id: ContextId; slice_uuid: Uuid }
export interface ConnectionId { connection_uuid: Uuid }
export interface EndPointId { topology_id: TopologyId; device_id: DeviceId; endpoint_uuid: Uuid }

export interface ConfigRule {
  action: string;
  custom?: { resource_key: string; resource_value: string };
  acl?: { endpoint_id: EndPointId; rule_set: unknown };
}

export interface Location {
  region?: string;
  gps_position?: { latitude: number; longitude: number };
  interface?: string;
  circuit_pack?: string;
}

export interface EndPoint {
  endpoint_id: EndPointId;
  name: string;
  endpoint_type: string;
  kpi_sample_types: string[];
  endpoint_location: Location;
  capabilities: Record<string, unknown>;
}

export interface Component {
  component_uuid: Uuid;
  name: string;
  type: string;
  attributes: Record<string, string>;
  parent: string;
}

export interface Device {
  device_id: DeviceId;
  name: string;
  device_type: string;
  device_config: { config_rules: ConfigRule[] };
  device_operational_status: string;
  device_drivers: string[];
  device_endpoints: EndPoint[];
  components: Component[];
  controller_id?: DeviceId;
  /** cnsdn's own report, not part of TFS's model: never exported in descriptors. */
  cnsdn?: DeviceReport;
}

export interface DeviceReport {
  /** false when loaded in dummy_mode: the controller never connects to it. */
  managed: boolean;
  /** Why the device is DISABLED (a coded message), when it is. */
  status_reason?: string;
  /** ISO time of the last status change. */
  status_since?: string;
  /** Why the device refused the configuration last pushed to it (the device's words), when it did. */
  config_error?: string;
}

export interface Link {
  link_id: LinkId;
  name: string;
  link_type: string;
  link_endpoint_ids: EndPointId[];
  attributes: { is_bidirectional?: boolean; total_capacity_gbps: number; used_capacity_gbps: number };
}

export interface Constraint {
  action: string;
  custom?: { constraint_type: string; constraint_value: string };
  schedule?: { start_timestamp: number; duration_days: number };
  endpoint_location?: { endpoint_id: EndPointId; location: Location };
  endpoint_priority?: { endpoint_id: EndPointId; priority: number };
  sla_capacity?: { capacity_gbps: number };
  sla_latency?: { e2e_latency_ms: number };
  sla_availability?: { num_disjoint_paths: number; all_active: boolean; availability: number };
  sla_isolation?: { isolation_level: string[] };
  exclusions?: { is_permanent: boolean; device_ids: DeviceId[]; endpoint_ids: EndPointId[]; link_ids: LinkId[] };
}

export interface Service {
  service_id: ServiceId;
  name: string;
  service_type: string;
  service_endpoint_ids: EndPointId[];
  service_constraints: Constraint[];
  service_status: { service_status: string };
  service_config: { config_rules: ConfigRule[] };
  timestamp: { timestamp: number };
}

export interface Slice {
  slice_id: SliceId;
  name: string;
  slice_endpoint_ids: EndPointId[];
  slice_constraints: Constraint[];
  slice_service_ids: ServiceId[];
  slice_subslice_ids: SliceId[];
  slice_status: { slice_status: string };
  slice_config: { config_rules: ConfigRule[] };
  slice_owner: { owner_uuid: Uuid; owner_string: string };
  timestamp: { timestamp: number };
}

export interface Connection {
  connection_id: ConnectionId;
  service_id: ServiceId;
  path_hops_endpoint_ids: EndPointId[];
  sub_service_ids: ServiceId[];
  settings: unknown;
}

/** Stored topology: membership lives here. */
export interface Topology {
  topology_id: TopologyId;
  name: string;
  device_ids: DeviceId[];
  link_ids: LinkId[];
  optical_link_ids: LinkId[];
}

/** Stored context: topology/service/slice ids are derived from the store when read. */
export interface Context {
  context_id: ContextId;
  name: string;
  topology_ids: TopologyId[];
  service_ids: ServiceId[];
  slice_ids: SliceId[];
}

/** endpoint_type of an endpoint that a link or service named before its device reported it. */
export const UNDISCOVERED_ENDPOINT_TYPE = 'undiscovered';
export const DEFAULT_CONTEXT = 'admin';
export const DEFAULT_TOPOLOGY = 'admin';
