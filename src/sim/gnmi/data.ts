/**
 * The in-memory data tree: containers and list entries are plain objects, lists are Maps from a
 * canonical key string to the entry, leaves are scalars, leaf-lists arrays of scalars.
 */
import type { PathElem } from '../../protocols/gnmi/target.js';
import { GnmiStatusError } from '../../protocols/gnmi/target.js';
import { coerce, describeType, type Scalar } from './leaf-types.js';
import type { LeafSchema, ListSchema } from './schema.js';

export type Obj = { [name: string]: Data };
export type EntryMap = Map<string, Obj>;
export type Data = Scalar | Scalar[] | Obj | EntryMap;

export function entryKey(list: ListSchema, values: Record<string, Scalar> | Obj): string {
  return list.keys.map((k) => String(values[k])).join('\u0000');
}

export function entryElem(list: ListSchema, entry: Obj): PathElem {
  const key: Record<string, string> = {};
  for (const k of list.keys) key[k] = String(entry[k]);
  return { name: list.name, key };
}

/** A key value from a path (always a string) in its stored form; throws INVALID_ARGUMENT. */
export function keyValue(list: ListSchema, key: string, raw: string, at: PathElem[]): Scalar {
  const leaf = list.children.get(key) as LeafSchema;
  const v = coerce(leaf.type, raw, true);
  if (v === undefined) throw invalid(at, `key ${key}=${raw} is not ${describeType(leaf.type)}`);
  return v;
}

export function invalid(at: PathElem[], message: string): GnmiStatusError {
  return new GnmiStatusError('INVALID_ARGUMENT', `${formatElems(at)}: ${message}`);
}

export function notFound(at: PathElem[], message: string): GnmiStatusError {
  return new GnmiStatusError('NOT_FOUND', `${formatElems(at)}: ${message}`);
}

const escapeKey = (v: string) => v.replace(/[\\\]]/g, (c) => `\\${c}`);

/** gNMI path text for messages, e.g. /interfaces/interface[name=Ethernet1]/config/mtu. */
export function formatElems(elems: PathElem[]): string {
  if (elems.length === 0) return '/';
  let s = '';
  for (const e of elems) {
    s += `/${e.name}`;
    for (const [k, v] of Object.entries(e.key ?? {})) s += `[${k}=${escapeKey(v)}]`;
  }
  return s;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}
