/**
 * Test lab: a controller on 127.0.0.1, three simulated gNMI routers in-process standing in for
 * a TFS fixture's r1..r3 (addresses rewritten), the fixture's other devices emulated.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startController, type RunningController } from '../app/index.js';
import { TFS_FIXTURES } from '../common/fixtures.js';
import { GnmiClient, GnmiStatusError, parsePath, typedValueToJs } from '../protocols/gnmi/index.js';
import { type GnmiSim, startGnmiSim } from '../sim/gnmi/run.js';
import { type NetconfSim, startNetconfSim } from '../sim/netconf/run.js';

export const ROUTERS = ['r1', 'r2', 'r3'];
export const ROUTER_INTERFACES = ['Ethernet1', 'Ethernet2', 'Ethernet3', 'Ethernet10'];

interface RawRule {
  custom: { resource_key: string; resource_value: unknown };
}
export interface ServiceBody {
  service_status: { service_status: string };
  service_config: { config_rules: RawRule[] };
}
interface RawDevice {
  device_id: { device_uuid: { uuid: string } };
  device_drivers: string[];
  device_config: { config_rules: RawRule[] };
}

export const NETCONF_USER = { username: 'oc-admin', password: 'oc-S1m-pass' };

/** Router name → NETCONF simulator device that stands for it instead of a gNMI one. */
export interface NetconfRouters {
  sim: NetconfSim;
  names: string[];
}

export function fixture(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(TFS_FIXTURES, path), 'utf8')) as Record<string, unknown>;
}

/** The fixture topology with router i at 127.0.0.1 and the port of simulator i. */
export function rewriteRouters(topology: Record<string, unknown>, routers: readonly string[], ports: readonly number[], netconf?: NetconfRouters): Record<string, unknown> {
  const t = structuredClone(topology) as { devices: RawDevice[] };
  for (const d of t.devices) {
    const name = d.device_id.device_uuid.uuid;
    const i = routers.indexOf(name);
    if (i < 0) continue;
    const nc = netconf ? netconf.names.indexOf(name) : -1;
    if (nc >= 0) d.device_drivers = ['DEVICEDRIVER_OPENCONFIG'];
    for (const r of d.device_config.config_rules) {
      if (r.custom.resource_key === '_connect/address') r.custom.resource_value = '127.0.0.1';
      if (r.custom.resource_key === '_connect/port') r.custom.resource_value = String(nc >= 0 ? netconf!.sim.devices[nc]!.port : ports[i]);
      if (r.custom.resource_key === '_connect/settings') {
        r.custom.resource_value = nc >= 0 ? { ...NETCONF_USER, hostkey_fingerprint: netconf!.sim.hostKey.fingerprint, timeout: 10 } : { ...(r.custom.resource_value as object), use_tls: false };
      }
    }
  }
  return t;
}

export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Lab {
  c: RunningController;
  sim: GnmiSim;
  netconf?: NetconfSim;
  clients: GnmiClient[];
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** A router's whole configuration (CONFIG data at /, JSON_IETF), read over gNMI. */
  routerConfig(i: number): Promise<unknown>;
  /** One subtree of a router's configuration, or undefined when the router has none there. */
  routerGet(i: number, path: string): Promise<unknown>;
  service(name: string): Promise<ServiceBody>;
  waitStatus(name: string, status: string, failure?: boolean): Promise<ServiceBody>;
  /** Stops the controller and starts another on the same data directory (the routers stay). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface LabOptions {
  /** The fixture's router names (default r1, r2, r3): simulator i stands for router i. */
  routers?: string[];
  interfaces?: string[];
  /** Routers served by the NETCONF simulator (driver DEVICEDRIVER_OPENCONFIG) instead of gNMI. */
  netconf?: string[];
}

export async function startLab(topologyPath: string, options: LabOptions = {}): Promise<Lab> {
  const routers = options.routers ?? ROUTERS;
  const interfaces = options.interfaces ?? ROUTER_INTERFACES;
  const netconfRouters = options.netconf ?? [];
  const sim = await startGnmiSim({ port: 0, count: routers.length, tls: 'insecure', interfaces, hostnamePrefix: 'r' });
  const netconf =
    netconfRouters.length > 0
      ? { names: netconfRouters, sim: await startNetconfSim({ port: 0, count: netconfRouters.length, users: [NETCONF_USER], interfaces, namePrefix: 'nc' }) }
      : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsdn-svc-'));
  // The tests measure nothing: a loaded machine's event-loop lag must not shed their requests.
  const controller = () => startController({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', southboundAllow: '127.0.0.0/8', guard: { shedLagMs: 0 } });
  let c = await controller();
  const clients = await Promise.all(sim.targets.map((t) => GnmiClient.connect({ address: t.address, tls: 'insecure' })));
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${c.url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const routerGet = async (i: number, path: string) => {
    try {
      const [n] = await clients[i]!.get({ paths: [parsePath(path)], type: 'CONFIG', encoding: 'JSON_IETF' });
      const u = n?.update[0];
      return u ? typedValueToJs(u.value) : undefined;
    } catch (e) {
      if ((e as { code?: string }).code === 'NOT_FOUND') return undefined;
      throw e;
    }
  };
  const service = async (name: string) => {
    const r = await call('GET', `/tfs-api/context/admin/service/${name}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as ServiceBody;
  };
  const loaded = await call('POST', '/tfs-api/descriptors', rewriteRouters(fixture(topologyPath), routers, sim.targets.map((t) => t.port), netconf));
  assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
  const enabled = () =>
    until('every device ENABLED', async () => {
      const r = await call('GET', '/tfs-api/devices');
      const devices = dig(r.body, 'devices') as Array<{ device_operational_status: string }>;
      return devices.length > 0 && devices.every((d) => d.device_operational_status === 'DEVICEOPERATIONALSTATUS_ENABLED') ? true : undefined;
    });
  await enabled();
  return {
    get c() {
      return c;
    },
    sim,
    netconf: netconf?.sim,
    clients,
    call,
    routerGet,
    routerConfig: (i) => routerGet(i, '/'),
    service,
    waitStatus: (name, status, failure = false) =>
      until(`${name} ${status}`, async () => {
        const s = await service(name);
        const failed = s.service_config.config_rules.some((r: RawRule) => r.custom.resource_key === '/cnsdn/failure');
        return s.service_status.service_status === status && failed === failure ? s : undefined;
      }),
    async restart() {
      await c.close();
      c = await controller();
      await enabled();
    },
    async close() {
      for (const cl of clients) cl.close();
      await c.close();
      await sim.close();
      await netconf?.sim.close();
    },
  };
}

/** The value of a service config rule, parsed. */
export function ruleValue(service: ServiceBody, key: string): unknown {
  const r = service.service_config.config_rules.find((x) => x.custom.resource_key === key);
  return r === undefined ? undefined : typeof r.custom.resource_value === 'string' ? JSON.parse(r.custom.resource_value) : r.custom.resource_value;
}

/** The value at a path of object keys and array indexes, or undefined. */
export function dig(v: unknown, ...path: Array<string | number>): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

/** The l2_vpn_gnmi_oc fixture's tagged VLAN 125 service under another name, with other `/settings`. */
export function l2Service(name: string, settings: Record<string, unknown>): unknown {
  const svc = dig(fixture('l2_vpn_gnmi_oc/tfs-service-vlan-125-tagged.json'), 'services', 0) as {
    service_id: { service_uuid: { uuid: string } };
    service_config: { config_rules: Array<{ custom: { resource_value: unknown } }> };
  };
  svc.service_id.service_uuid.uuid = name;
  svc.service_config.config_rules[0]!.custom.resource_value = settings;
  return svc;
}

/** Runs fn while simulated router i refuses every Set with a gNMI `code` and `message`. */
export async function whileRefusing<T>(lab: Lab, i: number, code: string, message: string, fn: () => Promise<T>): Promise<T> {
  const target = lab.sim.targets[i]!.target;
  const set = target.set;
  target.set = () => {
    throw new GnmiStatusError(code as ConstructorParameters<typeof GnmiStatusError>[0], message);
  };
  try {
    return await fn();
  } finally {
    target.set = set;
  }
}
