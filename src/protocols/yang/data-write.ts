/** Writes a DataNode tree as RFC 7951 JSON or as XML (the NETCONF encoding), implicit nodes left out. */
import { escapeAttr, escapeText, serializeXml, type XmlElement } from '../netconf/xml.js';
import type { DataNode } from './data-tree.js';
import { YangError } from './errors.js';
import type { CompiledSchema } from './schema.js';

const JSON_NUMBERS = new Set(['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32']);

function explicitChildren(n: DataNode): Map<DataNode['schema'], DataNode[]> {
  const groups = new Map<DataNode['schema'], DataNode[]>();
  for (const c of n.children) {
    if (c.implicit) continue;
    const g = groups.get(c.schema);
    if (g) g.push(c);
    else groups.set(c.schema, [c]);
  }
  return groups;
}

function jsonValue(n: DataNode): unknown {
  const base = n.valueType?.base;
  const v = n.value ?? '';
  if (base && JSON_NUMBERS.has(base)) return Number(v);
  if (base === 'boolean') return v === 'true';
  if (base === 'empty') return [null];
  return v;
}

function jsonObject(n: DataNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [s, nodes] of explicitChildren(n)) {
    if (!s) continue;
    const name = n.schema?.module === s.module ? s.name : `${s.module.name}:${s.name}`;
    switch (s.kind) {
      case 'container':
        out[name] = jsonObject(nodes[0]);
        break;
      case 'list':
        out[name] = nodes.map(jsonObject);
        break;
      case 'leaf':
        out[name] = jsonValue(nodes[0]);
        break;
      case 'leaf-list':
        out[name] = nodes.map(jsonValue);
        break;
      default: {
        const raw = nodes[0].raw;
        if (typeof raw === 'object' && raw !== null && 'children' in raw && 'ns' in raw) throw new YangError(`${s.kind} "${s.name}" read from XML cannot be written as JSON`);
        out[name] = raw;
      }
    }
  }
  return out;
}

/** RFC 7951 JSON text of a tree. */
export function toJson(root: DataNode): string {
  return `${JSON.stringify(jsonObject(root), null, 2)}\n`;
}

/** An instance-identifier (module-name prefixes where the module changes) with every name qualified by an XML prefix. */
function xmlInstanceId(v: string, schema: CompiledSchema, decls: Map<string, string>): string {
  let mod: string | undefined;
  const steps = v.match(/\/[^/[\]'"]+(?:\[(?:[^\]'"]|'[^']*'|"[^"]*")*\])*/g) ?? [];
  return steps
    .map((step) => {
      const m = /^\/([^[:]+)(?::([^[]+))?(.*)$/.exec(step)!;
      if (m[2] !== undefined) mod = m[1];
      const cm = mod ? schema.modules.get(mod) : undefined;
      if (!cm) return step;
      decls.set(cm.prefix, cm.namespace);
      const preds = m[3].replace(/\[([^\]='"\d.][^\]='"]*)=/g, (_x, key: string) => `[${cm.prefix}:${key.replace(/^.*:/, '')}=`);
      return `/${cm.prefix}:${m[2] ?? m[1]}${preds}`;
    })
    .join('');
}

function xmlNode(n: DataNode, parentNs: string | undefined, schema: CompiledSchema, indent: string, out: string[]): void {
  const s = n.schema!;
  const ns = s.module.namespace;
  const decls = new Map<string, string>();
  let text = '';
  if (s.kind === 'leaf' || s.kind === 'leaf-list') {
    const v = n.value ?? '';
    if (n.valueType?.base === 'identityref' && n.identity) {
      const m = n.identity.module;
      decls.set(m.prefix, m.namespace);
      text = `${m.prefix}:${n.identity.name}`;
    } else if (n.valueType?.base === 'instance-identifier') text = xmlInstanceId(v, schema, decls);
    else text = v;
  }
  let attrs = ns !== parentNs ? ` xmlns="${escapeAttr(ns)}"` : '';
  for (const [p, u] of decls) attrs += ` xmlns:${p}="${escapeAttr(u)}"`;
  if (s.kind === 'leaf' || s.kind === 'leaf-list') {
    out.push(text === '' ? `${indent}<${s.name}${attrs}/>` : `${indent}<${s.name}${attrs}>${escapeText(text)}</${s.name}>`);
    return;
  }
  if (s.kind === 'anydata' || s.kind === 'anyxml') {
    const raw = n.raw as XmlElement | undefined;
    if (!raw || typeof raw !== 'object' || !('children' in raw)) throw new YangError(`${s.kind} "${s.name}" read from JSON cannot be written as XML`);
    out.push(indent + serializeXml(raw));
    return;
  }
  const kids = n.children.filter((c) => !c.implicit);
  if (!kids.length) {
    out.push(`${indent}<${s.name}${attrs}/>`);
    return;
  }
  out.push(`${indent}<${s.name}${attrs}>`);
  for (const c of kids) xmlNode(c, ns, schema, `${indent}  `, out);
  out.push(`${indent}</${s.name}>`);
}

/** XML text of a tree: its top-level elements one after the other. */
export function toXml(root: DataNode, schema: CompiledSchema): string {
  const out: string[] = [];
  for (const c of root.children) if (!c.implicit) xmlNode(c, undefined, schema, '', out);
  return `${out.join('\n')}\n`;
}
