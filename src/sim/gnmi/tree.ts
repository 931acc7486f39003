/** Reading the data tree: path resolution with wildcards, JSON rendering, flattening to leaves. */
import type { GnmiDataType, GnmiEncoding, PathElem, TypedValue } from '../../protocols/gnmi/target.js';
import { type Data, type EntryMap, entryElem, entryKey, invalid, keyValue, notFound, type Obj } from './data.js';
import { type LeafType, type Scalar, scalarKind, stripPrefix, toJsonIetf } from './leaf-types.js';
import type { ContainerSchema, InnerSchema, LeafListSchema, LeafSchema, ListSchema, SchemaNode } from './schema.js';

export interface Match {
  schema: SchemaNode;
  data: Data;
  /** The concrete path of the node (wildcards expanded, keys filled in). */
  elems: PathElem[];
  /** For a leaf or leaf-list: the object holding it (under its schema name). */
  parent?: Obj;
}

/** Called for every counters container a read passes through, before its values are used. */
export type CounterHook = (counters: Obj) => void;

/**
 * Nodes that a path selects. Unknown schema names throw NOT_FOUND; a list element without keys
 * or with "*" key values matches every entry; absent data matches nothing.
 */
export function resolve(root: ContainerSchema, data: Obj, elems: PathElem[], hook?: CounterHook): Match[] {
  const out: Match[] = [];
  walk(root, data, elems, 0, [], out, hook);
  return out;
}

function walk(
  schema: InnerSchema,
  data: Obj,
  elems: PathElem[],
  i: number,
  concrete: PathElem[],
  out: Match[],
  hook: CounterHook | undefined,
): void {
  if (i === elems.length) {
    out.push({ schema, data, elems: concrete });
    return;
  }
  const elem = elems[i];
  const name = stripPrefix(elem.name);
  const children = name === '*' ? [...schema.children.values()] : [schema.children.get(name)];
  for (const child of children) {
    if (!child) throw notFound(elems.slice(0, i + 1), `no element ${name} in the schema`);
    const d = data[child.name];
    if (d === undefined) continue;
    const here = elems.slice(0, i + 1);
    switch (child.kind) {
      case 'leaf':
      case 'leaf-list':
        if (i + 1 < elems.length) throw notFound(elems.slice(0, i + 2), `${child.name} is a leaf`);
        out.push({ schema: child, data: d, elems: [...concrete, { name: child.name }], parent: data });
        break;
      case 'container':
        if (child.counters) hook?.(d as Obj);
        walk(child, d as Obj, elems, i + 1, [...concrete, { name: child.name }], out, hook);
        break;
      case 'list':
        for (const entry of selectEntries(child, d as EntryMap, elem.key, here)) {
          walk(child, entry, elems, i + 1, [...concrete, entryElem(child, entry)], out, hook);
        }
        break;
    }
  }
}

function selectEntries(list: ListSchema, map: EntryMap, key: Record<string, string> | undefined, at: PathElem[]): Obj[] {
  const given = Object.entries(key ?? {}).filter(([, v]) => v !== '*');
  for (const [k] of given) if (!list.keys.includes(k)) throw invalid(at, `${list.name} has no key ${k}`);
  if (given.length === 0) return [...map.values()];
  const wanted: Record<string, Scalar> = {};
  for (const [k, v] of given) wanted[k] = keyValue(list, k, v, at);
  if (given.length === list.keys.length) {
    const e = map.get(entryKey(list, wanted));
    return e ? [e] : [];
  }
  return [...map.values()].filter((e) => given.every(([k]) => e[k] === wanted[k]));
}

function passes(leaf: LeafSchema | LeafListSchema, filter: GnmiDataType): boolean {
  switch (filter) {
    case 'ALL':
      return true;
    case 'CONFIG':
      return leaf.config;
    case 'STATE':
      return !leaf.config;
    case 'OPERATIONAL':
      return !leaf.config && !(leaf.kind === 'leaf' && leaf.mirror);
  }
}

const isKey = (parent: InnerSchema, name: string) => parent.kind === 'list' && parent.keys.includes(name);

function leafJson(type: LeafType, v: Scalar, ietf: boolean): Scalar {
  return ietf ? toJsonIetf(type, v) : v;
}

/**
 * JSON (RFC 7951 when ietf) for a matched node; undefined when the filter leaves nothing.
 * Member names are module-qualified where the module differs from the enclosing node's, and at
 * the top of the value when it is rooted at "/" (RFC 7951 §4).
 */
export function renderJson(m: Match, filter: GnmiDataType, ietf: boolean, hook?: CounterHook): unknown {
  const s = m.schema;
  if (s.kind === 'leaf') return passes(s, filter) ? leafJson(s.type, m.data as Scalar, ietf) : undefined;
  if (s.kind === 'leaf-list') {
    return passes(s, filter) ? (m.data as Scalar[]).map((v) => leafJson(s.type, v, ietf)) : undefined;
  }
  const r = renderObj(s, m.data as Obj, filter, ietf, hook);
  return Object.keys(r).length > 0 ? r : undefined;
}

function renderObj(schema: InnerSchema, obj: Obj, filter: GnmiDataType, ietf: boolean, hook?: CounterHook): Obj {
  const out: Obj = {};
  for (const [name, value] of Object.entries(obj)) {
    const child = schema.children.get(name) as SchemaNode;
    const outName = ietf && child.module !== schema.module ? `${child.module}:${name}` : name;
    switch (child.kind) {
      case 'leaf':
        if (isKey(schema, name) || passes(child, filter)) out[outName] = leafJson(child.type, value as Scalar, ietf);
        break;
      case 'leaf-list':
        if (passes(child, filter)) out[outName] = (value as Scalar[]).map((v) => leafJson(child.type, v, ietf));
        break;
      case 'container': {
        if (child.counters) hook?.(value as Obj);
        const r = renderObj(child, value as Obj, filter, ietf, hook);
        if (Object.keys(r).length > 0) out[outName] = r;
        break;
      }
      case 'list': {
        const entries = [...(value as EntryMap).values()].map((e) => renderObj(child, e, filter, ietf, hook));
        if (entries.length > 0) out[outName] = entries as unknown as Obj;
        break;
      }
    }
  }
  return out;
}

/** A leaf's path, schema and value; `holder[schema.name]` is where the value lives (when known). */
export type LeafVisitor = (elems: PathElem[], schema: LeafSchema | LeafListSchema, value: Scalar | Scalar[], holder: Obj | undefined) => void;

/** Every leaf at or below a matched node that passes the filter, with its concrete path. */
export function flatten(m: Match, filter: GnmiDataType, visit: LeafVisitor, hook?: CounterHook): void {
  const s = m.schema;
  if (s.kind === 'leaf' || s.kind === 'leaf-list') {
    if (passes(s, filter)) visit(m.elems, s, m.data as Scalar | Scalar[], m.parent);
    return;
  }
  flattenObj(s, m.data as Obj, m.elems, filter, visit, hook);
}

function flattenObj(
  schema: InnerSchema,
  obj: Obj,
  elems: PathElem[],
  filter: GnmiDataType,
  visit: LeafVisitor,
  hook: CounterHook | undefined,
): void {
  for (const [name, value] of Object.entries(obj)) {
    const child = schema.children.get(name) as SchemaNode;
    switch (child.kind) {
      case 'leaf':
      case 'leaf-list':
        if (isKey(schema, name) || passes(child, filter)) visit([...elems, { name }], child, value as Scalar | Scalar[], obj);
        break;
      case 'container':
        if (child.counters) hook?.(value as Obj);
        flattenObj(child, value as Obj, [...elems, { name }], filter, visit, hook);
        break;
      case 'list':
        for (const e of (value as EntryMap).values()) {
          flattenObj(child, e, [...elems, entryElem(child, e)], filter, visit, hook);
        }
        break;
    }
  }
}

function scalarValue(type: LeafType, v: Scalar): TypedValue {
  switch (scalarKind(type, v)) {
    case 'uint':
      return { kind: 'uint', value: BigInt(v as number) };
    case 'bool':
      return { kind: 'bool', value: v as boolean };
    case 'string':
      return { kind: 'string', value: String(v) };
  }
}

/** A leaf's value in the requested encoding: scalar TypedValues for PROTO, JSON text values for JSON*. */
export function leafValue(schema: LeafSchema | LeafListSchema, v: Scalar | Scalar[], encoding: GnmiEncoding): TypedValue {
  const type = schema.type;
  switch (encoding) {
    case 'JSON':
      return { kind: 'json', value: v };
    case 'JSON_IETF':
      return { kind: 'json_ietf', value: Array.isArray(v) ? v.map((x) => toJsonIetf(type, x)) : toJsonIetf(type, v) };
    case 'ASCII':
      return { kind: 'ascii', value: Array.isArray(v) ? v.join(',') : String(v) };
    default:
      return Array.isArray(v) ? { kind: 'leaflist', value: v.map((x) => scalarValue(type, x)) } : scalarValue(type, v);
  }
}
