/** TFS-shaped answers used by the CLI tests (as the controller's REST API would send them). */

const epId = (dev: string, ep: string) => ({
  topology_id: { context_id: { context_uuid: { uuid: 'ctx-uuid' } }, topology_uuid: { uuid: 'topo-uuid' } },
  device_id: { device_uuid: { uuid: dev } },
  endpoint_uuid: { uuid: ep },
});

export const devices = [
  {
    device_id: { device_uuid: { uuid: 'uuid-r1' } },
    name: 'R1',
    device_type: 'emu-packet-router',
    device_operational_status: 'DEVICEOPERATIONALSTATUS_ENABLED',
    device_drivers: ['DEVICEDRIVER_UNDEFINED'],
    device_config: { config_rules: [] },
    device_endpoints: [
      { endpoint_id: epId('uuid-r1', 'ep-r1-1'), name: '1/1', endpoint_type: 'copper' },
      { endpoint_id: epId('uuid-r1', 'ep-r1-2'), name: '1/2', endpoint_type: 'copper' },
    ],
  },
  {
    device_id: { device_uuid: { uuid: 'uuid-r2' } },
    name: 'R2-long-name',
    device_type: 'packet-router',
    device_operational_status: 'DEVICEOPERATIONALSTATUS_DISABLED',
    device_drivers: ['DEVICEDRIVER_OPENCONFIG', 'DEVICEDRIVER_GNMI_OPENCONFIG'],
    device_config: { config_rules: [] },
    device_endpoints: [{ endpoint_id: epId('uuid-r2', 'ep-r2-1'), name: 'Ethernet1', endpoint_type: 'copper' }],
  },
];

export const links = [
  {
    link_id: { link_uuid: { uuid: 'uuid-l1' } },
    name: 'R1/1/1==R2/Ethernet1',
    link_endpoint_ids: [epId('uuid-r1', 'ep-r1-1'), epId('uuid-r2', 'ep-r2-1')],
  },
  {
    link_id: { link_uuid: { uuid: 'uuid-l2' } },
    name: 'to-unknown',
    link_endpoint_ids: [epId('uuid-r1', 'ep-r1-2'), epId('uuid-x', 'ep-x')],
  },
];

export const services = [
  {
    service_id: { context_id: { context_uuid: { uuid: 'ctx-uuid' } }, service_uuid: { uuid: 'uuid-s1' } },
    name: 'svc1',
    service_type: 'SERVICETYPE_L2NM',
    service_status: { service_status: 'SERVICESTATUS_ACTIVE' },
    service_endpoint_ids: [epId('uuid-r1', 'ep-r1-2'), epId('uuid-r2', 'ep-r2-1')],
    service_constraints: [],
    service_config: { config_rules: [] },
  },
];

export const slices = [
  {
    slice_id: { context_id: { context_uuid: { uuid: 'ctx-uuid' } }, slice_uuid: { uuid: 'uuid-sl1' } },
    name: 'slice1',
    slice_status: { slice_status: 'SLICESTATUS_PLANNED' },
    slice_endpoint_ids: [epId('uuid-r1', 'ep-r1-1')],
    slice_service_ids: [services[0].service_id],
  },
];

export const contexts = [
  {
    context_id: { context_uuid: { uuid: 'ctx-uuid' } },
    name: 'admin',
    topology_ids: [{ topology_uuid: { uuid: 'topo-uuid' } }],
    service_ids: [services[0].service_id],
    slice_ids: [],
  },
];
