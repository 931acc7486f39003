/** A deterministic TFS descriptor of emulated devices joined by random links. */

import { seededRandom } from '../src/common/random.js';

export { seededRandom };

export interface DescriptorShape {
  devices: number;
  links: number;
  endpointsPerDevice: number;
  seed: number;
}

export const deviceName = (i: number): string => `dev-${String(i).padStart(5, '0')}`;
export const endpointName = (j: number): string => `eth${j}`;

const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
const deviceId = (name: string) => ({ device_uuid: { uuid: name } });

export function generateDescriptor(shape: DescriptorShape): Record<string, unknown> {
  const rand = seededRandom(shape.seed);
  const context_id = { context_uuid: { uuid: 'admin' } };
  const devices = Array.from({ length: shape.devices }, (_, i) => ({
    device_id: deviceId(deviceName(i)),
    device_type: 'emu-packet-router',
    device_drivers: ['DEVICEDRIVER_UNDEFINED'],
    device_operational_status: 'DEVICEOPERATIONALSTATUS_UNDEFINED',
    device_config: {
      config_rules: [
        rule('_connect/address', '127.0.0.1'),
        rule('_connect/port', '0'),
        rule('_connect/settings', {
          endpoints: Array.from({ length: shape.endpointsPerDevice }, (_, j) => ({ uuid: endpointName(j), type: 'copper', sample_types: [101, 102, 201, 202] })),
        }),
      ],
    },
    device_endpoints: [],
  }));

  const names = new Set<string>();
  const links: unknown[] = [];
  const pick = (n: number) => Math.floor(rand() * n);
  // Collisions are rare (10^4 devices × 8 endpoints squared); the bound only guards a bad shape.
  for (let attempts = 0; links.length < shape.links && attempts < shape.links * 10; attempts++) {
    const a = pick(shape.devices);
    let b = pick(shape.devices - 1);
    if (b >= a) b++;
    const ea = endpointName(pick(shape.endpointsPerDevice));
    const eb = endpointName(pick(shape.endpointsPerDevice));
    const name = `${deviceName(a)}/${ea}==${deviceName(b)}/${eb}`;
    if (names.has(name)) continue;
    names.add(name);
    links.push({
      link_id: { link_uuid: { uuid: name } },
      link_endpoint_ids: [
        { device_id: deviceId(deviceName(a)), endpoint_uuid: { uuid: ea } },
        { device_id: deviceId(deviceName(b)), endpoint_uuid: { uuid: eb } },
      ],
    });
  }
  if (links.length < shape.links) throw new Error(`could only generate ${links.length} distinct links`);

  return {
    contexts: [{ context_id, topology_ids: [], service_ids: [] }],
    topologies: [{ topology_id: { context_id, topology_uuid: { uuid: 'admin' } }, device_ids: [], link_ids: [] }],
    devices,
    links,
  };
}
