/** Writing the configuration tree: delete, merge (gNMI update) and replace, then key normalisation. */
import type { PathElem, TypedValue } from '../../protocols/gnmi/target.js';
import {
  type EntryMap,
  entryElem,
  entryKey,
  invalid,
  isObj,
  keyValue,
  type Obj,
} from './data.js';
import { coerce, describeType, type Scalar, stripPrefix } from './leaf-types.js';
import type { ContainerSchema, InnerSchema, LeafListSchema, LeafSchema, ListSchema, SchemaNode } from './schema.js';

/** Where a path lands in the tree: the node `name` inside `holder` (`entry` set for a keyed list element). */
interface Slot {
  holder: Obj;
  parent: InnerSchema;
  schema: SchemaNode;
  /** Canonical key of the addressed list entry (path element with keys). */
  entry?: string;
  keys?: Record<string, Scalar>;
}

/**
 * Copy-on-write for one transaction: the new tree shares every node it does not change with
 * the committed one. A node is copied (shallowly) the first time the transaction goes into it
 * to change something; nodes made or copied by the transaction are its own and change in place.
 * So a Set costs what it touches, not the size of the configuration, and unchanged subtrees
 * keep their identity (derive and diff skip them).
 */
export class Cow {
  readonly #own = new WeakSet<object>();

  /** The transaction's root: a shallow copy of the committed one. */
  root(committed: Obj): Obj {
    return this.mark({ ...committed });
  }

  /** True for nodes this transaction made or copied. */
  owns(node: object): boolean {
    return this.#own.has(node);
  }

  mark<T extends object>(node: T): T {
    this.#own.add(node);
    return node;
  }

  /** The container holder[name], made own (copied, or created when absent and `create`). */
  obj(holder: Obj, name: string, create = true): Obj | undefined {
    const v = holder[name] as Obj | undefined;
    if (v !== undefined && this.#own.has(v)) return v;
    if (v === undefined && !create) return undefined;
    const own = this.mark(v === undefined ? {} : { ...v });
    holder[name] = own;
    return own;
  }

  /** The list map holder[name], made own. */
  map(holder: Obj, name: string, create = true): EntryMap | undefined {
    const v = holder[name] as EntryMap | undefined;
    if (v !== undefined && this.#own.has(v)) return v;
    if (v === undefined && !create) return undefined;
    const own: EntryMap = this.mark(v === undefined ? new Map() : new Map(v));
    holder[name] = own;
    return own;
  }

  /** The entry of an own map, made own; undefined when absent. */
  entry(map: EntryMap, key: string): Obj | undefined {
    const e = map.get(key);
    if (e === undefined || this.#own.has(e)) return e;
    const copy = this.mark({ ...e });
    map.set(key, copy);
    return copy;
  }
}

/** Follows a path for writing; creates missing containers and list entries when `create`. */
function locate(root: ContainerSchema, data: Obj, elems: PathElem[], create: boolean, cow: Cow): Slot | 'root' | undefined {
  if (elems.length === 0) return 'root';
  let schema: InnerSchema = root;
  let obj: Obj | undefined = data;
  for (let i = 0; i < elems.length; i++) {
    const at = elems.slice(0, i + 1);
    const name = stripPrefix(elems[i].name);
    const child: SchemaNode | undefined = schema.children.get(name);
    if (!child) throw invalid(at, `no element ${name} in the schema`);
    if (!child.config) throw invalid(at, `${name} is read-only`);
    const last = i === elems.length - 1;
    const given = elems[i].key ?? {};
    if (child.kind !== 'list' && Object.keys(given).length > 0) throw invalid(at, `${name} is not a list`);
    if (child.kind === 'leaf' || child.kind === 'leaf-list') {
      if (!last) throw invalid(elems.slice(0, i + 2), `${name} is a leaf`);
      return obj ? { holder: obj, parent: schema, schema: child } : undefined;
    }
    if (child.kind === 'list' && (Object.keys(given).length > 0 || !last)) {
      const keys = listKeys(child, given, at);
      const k = entryKey(child, keys);
      if (last) return obj ? { holder: obj, parent: schema, schema: child, entry: k, keys } : undefined;
      const map: EntryMap | undefined = obj && cow.map(obj, name, create);
      let entry: Obj | undefined = map && cow.entry(map, k);
      if (!entry && create && map) {
        entry = cow.mark(newEntry(child, keys));
        map.set(k, entry);
      }
      obj = entry;
    } else if (last) {
      return obj ? { holder: obj, parent: schema, schema: child } : undefined;
    } else {
      obj = obj && cow.obj(obj, name, create);
    }
    schema = child;
  }
  return undefined;
}

function listKeys(list: ListSchema, given: Record<string, string>, at: PathElem[]): Record<string, Scalar> {
  for (const k of Object.keys(given)) if (!list.keys.includes(k)) throw invalid(at, `${list.name} has no key ${k}`);
  const keys: Record<string, Scalar> = {};
  for (const k of list.keys) {
    const raw = given[k];
    if (raw === undefined || raw === '*') throw invalid(at, `a write needs a value for key ${k} (no wildcards)`);
    keys[k] = keyValue(list, k, raw, at);
  }
  return keys;
}

function newEntry(list: ListSchema, keys: Record<string, Scalar>): Obj {
  const e: Obj = {};
  for (const k of list.keys) e[k] = keys[k];
  return e;
}

function elemsOf(slot: Slot, base: PathElem[]): PathElem[] {
  return slot.entry !== undefined && slot.schema.kind === 'list'
    ? [...base.slice(0, -1), entryElem(slot.schema, newEntry(slot.schema, slot.keys ?? {}))]
    : base;
}

/** Deletes one path from `data`, a root the transaction owns (Cow.root). */
export function applyDelete(root: ContainerSchema, data: Obj, elems: PathElem[], cow: Cow): void {
  const slot = locate(root, data, elems, false, cow);
  if (slot === 'root') {
    for (const k of Object.keys(data)) delete data[k];
    return;
  }
  if (!slot) return;
  const { holder, schema, parent } = slot;
  if (slot.entry !== undefined) {
    const map = cow.map(holder, schema.name, false);
    map?.delete(slot.entry);
    if (map?.size === 0) delete holder[schema.name];
    return;
  }
  if (parent.kind === 'list' && parent.keys.includes(schema.name)) {
    throw invalid(elems, 'a list key cannot be deleted (delete the entry)');
  }
  delete holder[schema.name];
}

/** gNMI update (merge) or replace of one path with one value, into a root the transaction owns (Cow.root). */
export function applyWrite(root: ContainerSchema, data: Obj, elems: PathElem[], tv: TypedValue, replace: boolean, cow: Cow): void {
  const slot = locate(root, data, elems, true, cow);
  if (slot === 'root') {
    if (replace) for (const k of Object.keys(data)) delete data[k];
    mergeObj(root, data, jsonOf(tv, elems), elems, cow);
    return;
  }
  if (!slot) throw invalid(elems, 'cannot be written');
  const { holder, schema, parent } = slot;
  switch (schema.kind) {
    case 'leaf': {
      const v = scalarOf(schema, tv, elems);
      if (parent.kind === 'list' && parent.keys.includes(schema.name) && holder[schema.name] !== v) {
        throw invalid(elems, `a list key cannot be changed (is ${holder[schema.name]})`);
      }
      holder[schema.name] = v;
      return;
    }
    case 'leaf-list':
      holder[schema.name] = leafListOf(schema, tv, elems);
      return;
    case 'container': {
      const value = jsonOf(tv, elems);
      if (replace) holder[schema.name] = cow.mark({});
      mergeObj(schema, cow.obj(holder, schema.name) as Obj, value, elems, cow);
      return;
    }
    case 'list': {
      const value = jsonOf(tv, elems);
      const map = cow.map(holder, schema.name) as EntryMap;
      if (slot.entry === undefined) {
        if (replace) map.clear();
        mergeEntries(schema, map, value, elems, cow);
      } else {
        let entry = cow.entry(map, slot.entry);
        if (!entry || replace) {
          entry = cow.mark(newEntry(schema, slot.keys ?? {}));
          map.set(slot.entry, entry);
        }
        mergeObj(schema, entry, value, elemsOf(slot, elems), cow);
      }
      if (map.size === 0) delete holder[schema.name];
      return;
    }
  }
}

function jsonOf(tv: TypedValue, at: PathElem[]): unknown {
  if (tv.kind === 'json' || tv.kind === 'json_ietf') return tv.value;
  throw invalid(at, `a container or list needs a JSON or JSON_IETF value, not ${tv.kind}`);
}

/** The raw scalar inside a TypedValue, and whether string forms of numbers/booleans are acceptable. */
function rawScalar(tv: TypedValue, at: PathElem[]): { raw: unknown; lenient: boolean } {
  switch (tv.kind) {
    case 'json':
    case 'json_ietf':
      return { raw: tv.value, lenient: false };
    case 'string':
    case 'ascii':
      return { raw: tv.value, lenient: true };
    case 'uint':
    case 'int':
      return { raw: tv.value < 0n ? Number(tv.value) : tv.value, lenient: false };
    case 'bool':
      return { raw: tv.value, lenient: false };
    case 'float':
    case 'double':
      return { raw: tv.value, lenient: false };
    case 'decimal':
      return { raw: Number(tv.digits) / 10 ** tv.precision, lenient: false };
    default:
      throw invalid(at, `unsupported value kind ${tv.kind} for a leaf`);
  }
}

function scalarOf(schema: LeafSchema, tv: TypedValue, at: PathElem[]): Scalar {
  const { raw, lenient } = rawScalar(tv, at);
  return checked(schema, raw, lenient, at);
}

function checked(schema: LeafSchema | LeafListSchema, raw: unknown, lenient: boolean, at: PathElem[]): Scalar {
  const v = coerce(schema.type, raw, lenient);
  if (v === undefined) throw invalid(at, `${show(raw)} is not ${describeType(schema.type)}`);
  return v;
}

const show = (raw: unknown) => (typeof raw === 'bigint' ? String(raw) : JSON.stringify(raw) ?? String(raw));

function leafListOf(schema: LeafListSchema, tv: TypedValue, at: PathElem[]): Scalar[] {
  if (tv.kind === 'leaflist') {
    return tv.value.map((item) => {
      const { raw, lenient } = rawScalar(item, at);
      return checked(schema, raw, lenient, at);
    });
  }
  const { raw, lenient } = rawScalar(tv, at);
  const items = Array.isArray(raw) ? raw : [raw];
  return items.map((item) => checked(schema, item, lenient, at));
}

function mergeObj(schema: InnerSchema, obj: Obj, value: unknown, at: PathElem[], cow: Cow): void {
  if (!isObj(value)) throw invalid(at, `expected a JSON object for ${schema.name || 'the root'}, got ${show(value)}`);
  for (const [rawName, v] of Object.entries(value)) {
    const name = stripPrefix(rawName);
    const child = schema.children.get(name);
    const here = [...at, { name }];
    if (!child) throw invalid(here, `no element ${name} in the schema`);
    if (!child.config) throw invalid(here, `${name} is read-only`);
    switch (child.kind) {
      case 'leaf': {
        const cv = checked(child, v, false, here);
        if (schema.kind === 'list' && schema.keys.includes(name) && obj[name] !== undefined && obj[name] !== cv) {
          throw invalid(here, `${show(v)} does not match the list key ${obj[name]}`);
        }
        obj[name] = cv;
        break;
      }
      case 'leaf-list':
        if (!Array.isArray(v)) throw invalid(here, `expected a JSON array, got ${show(v)}`);
        obj[name] = v.map((item) => checked(child, item, false, here));
        break;
      case 'container':
        mergeObj(child, cow.obj(obj, name) as Obj, v, here, cow);
        break;
      case 'list': {
        const map = cow.map(obj, name) as EntryMap;
        mergeEntries(child, map, v, here, cow);
        if (map.size === 0) delete obj[name];
        break;
      }
    }
  }
}

function mergeEntries(list: ListSchema, map: EntryMap, value: unknown, at: PathElem[], cow: Cow): void {
  if (!Array.isArray(value)) throw invalid(at, `expected a JSON array of ${list.name} entries, got ${show(value)}`);
  for (const item of value) {
    if (!isObj(item)) throw invalid(at, `expected a JSON object for a ${list.name} entry, got ${show(item)}`);
    const byName = new Map(Object.entries(item).map(([k, v]) => [stripPrefix(k), v]));
    const config = byName.get('config');
    const keys: Record<string, Scalar> = {};
    for (const k of list.keys) {
      const raw = byName.get(k) ?? (isObj(config) ? config[k] : undefined);
      if (raw === undefined) throw invalid(at, `a ${list.name} entry lacks its key ${k}`);
      keys[k] = checked(list.children.get(k) as LeafSchema, raw, false, [...at, { name: k }]);
    }
    const k = entryKey(list, keys);
    let entry = cow.entry(map, k);
    if (!entry) {
      entry = cow.mark(newEntry(list, keys));
      map.set(k, entry);
    }
    mergeObj(list, entry, item, [...at.slice(0, -1), entryElem(list, entry)], cow);
  }
}

/**
 * Makes every list entry's config carry its keys (OpenConfig's key leaves point at config/<key>)
 * and rejects a config key that differs from the entry's. Only the nodes the transaction owns
 * are visited: the shared ones were normalized when they were committed.
 */
export function normalizeKeys(schema: InnerSchema, obj: Obj, at: PathElem[], cow: Cow): void {
  for (const [name, value] of Object.entries(obj)) {
    if (!cow.owns(value as object)) continue;
    const child = schema.children.get(name) as SchemaNode;
    if (child.kind === 'container') normalizeKeys(child, value as Obj, [...at, { name }], cow);
    if (child.kind !== 'list') continue;
    const cfg = child.children.get('config');
    for (const entry of (value as EntryMap).values()) {
      if (!cow.owns(entry)) continue;
      const here = [...at, entryElem(child, entry)];
      if (cfg?.kind === 'container') {
        if (!entry.config) entry.config = cow.mark({});
        for (const k of child.keys) {
          if (!cfg.children.has(k)) continue;
          const c = entry.config as Obj | undefined;
          if (c?.[k] === undefined) (cow.obj(entry, 'config') as Obj)[k] = entry[k];
          else if (c[k] !== entry[k]) {
            throw invalid([...here, { name: 'config' }, { name: k }], `${c[k]} differs from the list key ${entry[k]}`);
          }
        }
      }
      normalizeKeys(child, entry, here, cow);
    }
  }
}

