/** OpenConfig trees read from a device → TFS resources (the reverse of compose.ts). */
import type { Resource } from '../../device/index.js';
import { stripPrefix } from './compose.js';
import { interfaceKey, networkInstanceKey, niInterfaceKey, niProtocolKey, niVlanKey, staticRouteKey, subinterfaceKey } from './keys.js';
import { compact, type Fields } from './values.js';

type Node = Record<string, unknown>;

const obj = (v: unknown): Node => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Node) : {});
const list = (v: unknown): Node[] => (Array.isArray(v) ? v.map(obj) : []);
/** Config when the device gives it, state otherwise (a STATE read, or a device that mirrors). */
const settings = (n: Node): Node => ({ ...obj(n.state), ...obj(n.config) });
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const num = (v: unknown): number | undefined => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v));
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined);
const ident = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : stripPrefix(String(v)));
/** next-hop indexes are strings in OpenConfig; TFS gives numbers. */
const indexValue = (v: unknown): number | string | undefined => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : (v as string | undefined));

const NI_TYPE_NAMES: Record<string, string> = { DEFAULT_INSTANCE: 'DEFAULT' };

export function renderInterfaces(tree: unknown): Resource[] {
  const out: Resource[] = [];
  for (const itf of list(obj(obj(tree).interfaces).interface)) {
    const name = str(itf.name);
    if (name === undefined) continue;
    const c = settings(itf);
    const mtu = num(c.mtu);
    out.push([
      interfaceKey(name),
      compact({ name, type: ident(c.type), description: str(c.description), mtu, enabled: bool(c.enabled) }),
    ]);
    for (const sub of list(obj(itf.subinterfaces).subinterface)) {
      const index = num(sub.index);
      if (index === undefined) continue;
      const sc = settings(sub);
      const vlan = obj(sub.vlan);
      const vlanId = num(settings(vlan)['vlan-id']) ?? num(settings(obj(obj(vlan.match)['single-tagged']))['vlan-id']);
      const address = list(obj(obj(sub.ipv4).addresses).address)[0];
      const value: Fields = compact({
        name,
        index,
        enabled: bool(sc.enabled),
        description: str(sc.description),
        vlan_id: vlanId,
        address_ip: address ? str(address.ip) : undefined,
        address_prefix: address ? num(settings(address)['prefix-length']) : undefined,
        mtu,
      });
      out.push([subinterfaceKey(name, index), value]);
    }
  }
  return out;
}

function renderStaticRoutes(ni: string, protocol: string, p: Node): Resource[] {
  const out: Resource[] = [];
  for (const route of list(obj(p['static-routes']).static)) {
    const prefix = str(route.prefix);
    if (prefix === undefined) continue;
    const hops = list(obj(route['next-hops'])['next-hop']).map((h) => {
      const hc = settings(h);
      return compact({ next_hop_index: indexValue(h.index), next_hop: str(hc['next-hop']), metric: num(hc.metric) });
    });
    const value: Fields = { name: ni, prefix, ...(hops[0] ?? {}) };
    if (protocol !== 'STATIC') value.protocol_name = protocol;
    if (hops.length > 1) value.next_hops = hops;
    out.push([staticRouteKey(ni, protocol, prefix), value]);
  }
  return out;
}

export function renderNetworkInstances(tree: unknown): Resource[] {
  const out: Resource[] = [];
  for (const n of list(obj(obj(tree)['network-instances'])['network-instance'])) {
    const ni = str(n.name);
    if (ni === undefined) continue;
    const c = settings(n);
    const type = ident(c.type);
    out.push([
      networkInstanceKey(ni),
      compact({
        name: ni,
        type: type === undefined ? undefined : (NI_TYPE_NAMES[type] ?? type),
        description: str(c.description),
        route_distinguisher: str(c['route-distinguisher']),
      }),
    ]);
    for (const i of list(obj(n.interfaces).interface)) {
      const id = str(i.id);
      if (id === undefined) continue;
      const ic = settings(i);
      out.push([niInterfaceKey(ni, id), compact({ name: ni, id, interface: str(ic.interface), subinterface: num(ic.subinterface) })]);
    }
    for (const p of list(obj(n.protocols).protocol)) {
      const identifier = ident(p.identifier);
      const name = str(p.name);
      if (identifier === undefined || name === undefined) continue;
      out.push([niProtocolKey(ni, name), { name: ni, identifier, protocol_name: name }]);
      if (identifier === 'STATIC') out.push(...renderStaticRoutes(ni, name, p));
    }
    for (const v of list(obj(n.vlans).vlan)) {
      const vlanId = num(v['vlan-id']);
      if (vlanId === undefined) continue;
      out.push([niVlanKey(ni, vlanId), compact({ vlan_id: vlanId, name: str(settings(v).name) })]);
    }
  }
  return out;
}
