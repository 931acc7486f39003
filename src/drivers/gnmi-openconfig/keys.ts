/** TFS resource keys understood by the gNMI OpenConfig driver, parsed into references. */
import { CnsdnError } from '../../common/errors.js';
import { splitResourceKey } from '../../device/index.js';

export type ResourceRef =
  | { kind: 'interface'; ifName: string }
  | { kind: 'subinterface'; ifName: string; index: number }
  | { kind: 'network_instance'; ni: string }
  | { kind: 'ni_interface'; ni: string; id: string }
  | { kind: 'ni_protocol'; ni: string; protocol: string }
  | { kind: 'static_route'; ni: string; protocol: string; prefix: string }
  | { kind: 'ni_vlan'; ni: string; vlanId: number };

/** TFS's whole-tree keys (RESOURCE_ENDPOINTS, RESOURCE_INTERFACES, RESOURCE_NETWORK_INSTANCES). */
export const RESOURCE_ENDPOINTS = '__endpoints__';
export const RESOURCE_INTERFACES = '__interfaces__';
export const RESOURCE_NETWORK_INSTANCES = '__network_instances__';

const SEGMENT = /^([a-z_]+)\[(.+)\]$/s;

function invalid(key: string, why: string): CnsdnError {
  return new CnsdnError('INVALID_ARGUMENT', `resource key ${JSON.stringify(key)}: ${why}`);
}

function segment(s: string | undefined): [string, string] {
  const m = s === undefined ? null : SEGMENT.exec(s);
  return m ? [m[1], m[2]] : ['', ''];
}

function wholeNumber(key: string, text: string, what: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) throw invalid(key, `${what} must be a whole number up to ${max}, got ${JSON.stringify(text)}`);
  return Number(text);
}

const SUPPORTED =
  '/interface[X], /interface[X]/subinterface[N], /network_instance[NI], /network_instance[NI]/interface[X.N], ' +
  '/network_instance[NI]/protocols[P], /network_instance[NI]/protocols[P]/static_route[PREFIX], /network_instance[NI]/vlan[V]';

export function parseResourceKey(key: string): ResourceRef {
  const segs = splitResourceKey(key);
  const [head, name] = segment(segs[0]);
  if (head === 'interface') {
    if (segs.length === 1) return { kind: 'interface', ifName: name };
    const [sub, index] = segment(segs[1]);
    if (sub === 'subinterface' && segs.length === 2) return { kind: 'subinterface', ifName: name, index: wholeNumber(key, index, 'subinterface index', 4294967295) };
  } else if (head === 'network_instance') {
    if (segs.length === 1) return { kind: 'network_instance', ni: name };
    const [child, value] = segment(segs[1]);
    if (child === 'interface' && segs.length === 2) return { kind: 'ni_interface', ni: name, id: value };
    if (child === 'vlan' && segs.length === 2) return { kind: 'ni_vlan', ni: name, vlanId: wholeNumber(key, value, 'VLAN id', 4094) };
    if (child === 'protocols') {
      if (segs.length === 2) return { kind: 'ni_protocol', ni: name, protocol: value };
      const [route, prefix] = segment(segs[2]);
      if (route === 'static_route' && segs.length === 3) return { kind: 'static_route', ni: name, protocol: value, prefix };
    }
  }
  throw invalid(key, `not a resource this driver configures (supported: ${SUPPORTED})`);
}

export function interfaceKey(ifName: string): string {
  return `/interface[${ifName}]`;
}
export function subinterfaceKey(ifName: string, index: number): string {
  return `/interface[${ifName}]/subinterface[${index}]`;
}
export function networkInstanceKey(ni: string): string {
  return `/network_instance[${ni}]`;
}
export function niInterfaceKey(ni: string, id: string): string {
  return `/network_instance[${ni}]/interface[${id}]`;
}
export function niProtocolKey(ni: string, protocol: string): string {
  return `/network_instance[${ni}]/protocols[${protocol}]`;
}
export function staticRouteKey(ni: string, protocol: string, prefix: string): string {
  return `/network_instance[${ni}]/protocols[${protocol}]/static_route[${prefix}]`;
}
export function niVlanKey(ni: string, vlanId: number): string {
  return `/network_instance[${ni}]/vlan[${vlanId}]`;
}
