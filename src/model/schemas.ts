/**
 * The one schema source for TFS-shaped input: validates NBI bodies and descriptors, yields the
 * TypeScript input types and feeds the OpenAPI document. Field and enum names are TFS's.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import * as E from './enums.js';

/** An enum accepted as its name or its number (protobuf JSON accepts both). */
function Enum(table: E.EnumTable, title: string) {
  const names = Object.keys(table);
  return Type.Union([Type.Union(names.map((n) => Type.Literal(n))), Type.Union(Object.values(table).map((n) => Type.Literal(n)))], {
    title,
    'x-enum-names': names,
    description: `${title}: one of ${names.join(', ')} (or its number)`,
  });
}

const Obj = <T extends Record<string, TSchema>>(props: T, title?: string) =>
  Type.Object(props, { additionalProperties: false, ...(title ? { title } : {}) });
const Opt = Type.Optional;

export const Uuid = Obj({ uuid: Type.String({ maxLength: 512 }) }, 'Uuid');
export const ContextId = Obj({ context_uuid: Uuid }, 'ContextId');
export const TopologyId = Obj({ context_id: Opt(ContextId), topology_uuid: Uuid }, 'TopologyId');
export const DeviceId = Obj({ device_uuid: Uuid }, 'DeviceId');
export const LinkId = Obj({ link_uuid: Uuid }, 'LinkId');
export const ServiceId = Obj({ context_id: Opt(ContextId), service_uuid: Uuid }, 'ServiceId');
export const SliceId = Obj({ context_id: Opt(ContextId), slice_uuid: Uuid }, 'SliceId');
export const ConnectionId = Obj({ connection_uuid: Uuid }, 'ConnectionId');
export const EndPointId = Obj({ topology_id: Opt(TopologyId), device_id: DeviceId, endpoint_uuid: Uuid }, 'EndPointId');

const Json = Type.Unknown({ description: 'any JSON value; non-string values are stored JSON-encoded, as TFS does' });

export const ConfigRule = Obj(
  {
    action: Opt(Enum(E.ConfigAction, 'ConfigActionEnum')),
    custom: Opt(Obj({ resource_key: Type.String({ maxLength: 4096 }), resource_value: Opt(Json) }, 'ConfigRule_Custom')),
    acl: Opt(Obj({ endpoint_id: EndPointId, rule_set: Json }, 'ConfigRule_ACL')),
  },
  'ConfigRule',
);
export const DeviceConfig = Obj({ config_rules: Opt(Type.Array(ConfigRule, { maxItems: 100000 })) }, 'DeviceConfig');

export const Location = Obj(
  {
    region: Opt(Type.String()),
    gps_position: Opt(Obj({ latitude: Type.Number(), longitude: Type.Number() })),
    interface: Opt(Type.String()),
    circuit_pack: Opt(Type.String()),
  },
  'Location',
);

export const EndPoint = Obj(
  {
    endpoint_id: EndPointId,
    name: Opt(Type.String()),
    endpoint_type: Opt(Type.String()),
    kpi_sample_types: Opt(Type.Array(Enum(E.KpiSampleType, 'KpiSampleType'))),
    endpoint_location: Opt(Location),
    capabilities: Opt(Type.Record(Type.String(), Json)),
  },
  'EndPoint',
);

export const Component = Obj(
  {
    component_uuid: Opt(Uuid),
    name: Opt(Type.String()),
    type: Opt(Type.String()),
    attributes: Opt(Type.Record(Type.String(), Type.String())),
    parent: Opt(Type.String()),
  },
  'Component',
);

export const Device = Obj(
  {
    device_id: DeviceId,
    name: Opt(Type.String()),
    device_type: Opt(Type.String()),
    device_config: Opt(DeviceConfig),
    device_operational_status: Opt(Enum(E.DeviceOperationalStatus, 'DeviceOperationalStatusEnum')),
    device_drivers: Opt(Type.Array(Enum(E.DeviceDriver, 'DeviceDriverEnum'))),
    device_endpoints: Opt(Type.Array(EndPoint, { maxItems: 100000 })),
    components: Opt(Type.Array(Component)),
    controller_id: Opt(DeviceId),
    /** cnsdn's own status report (as returned by GET); accepted and ignored on input. */
    cnsdn: Opt(Type.Unknown()),
  },
  'Device',
);

export const LinkAttributes = Obj(
  {
    is_bidirectional: Opt(Type.Boolean()),
    total_capacity_gbps: Opt(Type.Number({ minimum: 0 })),
    used_capacity_gbps: Opt(Type.Number({ minimum: 0 })),
  },
  'LinkAttributes',
);

export const Link = Obj(
  {
    link_id: LinkId,
    name: Opt(Type.String()),
    link_type: Opt(Enum(E.LinkType, 'LinkTypeEnum')),
    link_endpoint_ids: Opt(Type.Array(EndPointId)),
    attributes: Opt(LinkAttributes),
  },
  'Link',
);

export const Constraint = Obj(
  {
    action: Opt(Enum(E.ConstraintAction, 'ConstraintActionEnum')),
    custom: Opt(Obj({ constraint_type: Type.String(), constraint_value: Opt(Json) })),
    schedule: Opt(Obj({ start_timestamp: Opt(Type.Number()), duration_days: Opt(Type.Number()) })),
    endpoint_location: Opt(Obj({ endpoint_id: EndPointId, location: Location })),
    endpoint_priority: Opt(Obj({ endpoint_id: EndPointId, priority: Opt(Type.Integer()) })),
    sla_capacity: Opt(Obj({ capacity_gbps: Type.Number({ minimum: 0 }) })),
    sla_latency: Opt(Obj({ e2e_latency_ms: Type.Number({ minimum: 0 }) })),
    sla_availability: Opt(
      Obj({
        num_disjoint_paths: Opt(Type.Integer({ minimum: 0 })),
        all_active: Opt(Type.Boolean()),
        availability: Opt(Type.Number({ minimum: 0, maximum: 100 })),
      }),
    ),
    sla_isolation: Opt(Obj({ isolation_level: Opt(Type.Array(Enum(E.IsolationLevel, 'IsolationLevelEnum'))) })),
    exclusions: Opt(
      Obj({
        is_permanent: Opt(Type.Boolean()),
        device_ids: Opt(Type.Array(DeviceId)),
        endpoint_ids: Opt(Type.Array(EndPointId)),
        link_ids: Opt(Type.Array(LinkId)),
      }),
    ),
  },
  'Constraint',
);

const Timestamp = Obj({ timestamp: Type.Number() }, 'Timestamp');

export const Service = Obj(
  {
    service_id: ServiceId,
    name: Opt(Type.String()),
    service_type: Opt(Enum(E.ServiceType, 'ServiceTypeEnum')),
    service_endpoint_ids: Opt(Type.Array(EndPointId)),
    service_constraints: Opt(Type.Array(Constraint)),
    service_status: Opt(Obj({ service_status: Enum(E.ServiceStatus, 'ServiceStatusEnum') })),
    service_config: Opt(DeviceConfig),
    timestamp: Opt(Timestamp),
  },
  'Service',
);

export const Slice = Obj(
  {
    slice_id: SliceId,
    name: Opt(Type.String()),
    slice_endpoint_ids: Opt(Type.Array(EndPointId)),
    slice_constraints: Opt(Type.Array(Constraint)),
    slice_service_ids: Opt(Type.Array(ServiceId)),
    slice_subslice_ids: Opt(Type.Array(SliceId)),
    slice_status: Opt(Obj({ slice_status: Enum(E.SliceStatus, 'SliceStatusEnum') })),
    slice_config: Opt(DeviceConfig),
    slice_owner: Opt(Obj({ owner_uuid: Opt(Uuid), owner_string: Opt(Type.String()) })),
    timestamp: Opt(Timestamp),
  },
  'Slice',
);

export const Connection = Obj(
  {
    connection_id: ConnectionId,
    service_id: ServiceId,
    path_hops_endpoint_ids: Opt(Type.Array(EndPointId)),
    sub_service_ids: Opt(Type.Array(ServiceId)),
    settings: Opt(Json),
  },
  'Connection',
);

export const Context = Obj(
  {
    context_id: ContextId,
    name: Opt(Type.String()),
    topology_ids: Opt(Type.Array(TopologyId)),
    service_ids: Opt(Type.Array(ServiceId)),
    slice_ids: Opt(Type.Array(SliceId)),
  },
  'Context',
);

export const Topology = Obj(
  {
    topology_id: TopologyId,
    name: Opt(Type.String()),
    device_ids: Opt(Type.Array(DeviceId)),
    link_ids: Opt(Type.Array(LinkId)),
    optical_link_ids: Opt(Type.Array(LinkId)),
  },
  'Topology',
);

export const Descriptor = Obj(
  {
    dummy_mode: Opt(Type.Boolean()),
    contexts: Opt(Type.Array(Context)),
    topologies: Opt(Type.Array(Topology)),
    devices: Opt(Type.Array(Device)),
    links: Opt(Type.Array(Link)),
    services: Opt(Type.Array(Service)),
    slices: Opt(Type.Array(Slice)),
    connections: Opt(Type.Array(Connection)),
  },
  'Descriptor',
);

export type UuidIn = Static<typeof Uuid>;
export type ContextIdIn = Static<typeof ContextId>;
export type TopologyIdIn = Static<typeof TopologyId>;
export type DeviceIdIn = Static<typeof DeviceId>;
export type LinkIdIn = Static<typeof LinkId>;
export type ServiceIdIn = Static<typeof ServiceId>;
export type SliceIdIn = Static<typeof SliceId>;
export type ConnectionIdIn = Static<typeof ConnectionId>;
export type EndPointIdIn = Static<typeof EndPointId>;
export type ConfigRuleIn = Static<typeof ConfigRule>;
export type ConstraintIn = Static<typeof Constraint>;
export type EndPointIn = Static<typeof EndPoint>;
export type LocationIn = Static<typeof Location>;
export type DeviceIn = Static<typeof Device>;
export type LinkIn = Static<typeof Link>;
export type ServiceIn = Static<typeof Service>;
export type SliceIn = Static<typeof Slice>;
export type ConnectionIn = Static<typeof Connection>;
export type ContextIn = Static<typeof Context>;
export type TopologyIn = Static<typeof Topology>;
export type DescriptorIn = Static<typeof Descriptor>;
