/**
 * What a service asks of each device, before any driver's keys: one network instance, the
 * subinterfaces it holds, its VLAN and its static routes. L2NM and L3NM build it from the
 * paths and the service settings; handlers render it per driver.
 */
import { CnsdnError } from '../common/errors.js';
import type * as T from '../model/types.js';
import type { DeviceHop, HopEndpoint, ServicePath } from './paths.js';
import { networkOf, otherHost, type LinkPool } from './pool.js';
import type { ServiceSettings, Settings } from './settings.js';

export interface SubinterfaceIntent {
  interface: string;
  index: number;
  vlan_id?: number;
  address_ip?: string;
  address_prefix?: number;
  mtu?: number;
}

export interface DeviceIntent {
  device: T.Device;
  networkInstance: { name: string; type: 'L2VSI' | 'L3VRF'; route_distinguisher?: string };
  subinterfaces: SubinterfaceIntent[];
  vlans: number[];
  staticRoutes: Array<{ prefix: string; next_hop: string }>;
}

export interface IntentInput {
  service: T.Service;
  paths: ServicePath[];
  settings: ServiceSettings;
  pool: LinkPool;
  /** /30s this service holds already, by link uuid (kept across re-activations). */
  previousLinks: ReadonlyMap<string, string>;
  /** /30s held by other services. */
  usedElsewhere: ReadonlySet<string>;
}

export interface IntentOutput {
  devices: DeviceIntent[];
  /** /30s the service holds, by link uuid. */
  links: Map<string, string>;
}

/** A network instance name devices accept: the service name, or its uuid when the name is unusable. */
export function networkInstanceName(service: T.Service, settings: Settings): string {
  const given = settings.ni_name ?? settings.vrf_name;
  if (typeof given === 'string' && given.length > 0) return given;
  const name = service.name.replace(/[^A-Za-z0-9_.-]/g, '-');
  return name.length > 0 && name.length <= 32 ? name : `svc-${service.service_id.service_uuid.uuid.slice(0, 8)}`;
}

function intOf(s: Settings, field: string, where: string): number | undefined {
  const v = s[field];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new CnsdnError('INVALID_ARGUMENT', `${where}: ${field} must be a whole number, got ${JSON.stringify(v)}`, [{ path: '/service_config', message: `${field} is not a whole number` }]);
  return n;
}

/** The first of several names a setting goes by (TFS handlers use both spellings). */
function field(s: Settings, ...names: string[]): Settings {
  for (const n of names) if (s[n] !== undefined && s[n] !== null && s[n] !== '') return { [names[0]!]: s[n] };
  return {};
}

const indexOf = (s: Settings, where: string) => intOf(field(s, 'index', 'sub_interface_index'), 'index', where);

/** Static routes the settings give outright: `static_routes: [{prefix, next_hop}]`. */
function givenRoutes(s: Settings, where: string): Array<{ prefix: string; next_hop: string }> {
  const v = s.static_routes;
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((r) => typeof r?.prefix !== 'string' || typeof r?.next_hop !== 'string')) {
    throw new CnsdnError('INVALID_ARGUMENT', `${where}: static_routes must be a list of {prefix, next_hop}`, [{ path: '/service_config', message: 'invalid static_routes' }]);
  }
  return v.map((r: { prefix: string; next_hop: string }) => {
    const [ip, len] = r.prefix.split('/');
    return { prefix: networkOf(ip ?? '', Number(len ?? 32)), next_hop: r.next_hop };
  });
}

function boolOf(v: unknown): boolean {
  return v === true || v === 'true';
}

class Devices {
  readonly byUuid = new Map<string, DeviceIntent>();
  constructor(private readonly ni: DeviceIntent['networkInstance']) {}

  of(device: T.Device): DeviceIntent {
    const uuid = device.device_id.device_uuid.uuid;
    let d = this.byUuid.get(uuid);
    if (!d) {
      d = { device, networkInstance: this.ni, subinterfaces: [], vlans: [], staticRoutes: [] };
      this.byUuid.set(uuid, d);
    }
    return d;
  }

  addSubinterface(device: T.Device, sub: SubinterfaceIntent): void {
    const d = this.of(device);
    const same = d.subinterfaces.find((s) => s.interface === sub.interface && s.index === sub.index);
    if (!same) d.subinterfaces.push(sub);
    else Object.assign(same, sub);
  }
}

/** Access endpoints: the service's own, and link ends whose peer device holds a service endpoint. */
function isAccess(hop: DeviceHop, ep: HopEndpoint, accessDevices: Set<string>): boolean {
  if (ep.service || accessDevices.has(hop.device.device_id.device_uuid.uuid)) return true;
  return ep.peer !== undefined && accessDevices.has(ep.peer.device.device_id.device_uuid.uuid);
}

function accessDevicesOf(service: T.Service): Set<string> {
  return new Set(service.service_endpoint_ids.map((e) => e.device_id.device_uuid.uuid));
}

/**
 * L2NM: an L2VSI instance on every device of the path with the service VLAN; trunk subinterfaces
 * (between devices that hold no service endpoint) always carry the VLAN, access ones only with
 * `access_vlan_tagged`. Subinterface index: `index` when set, else the VLAN id when tagged, else 0.
 */
export function l2nmIntent(input: IntentInput): IntentOutput {
  const { service, settings } = input;
  const vlan = intOf(settings.global, 'vlan_id', '/settings');
  const ni = { name: networkInstanceName(service, settings.global), type: 'L2VSI' as const };
  const devices = new Devices(ni);
  const access = accessDevicesOf(service);
  for (const path of input.paths) {
    for (const hop of path.hops) {
      const d = devices.of(hop.device);
      for (const ep of hop.endpoints) {
        const s = settings.merged(hop.device, ep.endpoint);
        const where = `${hop.device.name}:${ep.endpoint.name}`;
        const vlanId = intOf(s, 'vlan_id', where) ?? vlan;
        if (vlanId === undefined) throw new CnsdnError('INVALID_ARGUMENT', `L2NM service ${service.name} needs a vlan_id in /settings or in the settings of ${where}`, [{ path: '/service_config', message: 'no vlan_id' }]);
        const tagged = !isAccess(hop, ep, access) || boolOf(s.access_vlan_tagged);
        const index = indexOf(s, where) ?? (tagged ? vlanId : 0);
        const mtu = intOf(s, 'mtu', where);
        devices.addSubinterface(hop.device, { interface: ep.endpoint.name, index, ...(tagged ? { vlan_id: vlanId } : {}), ...(mtu !== undefined ? { mtu } : {}) });
        if (!d.vlans.includes(vlanId)) d.vlans.push(vlanId);
      }
    }
  }
  return { devices: [...devices.byUuid.values()], links: new Map() };
}

interface Addressed {
  ip: string;
  prefix: number;
}

/**
 * L3NM: an L3VRF on every device of the path. Addresses come from endpoint settings
 * (`address_ip`/`ipv4_address`, `address_prefix`/`ipv4_prefix`); a link end without one takes a host of its peer's subnet when
 * the peer has an address, else both ends of the link share a /30 from the pool. Every device
 * gets static routes to the subnets the settings named (the access subnets) that are not its own,
 * via the next device towards them, after the routes the settings give (`static_routes`).
 * BGP is not configured.
 */
export function l3nmIntent(input: IntentInput): IntentOutput {
  const { service, settings } = input;
  const rd = settings.global.route_distinguisher;
  const ni = { name: networkInstanceName(service, settings.global), type: 'L3VRF' as const, ...(typeof rd === 'string' && rd ? { route_distinguisher: rd } : {}) };
  const devices = new Devices(ni);
  const links = new Map<string, string>();
  const used = new Set(input.usedElsewhere);
  const explicit = (hop: DeviceHop, ep: HopEndpoint): Addressed | undefined => {
    const s = settings.endpointOnly(hop.device, ep.endpoint);
    const ip = field(s, 'address_ip', 'ipv4_address').address_ip;
    if (typeof ip !== 'string') return undefined;
    const prefix = intOf(field(s, 'address_prefix', 'ipv4_prefix'), 'address_prefix', `${hop.device.name}:${ep.endpoint.name}`) ?? 32;
    networkOf(ip, prefix);
    return { ip, prefix };
  };
  for (const path of input.paths) {
    const n = path.hops.length;
    const addr = path.hops.map((hop) => hop.endpoints.map((ep) => explicit(hop, ep)));
    /** Subnets named in settings, by the index of the device they sit on (a link's lies on both ends). */
    const named: Array<{ subnet: string; at: number[] }> = [];
    addr.forEach((onDevice, i) => {
      for (const a of onDevice) if (a) named.push({ subnet: networkOf(a.ip, a.prefix), at: [i] });
    });
    for (let i = 0; i + 1 < n; i++) {
      const out = path.hops[i]!.endpoints.length - 1;
      const a = addr[i]![out];
      const b = addr[i + 1]![0];
      if (a && !b) addr[i + 1]![0] = { ip: otherHost(a.ip, a.prefix), prefix: a.prefix };
      else if (b && !a) addr[i]![out] = { ip: otherHost(b.ip, b.prefix), prefix: b.prefix };
      else if (!a && !b) {
        const linkUuid = path.hops[i]!.endpoints[out]!.peer!.linkUuid;
        let subnet = links.get(linkUuid) ?? input.previousLinks.get(linkUuid);
        if (!subnet || (used.has(subnet) && !links.has(linkUuid))) subnet = input.pool.allocate(used);
        used.add(subnet);
        links.set(linkUuid, subnet);
        const base = subnet.split('/')[0]!;
        addr[i]![out] = { ip: otherHost(base, 30), prefix: 30 };
        addr[i + 1]![0] = { ip: otherHost(addr[i]![out]!.ip, 30), prefix: 30 };
      }
      for (const s of named) if (s.subnet === networkOf(addr[i]![out]!.ip, addr[i]![out]!.prefix)) s.at.push(i + 1);
    }
    path.hops.forEach((hop, i) => {
      const d = devices.of(hop.device);
      hop.endpoints.forEach((ep, k) => {
        const s = settings.merged(hop.device, ep.endpoint);
        const where = `${hop.device.name}:${ep.endpoint.name}`;
        const vlanId = intOf(s, 'vlan_id', where);
        const mtu = intOf(s, 'mtu', where);
        const a = addr[i]![k];
        devices.addSubinterface(hop.device, {
          interface: ep.endpoint.name,
          index: indexOf(s, where) ?? vlanId ?? 0,
          ...(vlanId !== undefined ? { vlan_id: vlanId } : {}),
          ...(a ? { address_ip: a.ip, address_prefix: a.prefix } : {}),
          ...(mtu !== undefined ? { mtu } : {}),
        });
      });
      const where = hop.device.name;
      for (const r of givenRoutes(hop.endpoints[0] ? settings.merged(hop.device, hop.endpoints[0].endpoint) : settings.global, where)) {
        if (!d.staticRoutes.some((x) => x.prefix === r.prefix)) d.staticRoutes.push(r);
      }
      for (const s of named) {
        if (s.at.includes(i)) continue;
        const right = s.at.some((j) => j > i);
        const via = right ? addr[i + 1]?.[0] : addr[i - 1]?.[path.hops[i - 1]!.endpoints.length - 1];
        if (!via) continue;
        if (!d.staticRoutes.some((r) => r.prefix === s.subnet)) d.staticRoutes.push({ prefix: s.subnet, next_hop: via.ip });
      }
    });
  }
  return { devices: [...devices.byUuid.values()], links };
}
