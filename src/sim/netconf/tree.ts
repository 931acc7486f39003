/** The datastore's data tree: containers, list entries and leaves, with list identity from the schema. */
import { type XmlElement, escapeAttr, escapeText, isElement, textOf } from '../../protocols/netconf/xml.js';
import { isLeafList, listKeys, PREFIXES, prefixFor } from './schema.js';

export interface DataNode {
  name: string;
  ns: string;
  /** Leaf value; containers and list entries have children instead. */
  value?: string;
  /** Namespace of an identity value's prefix (`oc-ni-types:DEFAULT_INSTANCE`). */
  valueNs?: string;
  /** Extra prefix → namespace declarations a value needs (an instance-identifier's prefixes). */
  valueDecls?: Record<string, string>;
  children: DataNode[];
}

const QNAME_VALUE = /^([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)$/;

export function leaf(name: string, ns: string, value: string, valueNs?: string): DataNode {
  const n: DataNode = { name, ns, value, children: [] };
  if (valueNs) n.valueNs = valueNs;
  return n;
}

export function container(name: string, ns: string, children: DataNode[]): DataNode {
  return { name, ns, children };
}

export function isLeafNode(n: DataNode): boolean {
  return n.children.length === 0 && n.value !== undefined;
}

/** Converts parsed XML into a data node; identity values get the simulator's canonical prefix. */
export function fromXml(el: XmlElement): DataNode {
  const kids = el.children.filter(isElement);
  if (kids.length > 0) return { name: el.name, ns: el.ns, children: kids.map(fromXml) };
  return leafFromXml(el);
}

export function leafFromXml(el: XmlElement): DataNode {
  const text = textOf(el).trim();
  const m = QNAME_VALUE.exec(text);
  const uri = m ? el.scope[m[1]] : undefined;
  if (m && uri !== undefined) return leaf(el.name, el.ns, `${PREFIXES[uri] ?? m[1]}:${m[2]}`, uri);
  return leaf(el.name, el.ns, text);
}

export function clone(n: DataNode): DataNode {
  const c: DataNode = { name: n.name, ns: n.ns, children: n.children.map(clone) };
  if (n.value !== undefined) c.value = n.value;
  if (n.valueNs !== undefined) c.valueNs = n.valueNs;
  if (n.valueDecls !== undefined) c.valueDecls = n.valueDecls;
  return c;
}

export function childLeaf(n: DataNode, name: string): string | undefined {
  for (const c of n.children) if (c.name === name && c.children.length === 0) return c.value;
  return undefined;
}

export function child(n: DataNode, name: string, ns?: string): DataNode | undefined {
  return n.children.find((c) => c.name === name && (ns === undefined || c.ns === ns));
}

/** The key values identifying a list entry, undefined when `node` is not a list entry. */
export function keyValues(node: DataNode, parentName: string): string[] | undefined {
  const keys = listKeys(node.ns, parentName, node.name);
  return keys?.map((k) => childLeaf(node, k) ?? '');
}

/** Whether `a` and `b` are the same node among the children of a node named `parentName`. */
export function sameNode(a: DataNode, b: DataNode, parentName: string): boolean {
  if (a.name !== b.name || a.ns !== b.ns) return false;
  if (isLeafList(a.ns, a.name)) return a.value === b.value;
  const ka = keyValues(a, parentName);
  if (!ka) return true;
  const kb = keyValues(b, parentName) ?? [];
  return ka.every((v, i) => v === kb[i]);
}

export function findIndex(parent: DataNode, probe: DataNode): number {
  return parent.children.findIndex((c) => sameNode(c, probe, parent.name));
}

/** One step of an instance-identifier, e.g. `oc-if:interface[oc-if:name='eth0']`. */
export function pathStep(node: DataNode, parentName: string): string {
  const p = prefixFor(node.ns);
  let s = `${p}:${node.name}`;
  const keys = listKeys(node.ns, parentName, node.name);
  if (keys) for (const k of keys) s += `[${p}:${k}='${childLeaf(node, k) ?? ''}']`;
  else if (isLeafList(node.ns, node.name)) s += `[.='${node.value ?? ''}']`;
  return s;
}

export function pathOf(chain: DataNode[]): string {
  let s = '';
  for (let i = 0; i < chain.length; i++) s += `/${pathStep(chain[i], i === 0 ? '' : chain[i - 1].name)}`;
  return s;
}

/** Serialises a node; a namespace is declared where it differs from the parent's. */
export function toXml(n: DataNode, parentNs = ''): string {
  let open = n.name;
  if (n.ns !== parentNs) open += ` xmlns="${escapeAttr(n.ns)}"`;
  if (n.valueNs !== undefined && n.value !== undefined) {
    const p = n.value.slice(0, n.value.indexOf(':'));
    open += ` xmlns:${p}="${escapeAttr(n.valueNs)}"`;
  }
  for (const [p, uri] of Object.entries(n.valueDecls ?? {})) open += ` xmlns:${p}="${escapeAttr(uri)}"`;
  if (n.children.length > 0) {
    let s = `<${open}>`;
    for (const c of n.children) s += toXml(c, n.ns);
    return `${s}</${n.name}>`;
  }
  if (n.value === undefined || n.value === '') return `<${open}/>`;
  return `<${open}>${escapeText(n.value)}</${n.name}>`;
}

/** A datastore: its top-level nodes under a nameless root. */
export function root(children: DataNode[] = []): DataNode {
  return { name: '', ns: '', children };
}

export function equalTrees(a: DataNode, b: DataNode): boolean {
  if (a.name !== b.name || a.ns !== b.ns || a.value !== b.value || a.children.length !== b.children.length) return false;
  for (const c of a.children) {
    const j = findIndex(b, c);
    if (j < 0 || !equalTrees(c, b.children[j])) return false;
  }
  return true;
}
