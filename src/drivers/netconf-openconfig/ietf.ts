/**
 * TFS interface resources ↔ ietf-interfaces (RFC 7223, 2014-05-08, pre-NMDA: config under
 * /interfaces, state under /interfaces-state) with ietf-ip (RFC 7277) for addresses and MTU.
 * That model has no subinterfaces: subinterface 0 is the interface's own IP configuration,
 * subinterface N > 0 is an interface of its own named "X.N" (type l2vlan).
 */
import { CnsdnError } from '../../common/errors.js';
import type { EndpointInfo, Resource } from '../../device/index.js';
import type { ResourceRef } from '../gnmi-openconfig/index.js';
import { element, elements, textOf, type XmlElement } from '../../protocols/netconf/index.js';
import { type DeviceModels, NS } from './models.js';
import { compact, type Fields, fieldsOf, invalid, optBool, optInt, optString, sameAs } from './values.js';
import { identityLeaf, leaf, node, withOperation, type XNode } from './xtree.js';

const IF = NS.ietfInterfaces;
const IP = NS.ietfIp;
const DEFAULT_TYPE = 'ethernetCsmacd';
const SUBINTERFACE_TYPE = 'l2vlan';
const IDENT = /^[A-Za-z_][\w.-]*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

export const subinterfaceName = (ifName: string, index: number): string => `${ifName}.${index}`;

function unsupported(key: string, why: string): CnsdnError {
  return new CnsdnError('INVALID_ARGUMENT', `resource ${key}: unsupported by this device: ${why}`);
}

/**
 * The mandatory `type` leaf: the value's own, else a default, but the default only for an
 * interface not known to exist (a merge must not retype an existing interface).
 */
function typeLeaf(key: string, f: Fields, fallback: string, ifName: string, known: ReadonlySet<string>): XNode[] {
  const given = optString(key, f, 'type');
  if (given === undefined && known.has(ifName)) return [];
  const type = given === undefined ? fallback : given.slice(given.indexOf(':') + 1);
  if (!IDENT.test(type)) throw invalid(key, `type must be an iana-if-type identity such as ethernetCsmacd, got ${JSON.stringify(given)}`, 'type');
  return [identityLeaf('type', IF, 'ianaift', NS.ianaIfType, type)];
}

function needIp(key: string, models: DeviceModels, what: string): void {
  if (!models.ietfIp) throw unsupported(key, `${what} needs the ietf-ip module, which the device does not offer`);
}

/** The ipv4 or ipv6 container of ietf-ip for an address, an MTU and an enabled flag. */
function ipContainer(key: string, f: Fields, models: DeviceModels, withAddress: boolean): XNode | undefined {
  const ip = withAddress ? optString(key, f, 'address_ip') : undefined;
  const v6 = ip?.includes(':') === true;
  const prefix = withAddress ? optInt(key, f, 'address_prefix', 0, v6 ? 128 : 32) : undefined;
  const mtu = optInt(key, f, 'mtu', v6 ? 1280 : 68, 65535);
  const enabled = withAddress ? optBool(key, f, 'enabled') : undefined;
  if ((ip === undefined) !== (prefix === undefined)) throw invalid(key, 'address_ip and address_prefix go together', 'address_ip');
  if (ip !== undefined && !(v6 ? IPV6.test(ip) : IPV4.test(ip))) throw invalid(key, `address_ip is not an IP address: ${JSON.stringify(ip)}`, 'address_ip');
  if (ip === undefined && mtu === undefined && enabled === undefined) return undefined;
  needIp(key, models, ip !== undefined ? 'an IP address' : mtu !== undefined ? 'an MTU' : 'enabling IP');
  const kids: XNode[] = [];
  if (enabled !== undefined) kids.push(leaf('enabled', IP, enabled));
  if (mtu !== undefined) kids.push(leaf('mtu', IP, mtu));
  if (ip !== undefined) kids.push(node('address', IP, [leaf('ip', IP, ip), leaf('prefix-length', IP, prefix!)], ['ip']));
  return node(v6 ? 'ipv6' : 'ipv4', IP, kids);
}

function interfaceTree(name: string, kids: XNode[], op?: 'remove'): XNode {
  const entry = node('interface', IF, [leaf('name', IF, name), ...kids], ['name']);
  return node('interfaces', IF, [op ? withOperation(entry, op) : entry]);
}

function networkInstanceRefused(key: string): CnsdnError {
  return unsupported(key, 'network instances need openconfig-network-instance; the device offers only ietf-interfaces');
}

/** Interface names a batch of resources sets an explicit `type` on. */
export function typedInterfaces(resources: ReadonlyArray<[ResourceRef | undefined, unknown]>): Set<string> {
  const out = new Set<string>();
  for (const [ref, value] of resources) {
    if (ref?.kind !== 'interface' && ref?.kind !== 'subinterface') continue;
    let f: Fields;
    try {
      f = fieldsOf('', value);
    } catch {
      continue;
    }
    if (f.type !== undefined && f.type !== null && f.type !== '') out.add(ref.kind === 'interface' || ref.index === 0 ? ref.ifName : subinterfaceName(ref.ifName, ref.index));
  }
  return out;
}

/**
 * The <config> content that merges one interface resource. `known`: interfaces that exist
 * already or get an explicit type in the same batch, so no default type is sent for them.
 */
export function ietfSetTree(key: string, ref: ResourceRef, value: unknown, models: DeviceModels, known: ReadonlySet<string> = new Set()): XNode {
  const f = fieldsOf(key, value);
  if (ref.kind === 'interface') {
    sameAs(key, f, 'name', ref.ifName);
    const kids = typeLeaf(key, f, DEFAULT_TYPE, ref.ifName, known);
    const description = optString(key, f, 'description');
    const enabled = optBool(key, f, 'enabled');
    if (description !== undefined) kids.push(leaf('description', IF, description));
    if (enabled !== undefined) kids.push(leaf('enabled', IF, enabled));
    const ip = ipContainer(key, f, models, false);
    if (ip) kids.push(ip);
    return interfaceTree(ref.ifName, kids);
  }
  if (ref.kind === 'subinterface') {
    sameAs(key, f, 'name', ref.ifName);
    sameAs(key, f, 'index', ref.index);
    if (optInt(key, f, 'vlan_id', 1, 4094) !== undefined) throw unsupported(key, 'vlan_id needs a VLAN model; the device offers only ietf-interfaces');
    if (ref.index === 0) {
      if (optString(key, f, 'description') !== undefined) {
        throw unsupported(key, `ietf-interfaces has no subinterfaces: subinterface 0 is ${ref.ifName}'s IP configuration and has no description of its own (set it on /interface[${ref.ifName}])`);
      }
      const ip = ipContainer(key, f, models, true);
      if (!ip) throw invalid(key, 'subinterface 0 on ietf-interfaces carries address_ip/address_prefix, mtu or enabled; none was given');
      return interfaceTree(ref.ifName, [...typeLeaf(key, f, DEFAULT_TYPE, ref.ifName, known), ip]);
    }
    const name = subinterfaceName(ref.ifName, ref.index);
    const kids = typeLeaf(key, f, SUBINTERFACE_TYPE, name, known);
    const description = optString(key, f, 'description');
    if (description !== undefined) kids.push(leaf('description', IF, description));
    const ip = ipContainer(key, f, models, true);
    if (ip) kids.push(ip);
    return interfaceTree(name, kids);
  }
  throw networkInstanceRefused(key);
}

/** The <config> content that removes one interface resource (operation "remove": no error when absent). */
export function ietfDeleteTree(key: string, ref: ResourceRef, value: unknown, models: DeviceModels): XNode {
  const f = fieldsOf(key, value);
  if (ref.kind === 'interface') return interfaceTree(ref.ifName, [], 'remove');
  if (ref.kind === 'subinterface') {
    if (ref.index > 0) return interfaceTree(subinterfaceName(ref.ifName, ref.index), [], 'remove');
    needIp(key, models, 'an IP address');
    const ip = optString(key, f, 'address_ip');
    const family = ip?.includes(':') ? 'ipv6' : 'ipv4';
    const target = ip === undefined ? node(family, IP, []) : node(family, IP, [withOperation(node('address', IP, [leaf('ip', IP, ip)], ['ip']), 'remove')]);
    return interfaceTree(ref.ifName, [ip === undefined ? withOperation(target, 'remove') : target]);
  }
  throw networkInstanceRefused(key);
}

export function ietfInterfacesFilter(): string {
  return `<interfaces xmlns="${IF}"/>`;
}

/** Selects only the names of the configured interfaces. */
export function ietfNamesFilter(): string {
  return `<interfaces xmlns="${IF}"><interface><name/></interface></interfaces>`;
}

export function ietfInterfaceNames(data: XmlElement): Set<string> {
  const out = new Set<string>();
  for (const ifs of elements(data, 'interfaces', IF)) {
    for (const itf of elements(ifs, 'interface', IF)) {
      const name = child(itf, 'name', IF);
      if (name) out.add(name);
    }
  }
  return out;
}

export function ietfStatisticsFilter(ifNames: readonly string[]): string {
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
  const entries = ifNames.map((n) => `<interface><name>${esc(n)}</name><statistics/></interface>`).join('');
  return `<interfaces-state xmlns="${IF}">${entries}</interfaces-state>`;
}

const child = (el: XmlElement, name: string, ns: string): string | undefined => {
  const c = element(el, name, ns);
  return c === undefined ? undefined : textOf(c).trim();
};
const num = (s: string | undefined): number | undefined => (s === undefined || !/^\d+$/.test(s) ? undefined : Number(s));
const bool = (s: string | undefined): boolean | undefined => (s === 'true' ? true : s === 'false' ? false : undefined);
const identity = (s: string | undefined): string | undefined => (s === undefined ? undefined : s.slice(s.indexOf(':') + 1));

function ipOf(itf: XmlElement): { mtu?: number; enabled?: boolean; ip?: string; prefix?: number } {
  for (const family of ['ipv4', 'ipv6']) {
    const c = element(itf, family, IP);
    if (!c) continue;
    const address = element(c, 'address', IP);
    return compact({
      mtu: num(child(c, 'mtu', IP)),
      enabled: bool(child(c, 'enabled', IP)),
      ip: address ? child(address, 'ip', IP) : undefined,
      prefix: address ? num(child(address, 'prefix-length', IP)) : undefined,
    });
  }
  return {};
}

/** Resources in a <data> reply holding ietf-interfaces config. */
export function ietfResources(data: XmlElement): Resource[] {
  const out: Resource[] = [];
  for (const ifs of elements(data, 'interfaces', IF)) {
    for (const itf of elements(ifs, 'interface', IF)) {
      const name = child(itf, 'name', IF);
      if (!name) continue;
      const type = identity(child(itf, 'type', IF));
      const description = child(itf, 'description', IF);
      const enabled = bool(child(itf, 'enabled', IF));
      const ip = ipOf(itf);
      const sub = /^(.+)\.(\d+)$/.exec(name);
      if (sub && Number(sub[2]) > 0 && type === SUBINTERFACE_TYPE) {
        const [, parent, index] = sub;
        out.push([
          `/interface[${parent}]/subinterface[${index}]`,
          compact({ name: parent, index: Number(index), description, enabled: ip.enabled, address_ip: ip.ip, address_prefix: ip.prefix, mtu: ip.mtu }),
        ]);
        continue;
      }
      out.push([`/interface[${name}]`, compact({ name, type, description, enabled, mtu: ip.mtu })]);
      if (ip.ip !== undefined) {
        out.push([`/interface[${name}]/subinterface[0]`, compact({ name, index: 0, enabled: ip.enabled, address_ip: ip.ip, address_prefix: ip.prefix })]);
      }
    }
  }
  return out;
}

const SAMPLE_TYPES = [101, 102, 201, 202];

/** One endpoint per interface in /interfaces-state (the device's real interfaces). */
export function ietfEndpoints(data: XmlElement): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  const seen = new Set<string>();
  for (const st of elements(data, 'interfaces-state', IF)) {
    for (const itf of elements(st, 'interface', IF)) {
      const name = child(itf, 'name', IF);
      if (!name || seen.has(name)) continue;
      seen.add(name);
      const type = identity(child(itf, 'type', IF));
      const loopback = type === 'softwareLoopback' || name === 'lo' || /^loopback\d*$/i.test(name);
      const counters = element(itf, 'statistics', IF) !== undefined;
      out.push({ name, type: loopback ? 'loopback' : 'copper', sampleTypes: counters ? [...SAMPLE_TYPES] : [] });
    }
  }
  return out;
}

/**
 * Counters of /interfaces-state/interface/statistics under OpenConfig counter names:
 * in-pkts/out-pkts sum the unicast, multicast and broadcast packets.
 */
export function ietfCounters(data: XmlElement): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const st of elements(data, 'interfaces-state', IF)) {
    for (const itf of elements(st, 'interface', IF)) {
      const name = child(itf, 'name', IF);
      const stats = element(itf, 'statistics', IF);
      if (!name || !stats) continue;
      const counters: Record<string, number> = {};
      for (const c of elements(stats)) {
        const v = num(textOf(c).trim());
        if (v !== undefined && c.ns === IF) counters[c.name] = v;
      }
      for (const dir of ['in', 'out']) {
        const parts = ['unicast', 'multicast', 'broadcast'].map((k) => counters[`${dir}-${k}-pkts`]).filter((v) => v !== undefined);
        if (parts.length > 0) counters[`${dir}-pkts`] = parts.reduce((a, b) => a + b, 0);
      }
      out.set(name, counters);
    }
  }
  return out;
}
