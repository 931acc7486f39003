/**
 * The demo's live devices: simulated gNMI routers in the controller's own process, served over
 * TLS with a CA kept in the data directory, a fresh random password per run. Their devices are
 * (re)written on every demo start so they point at this run's ports and credentials.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startGnmiSim, type GnmiSim } from '../sim/gnmi/run.js';

export interface DemoGnmi {
  descriptor: Record<string, unknown>;
  close(): Promise<void>;
}

export const DEMO_GNMI_ROUTERS = ['GNMI-R1', 'GNMI-R2', 'GNMI-R3'];
const INTERFACES = ['Ethernet1', 'Ethernet2', 'Ethernet3', 'Ethernet4'];

export async function startDemoGnmi(dataDir: string): Promise<DemoGnmi> {
  const password = randomBytes(12).toString('base64url');
  const sim: GnmiSim = await startGnmiSim({
    host: '127.0.0.1',
    port: 0,
    count: DEMO_GNMI_ROUTERS.length,
    tls: { dir: join(dataDir, 'demo-pki') },
    users: [{ username: 'admin', password, role: 'rw' }],
    interfaces: INTERFACES,
    hostnamePrefix: 'gnmi-r',
    defaultSampleIntervalMs: 1000,
  });
  const caPem = await readFile(sim.pki!.caCert, 'utf8');
  const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });
  const devices = DEMO_GNMI_ROUTERS.map((name, i) => ({
    device_id: { device_uuid: { uuid: name } },
    device_type: 'packet-router',
    device_drivers: ['DEVICEDRIVER_GNMI_OPENCONFIG'],
    device_config: {
      config_rules: [
        rule('_connect/address', '127.0.0.1'),
        rule('_connect/port', String(sim.targets[i]!.port)),
        rule('_connect/settings', { username: 'admin', password, use_tls: true, ca_pem: caPem, server_name: 'localhost' }),
      ],
    },
  }));
  const ep = (device: string, endpoint: string) => ({ device_id: { device_uuid: { uuid: device } }, endpoint_uuid: { uuid: endpoint } });
  const link = (a: [string, string], b: [string, string]) => ({
    link_id: { link_uuid: { uuid: `${a[0]}/${a[1]}==${b[0]}/${b[1]}` } },
    link_endpoint_ids: [ep(...a), ep(...b)],
    attributes: { total_capacity_gbps: 100, used_capacity_gbps: 0 },
  });
  const [r1, r2, r3] = DEMO_GNMI_ROUTERS as [string, string, string];
  return {
    descriptor: {
      devices,
      links: [link([r1, 'Ethernet1'], [r2, 'Ethernet1']), link([r2, 'Ethernet2'], [r3, 'Ethernet1']), link([r3, 'Ethernet2'], [r1, 'Ethernet2'])],
    },
    close: () => sim.close(),
  };
}
