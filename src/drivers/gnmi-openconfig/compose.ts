/**
 * TFS resources → gNMI Set operations on OpenConfig paths, as TFS's gNMI OpenConfig driver
 * composes them. Names cross into another module's namespace with RFC 7951 prefixes.
 */
import { CnsdnError } from '../../common/errors.js';
import type { GnmiPath, PathElem } from '../../protocols/gnmi/index.js';
import type { ResourceRef } from './keys.js';
import { compact, type Fields, fieldsOf, optBool, optInt, optString, sameAs } from './values.js';

export interface SetUpdate {
  path: GnmiPath;
  value: Fields;
}

const NI_TYPES = 'openconfig-network-instance-types';
const POLICY_TYPES = 'openconfig-policy-types';
/** TFS short names for network-instance types; the rest are the OpenConfig identities themselves. */
const NI_TYPE_ALIASES: Record<string, string> = { DEFAULT: 'DEFAULT_INSTANCE' };

export const stripPrefix = (s: string): string => s.slice(s.indexOf(':') + 1);

const path = (...elems: PathElem[]): GnmiPath => ({ elem: elems });
const ifElems = (ifName: string): PathElem[] => [{ name: 'interfaces' }, { name: 'interface', key: { name: ifName } }];
const niElems = (ni: string): PathElem[] => [{ name: 'network-instances' }, { name: 'network-instance', key: { name: ni } }];
const protocolElem = (identifier: string, name: string): PathElem => ({
  name: 'protocol',
  key: { identifier: `${POLICY_TYPES}:${identifier}`, name },
});

export function niTypeIdentity(type: string): string {
  const bare = stripPrefix(type);
  return `${NI_TYPES}:${NI_TYPE_ALIASES[bare] ?? bare}`;
}

/** The interface and subinterface index a network-instance interface id ("Ethernet1.100") names. */
function splitInterfaceId(id: string): { ifName: string; index?: number } {
  const m = /^(.+)\.(\d+)$/.exec(id);
  return m ? { ifName: m[1], index: Number(m[2]) } : { ifName: id };
}

function protocolOf(key: string, ref: { protocol: string }, f: Fields): { identifier: string; name: string } {
  const identifier = stripPrefix(optString(key, f, 'identifier') ?? ref.protocol);
  return { identifier, name: optString(key, f, 'protocol_name') ?? ref.protocol };
}

/** The Set update for one resource (gNMI update = merge). */
export function composeUpdate(key: string, ref: ResourceRef, value: unknown): SetUpdate {
  const f = fieldsOf(key, value);
  switch (ref.kind) {
    case 'interface': {
      sameAs(key, f, 'name', ref.ifName);
      const config = compact({
        name: ref.ifName,
        description: optString(key, f, 'description'),
        mtu: optInt(key, f, 'mtu', 68, 65535),
        enabled: optBool(key, f, 'enabled'),
      });
      return { path: path(...ifElems(ref.ifName)), value: { name: ref.ifName, config } };
    }
    case 'subinterface': {
      sameAs(key, f, 'name', ref.ifName);
      sameAs(key, f, 'index', ref.index);
      const enabled = optBool(key, f, 'enabled') ?? true;
      const mtu = optInt(key, f, 'mtu', 68, 65535);
      const vlanId = optInt(key, f, 'vlan_id', 1, 4094);
      const ip = optString(key, f, 'address_ip');
      const prefixLength = optInt(key, f, 'address_prefix', 0, 32);
      if ((ip === undefined) !== (prefixLength === undefined)) {
        throw new CnsdnError('INVALID_ARGUMENT', `resource ${key}: address_ip and address_prefix go together`);
      }
      const sub: Fields = {
        index: ref.index,
        config: compact({ index: ref.index, enabled, description: optString(key, f, 'description') }),
      };
      if (vlanId !== undefined) sub['openconfig-vlan:vlan'] = { config: { 'vlan-id': vlanId } };
      if (ip !== undefined) {
        sub['openconfig-if-ip:ipv4'] = {
          config: { enabled },
          addresses: { address: [{ ip, config: { ip, 'prefix-length': prefixLength } }] },
        };
      }
      return {
        path: path(...ifElems(ref.ifName)),
        value: { name: ref.ifName, config: compact({ name: ref.ifName, enabled, mtu }), subinterfaces: { subinterface: [sub] } },
      };
    }
    case 'network_instance': {
      sameAs(key, f, 'name', ref.ni);
      const type = optString(key, f, 'type');
      const config = compact({
        name: ref.ni,
        type: type === undefined ? undefined : niTypeIdentity(type),
        description: optString(key, f, 'description'),
        'route-distinguisher': optString(key, f, 'route_distinguisher'),
      });
      return { path: path(...niElems(ref.ni)), value: { name: ref.ni, config } };
    }
    case 'ni_interface': {
      sameAs(key, f, 'name', ref.ni);
      sameAs(key, f, 'id', ref.id);
      const fromId = splitInterfaceId(ref.id);
      const ifName = optString(key, f, 'interface') ?? optString(key, f, 'if_name') ?? fromId.ifName;
      const index = optInt(key, f, 'subinterface', 0, 4294967295) ?? optInt(key, f, 'sif_index', 0, 4294967295) ?? fromId.index ?? 0;
      return {
        path: path(...niElems(ref.ni), { name: 'interfaces' }, { name: 'interface', key: { id: ref.id } }),
        value: { id: ref.id, config: { id: ref.id, interface: ifName, subinterface: index } },
      };
    }
    case 'ni_protocol': {
      sameAs(key, f, 'name', ref.ni);
      const p = protocolOf(key, ref, f);
      const identifier = `${POLICY_TYPES}:${p.identifier}`;
      return {
        path: path(...niElems(ref.ni), { name: 'protocols' }, protocolElem(p.identifier, p.name)),
        value: { identifier, name: p.name, config: { identifier, name: p.name, enabled: true } },
      };
    }
    case 'static_route': {
      sameAs(key, f, 'name', ref.ni);
      sameAs(key, f, 'prefix', ref.prefix);
      const name = optString(key, f, 'protocol_name') ?? ref.protocol;
      const nextHop = optString(key, f, 'next_hop');
      if (nextHop === undefined) throw new CnsdnError('INVALID_ARGUMENT', `resource ${key}: next_hop is required`, [{ path: '/next_hop', message: 'required' }]);
      const index = optString(key, f, 'next_hop_index') ?? '0';
      const metric = optInt(key, f, 'metric', 0, 4294967295);
      const identifier = `${POLICY_TYPES}:STATIC`;
      const hop = { index, config: compact({ index, 'next-hop': nextHop, metric }) };
      return {
        path: path(...niElems(ref.ni), { name: 'protocols' }, protocolElem('STATIC', name)),
        value: {
          identifier,
          name,
          config: { identifier, name, enabled: true },
          'static-routes': { static: [{ prefix: ref.prefix, config: { prefix: ref.prefix }, 'next-hops': { 'next-hop': [hop] } }] },
        },
      };
    }
    case 'ni_vlan': {
      sameAs(key, f, 'vlan_id', ref.vlanId);
      const config = compact({ 'vlan-id': ref.vlanId, name: optString(key, f, 'name') });
      return {
        path: path(...niElems(ref.ni), { name: 'vlans' }, { name: 'vlan', key: { 'vlan-id': String(ref.vlanId) } }),
        value: { 'vlan-id': ref.vlanId, config },
      };
    }
  }
}

/** The paths one resource's delete removes. */
export function composeDelete(key: string, ref: ResourceRef, value: unknown): GnmiPath[] {
  const f = fieldsOf(key, value);
  switch (ref.kind) {
    case 'interface': {
      // A physical interface is never removed: its delete clears the config leaves the value names.
      const leaves = ['description', 'mtu', 'enabled'].filter((l) => f[l] !== undefined);
      return (leaves.length > 0 ? leaves : ['description']).map((l) => path(...ifElems(ref.ifName), { name: 'config' }, { name: l }));
    }
    case 'subinterface':
      return [path(...ifElems(ref.ifName), { name: 'subinterfaces' }, { name: 'subinterface', key: { index: String(ref.index) } })];
    case 'network_instance':
      return [path(...niElems(ref.ni))];
    case 'ni_interface':
      return [path(...niElems(ref.ni), { name: 'interfaces' }, { name: 'interface', key: { id: ref.id } })];
    case 'ni_protocol': {
      const p = protocolOf(key, ref, f);
      return [path(...niElems(ref.ni), { name: 'protocols' }, protocolElem(p.identifier, p.name))];
    }
    case 'static_route': {
      const name = optString(key, f, 'protocol_name') ?? ref.protocol;
      return [
        path(...niElems(ref.ni), { name: 'protocols' }, protocolElem('STATIC', name), { name: 'static-routes' }, { name: 'static', key: { prefix: ref.prefix } }),
      ];
    }
    case 'ni_vlan':
      return [path(...niElems(ref.ni), { name: 'vlans' }, { name: 'vlan', key: { 'vlan-id': String(ref.vlanId) } })];
  }
}
