/**
 * A small element tree for building <config> content: every name is checked, every value
 * escaped in one place, and the trees of several resources can be merged into one edit.
 */
import { CnsdnError } from '../../common/errors.js';
import { escapeAttr, escapeText, NS_BASE } from '../../protocols/netconf/index.js';

export interface XNode {
  name: string;
  /** Namespace URI; declared only where it differs from the parent's. */
  ns: string;
  /** Prefix → namespace declarations (for identity values and the nc:operation attribute). */
  prefixes?: Record<string, string>;
  /** Attributes by qualified name, e.g. {"nc:operation": "remove"}. */
  attrs?: Record<string, string>;
  /** For list entries: the names of the key leaves among `children`, so merging can tell entries apart. */
  keys?: readonly string[];
  children?: XNode[];
  text?: string;
}

const NAME = /^[A-Za-z_][\w.-]*$/;

function checkName(name: string): string {
  if (!NAME.test(name)) throw new CnsdnError('INVALID_ARGUMENT', `not a YANG/XML name: ${JSON.stringify(name)}`);
  return name;
}

export function leaf(name: string, ns: string, value: string | number | boolean): XNode {
  return { name: checkName(name), ns, text: String(value) };
}

/** An identityref leaf: `<name xmlns:p="moduleNs">p:IDENTITY</name>`. */
export function identityLeaf(name: string, ns: string, prefix: string, moduleNs: string, identity: string): XNode {
  checkName(prefix);
  checkName(identity);
  return { name: checkName(name), ns, prefixes: { [prefix]: moduleNs }, text: `${prefix}:${identity}` };
}

export function node(name: string, ns: string, children: XNode[], keys?: readonly string[]): XNode {
  const n: XNode = { name: checkName(name), ns, children };
  if (keys) n.keys = keys;
  return n;
}

/** Marks a node with an RFC 6241 edit operation (merge, replace, create, delete, remove). */
export function withOperation(n: XNode, operation: 'merge' | 'replace' | 'create' | 'delete' | 'remove'): XNode {
  return { ...n, prefixes: { ...n.prefixes, nc: NS_BASE }, attrs: { ...n.attrs, 'nc:operation': operation } };
}

export function serialize(n: XNode, parentNs = ''): string {
  let s = `<${n.name}`;
  if (n.ns !== parentNs) s += ` xmlns="${escapeAttr(n.ns)}"`;
  for (const [p, uri] of Object.entries(n.prefixes ?? {})) s += ` xmlns:${checkName(p)}="${escapeAttr(uri)}"`;
  for (const [k, v] of Object.entries(n.attrs ?? {})) s += ` ${k}="${escapeAttr(v)}"`;
  const inner = n.children ? n.children.map((c) => serialize(c, n.ns)).join('') : escapeText(n.text ?? '');
  return inner === '' ? `${s}/>` : `${s}>${inner}</${n.name}>`;
}

function keyText(n: XNode, key: string): string | undefined {
  return n.children?.find((c) => c.name === key)?.text;
}

/** Whether two nodes stand for the same data node (same name, namespace, list keys and operation). */
function sameNode(a: XNode, b: XNode): boolean {
  if (a.name !== b.name || a.ns !== b.ns) return false;
  if (a.children === undefined || b.children === undefined) return false;
  if (a.attrs?.['nc:operation'] !== b.attrs?.['nc:operation']) return false;
  const keys = a.keys ?? b.keys ?? [];
  return keys.every((k) => keyText(a, k) === keyText(b, k));
}

const sameLeaf = (a: XNode, b: XNode): boolean =>
  a.children === undefined && b.children === undefined && a.name === b.name && a.ns === b.ns && a.text === b.text && a.attrs?.['nc:operation'] === b.attrs?.['nc:operation'];

/**
 * Merges trees node by node: containers and list entries that are the same data node are
 * joined, a leaf given twice with the same value is kept once; a leaf given twice with two
 * values is kept twice, for the device to refuse.
 */
export function mergeTrees(trees: readonly XNode[]): XNode[] {
  const out: XNode[] = [];
  for (const t of trees) {
    if (out.some((o) => sameLeaf(o, t))) continue;
    const same = out.findIndex((o) => sameNode(o, t));
    if (same < 0) {
      out.push(t);
      continue;
    }
    const o = out[same];
    const keys = new Set(o.keys ?? []);
    const extra = (t.children ?? []).filter((c) => !(keys.has(c.name) && c.text === keyText(o, c.name)));
    out[same] = { ...o, prefixes: { ...o.prefixes, ...t.prefixes }, children: mergeTrees([...(o.children ?? []), ...extra]) };
  }
  return out;
}
