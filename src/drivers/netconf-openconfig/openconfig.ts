/**
 * TFS resources ↔ OpenConfig XML. The resources are composed exactly as the gNMI driver
 * composes them (same keys, same OpenConfig content as RFC 7951 JSON), then encoded as
 * RFC 7950 XML: module-qualified member names become namespaces, identity values become
 * prefixed QNames. Read back, the XML is turned into the same tree the gNMI driver renders.
 */
import type { EndpointInfo, Resource } from '../../device/index.js';
import {
  composeDelete,
  composeUpdate,
  endpointsFromInterfaces,
  type ResourceRef,
  renderInterfaces,
  renderNetworkInstances,
} from '../gnmi-openconfig/index.js';
import type { GnmiPath } from '../../protocols/gnmi/index.js';
import { textOf, type XmlElement } from '../../protocols/netconf/index.js';
import { type DeviceModels, NS } from './models.js';
import { invalid } from './values.js';
import { identityLeaf, leaf, node, withOperation, type XNode } from './xtree.js';

const ROOTS: Readonly<Record<string, string>> = { interfaces: NS.ocInterfaces, 'network-instances': NS.ocNetworkInstance };
const QNAME = /^([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)$/;

function memberName(key: string, member: string, parentNs: string, models: DeviceModels): { name: string; ns: string } {
  const colon = member.indexOf(':');
  if (colon < 0) return { name: member, ns: parentNs };
  const module = member.slice(0, colon);
  const ns = models.namespaceOf(module);
  if (!ns) throw invalid(key, `no namespace known for module ${module}`);
  return { name: member.slice(colon + 1), ns };
}

function scalar(key: string, name: string, ns: string, v: unknown, models: DeviceModels): XNode {
  if (typeof v === 'string') {
    const m = QNAME.exec(v);
    const moduleNs = m ? models.namespaceOf(m[1]) : undefined;
    if (m && moduleNs) return identityLeaf(name, ns, m[1], moduleNs, m[2]);
    return leaf(name, ns, v);
  }
  if (typeof v === 'number' || typeof v === 'boolean') return leaf(name, ns, v);
  throw invalid(key, `cannot encode ${name} = ${JSON.stringify(v)} as XML`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The members of an object as child nodes; a list entry's leading scalar members are its keys. */
function children(key: string, value: Record<string, unknown>, ns: string, models: DeviceModels): XNode[] {
  return Object.entries(value).flatMap(([member, v]) => encode(key, member, v, ns, models));
}

function encode(key: string, member: string, value: unknown, parentNs: string, models: DeviceModels): XNode[] {
  if (value === undefined || value === null) return [];
  const { name, ns } = memberName(key, member, parentNs, models);
  if (Array.isArray(value)) {
    return value.map((entry) => {
      if (!isObject(entry)) return scalar(key, name, ns, entry, models);
      const keys: string[] = [];
      for (const [k, v] of Object.entries(entry)) {
        if (isObject(v) || Array.isArray(v)) break;
        keys.push(k);
      }
      return node(name, ns, children(key, entry, ns, models), keys);
    });
  }
  if (isObject(value)) return [node(name, ns, children(key, value, ns, models))];
  return [scalar(key, name, ns, value, models)];
}

/** Wraps `content` (the value at the path's end) in the path's elements, list keys first. */
function wrap(key: string, path: GnmiPath, content: Record<string, unknown> | undefined, models: DeviceModels, op?: 'remove'): XNode {
  const rootNs = ROOTS[path.elem[0]?.name ?? ''];
  if (!rootNs) throw invalid(key, `no OpenConfig module for /${path.elem[0]?.name ?? ''}`);
  const build = (i: number, ns: string): XNode => {
    const elem = path.elem[i];
    const { name, ns: elemNs } = memberName(key, elem.name, ns, models);
    const keyNames = Object.keys(elem.key ?? {});
    const keyLeaves = keyNames.map((k) => scalar(key, k, elemNs, elem.key![k], models));
    let kids: XNode[];
    if (i < path.elem.length - 1) kids = [...keyLeaves, build(i + 1, elemNs)];
    else kids = [...keyLeaves, ...children(key, Object.fromEntries(Object.entries(content ?? {}).filter(([k]) => !keyNames.includes(k))), elemNs, models)];
    const n = node(name, elemNs, kids, keyNames.length > 0 ? keyNames : undefined);
    return op && i === path.elem.length - 1 ? withOperation(n, op) : n;
  };
  return build(0, rootNs);
}

/** The <config> content that merges one resource. */
export function ocSetTree(key: string, ref: ResourceRef, value: unknown, models: DeviceModels): XNode {
  const update = composeUpdate(key, ref, value);
  return wrap(key, update.path, update.value, models);
}

/** The <config> content that removes one resource (operation "remove": no error when already absent). */
export function ocDeleteTrees(key: string, ref: ResourceRef, value: unknown, models: DeviceModels): XNode[] {
  return composeDelete(key, ref, value).map((p) => wrap(key, p, undefined, models, 'remove'));
}

/** Subtree filters for reading config. */
export function ocInterfacesFilter(ifName?: string): string {
  const entry = ifName === undefined ? '' : `<interface><name>${escapeFilterText(ifName)}</name></interface>`;
  return `<interfaces xmlns="${NS.ocInterfaces}">${entry}</interfaces>`;
}

export function ocNetworkInstancesFilter(ni?: string): string {
  const entry = ni === undefined ? '' : `<network-instance><name>${escapeFilterText(ni)}</name></network-instance>`;
  return `<network-instances xmlns="${NS.ocNetworkInstance}">${entry}</network-instances>`;
}

export function ocCountersFilter(ifNames: readonly string[]): string {
  const entries = ifNames.map((n) => `<interface><name>${escapeFilterText(n)}</name><state><counters/></state></interface>`).join('');
  return `<interfaces xmlns="${NS.ocInterfaces}">${entries}</interfaces>`;
}

function escapeFilterText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Parent/child pairs that are lists in the OpenConfig models the driver reads. */
const LISTS = new Set([
  'interfaces/interface',
  'subinterfaces/subinterface',
  'addresses/address',
  'network-instances/network-instance',
  'protocols/protocol',
  'static-routes/static',
  'next-hops/next-hop',
  'vlans/vlan',
]);

/** An XML subtree as the JSON tree the gNMI driver renders (local names, text leaves, lists as arrays). */
export function xmlToTree(el: XmlElement): unknown {
  const kids = el.children.filter((c): c is XmlElement => typeof c !== 'string');
  if (kids.length === 0) return textOf(el).trim();
  const out: Record<string, unknown> = {};
  for (const c of kids) {
    const v = xmlToTree(c);
    if (!LISTS.has(`${el.name}/${c.name}`)) out[c.name] = v;
    else if (Array.isArray(out[c.name])) (out[c.name] as unknown[]).push(v);
    else out[c.name] = [v];
  }
  return out;
}

/** Resources in an OpenConfig <data> reply (interfaces and network instances). */
export function ocResources(data: XmlElement): Resource[] {
  const tree = xmlToTree(data);
  return [...renderInterfaces(tree), ...renderNetworkInstances(tree)];
}

export function ocEndpoints(data: XmlElement): EndpointInfo[] {
  return endpointsFromInterfaces(xmlToTree(data));
}

/** Counters of /interfaces/interface/state/counters: interface → counter name → value. */
export function ocCounters(data: XmlElement): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  const tree = xmlToTree(data) as { interfaces?: { interface?: Array<Record<string, unknown>> } };
  for (const itf of tree.interfaces?.interface ?? []) {
    const counters = (itf.state as { counters?: Record<string, unknown> } | undefined)?.counters;
    if (typeof itf.name !== 'string' || !counters || typeof counters !== 'object') continue;
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(counters)) if (typeof v === 'string' && /^\d+$/.test(v)) values[k] = Number(v);
    out.set(itf.name, values);
  }
  return out;
}
