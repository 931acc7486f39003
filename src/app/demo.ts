/** The demo topology `npm start` loads into an empty context: emulated routers in a ring, two DCs. */
export function demoDescriptor(): Record<string, unknown> {
  const ctx = { context_uuid: { uuid: 'admin' } };
  const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
  const counters = [101, 102, 201, 202];
  const device = (name: string, type: string, endpoints: string[]) => ({
    device_id: { device_uuid: { uuid: name } },
    device_type: type,
    device_drivers: ['DEVICEDRIVER_UNDEFINED'],
    device_config: {
      config_rules: [
        rule('_connect/address', '127.0.0.1'),
        rule('_connect/port', '0'),
        rule('_connect/settings', { endpoints: endpoints.map((e) => ({ uuid: e, type: 'copper', sample_types: counters })) }),
      ],
    },
  });
  const link = (a: [string, string], b: [string, string]) => ({
    link_id: { link_uuid: { uuid: `${a[0]}/${a[1]}==${b[0]}/${b[1]}` } },
    link_endpoint_ids: [a, b].map(([d, e]) => ({ device_id: { device_uuid: { uuid: d } }, endpoint_uuid: { uuid: e } })),
    attributes: { total_capacity_gbps: 100, used_capacity_gbps: 0 },
  });
  const routers = ['R1', 'R2', 'R3', 'R4'];
  return {
    contexts: [{ context_id: ctx }],
    topologies: [{ topology_id: { context_id: ctx, topology_uuid: { uuid: 'admin' } } }],
    devices: [
      ...routers.map((r) => device(r, 'emu-packet-router', ['1/1', '1/2', '1/3'])),
      device('DC1', 'emu-datacenter', ['eth1']),
      device('DC2', 'emu-datacenter', ['eth1']),
    ],
    links: [
      ...routers.map((r, i) => link([r, '1/1'], [routers[(i + 1) % routers.length]!, '1/2'])),
      link(['DC1', 'eth1'], ['R1', '1/3']),
      link(['DC2', 'eth1'], ['R3', '1/3']),
    ],
  };
}
