/**
 * A set of path-addressed updates (gNMI Set updates, RESTCONF-like edits: a path of named elements
 * with list keys, and an RFC 7951 JSON value for the node it names), validated as an edit: each
 * update read where its path puts it (validateUpdates), or all assembled into one RFC 7951 document
 * from the root and read as a whole (documentFromUpdates, validateUpdatesAsDocument).
 */
import { InstanceReader, type UpdateStep } from './data-read.js';
import type { DataSchemaNode } from './data-tree.js';
import { type CompiledModule, type CompiledSchema, dataChildren, dataChildrenByName, type LeafNode, type SchemaNode } from './schema.js';
import { type ValidationResult, validateInstance } from './validate.js';

export interface PathUpdate {
  /** Path elements; a name may carry a module prefix (`openconfig-interfaces:interfaces`). */
  elems: readonly { name: string; key?: Readonly<Record<string, string>> }[];
  /** The value of the node the path names (JSON object for containers and list entries). */
  value: unknown;
}

type Obj = Record<string, unknown>;

const JSON_NUMBERS = new Set(['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32']);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function findChild(schema: CompiledSchema, parent: SchemaNode | undefined, name: string): SchemaNode | undefined {
  const i = name.indexOf(':');
  const named = dataChildrenByName(schema, parent).get(i < 0 ? name : name.slice(i + 1));
  if (!named) return undefined;
  if (i < 0) return named[0];
  const mod = name.slice(0, i);
  for (const c of named) if (c.module.name === mod || c.module.prefix === mod) return c;
  return undefined;
}

/**
 * Whether the schema has this top-level data node: `name` or `module:name` (a module name or prefix);
 * for XML, the module is found by namespace. Data under a node no announced model defines cannot be
 * validated: the hooks send it unvalidated rather than refuse it.
 */
export function hasTopNode(schema: CompiledSchema, name: string, namespace?: string): boolean {
  if (namespace === undefined) return findChild(schema, undefined, name) !== undefined;
  for (const m of schema.modules.values()) if (m.implemented && m.namespace === namespace) return dataChildren(m).some((c) => c.name === name);
  return false;
}

/** A key value from a path (text) as RFC 7951 JSON wants it. */
function keyJson(leaf: SchemaNode | undefined, text: string): unknown {
  let t = leaf?.kind === 'leaf' ? leaf.type : undefined;
  for (let depth = 0; t?.base === 'leafref' && t.leafref && depth < 8; depth++) {
    const target: LeafNode | SchemaNode | undefined = (leaf as LeafNode).leafrefTargets?.get(t.leafref);
    t = target?.kind === 'leaf' || target?.kind === 'leaf-list' ? target.type : undefined;
  }
  if (t && JSON_NUMBERS.has(t.base) && /^[+-]?\d+$/.test(text)) return Number(text);
  if (t?.base === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** The updates' values are never changed: what is merged into is a copy. */
function copy<T>(v: T): T {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}

/**
 * Merges an update's value into what earlier updates built, as a device applies them: objects member
 * by member, list entries by their keys (the same entry twice is one entry), other arrays appended.
 */
function merge(schema: CompiledSchema, into: Obj, value: Obj, node: SchemaNode | undefined): void {
  for (const [k, v] of Object.entries(value)) {
    const cur = into[k];
    const child = cur === undefined ? undefined : findChild(schema, node, k);
    if (isObj(cur) && isObj(v)) merge(schema, cur, v, child);
    else if (Array.isArray(cur) && Array.isArray(v)) {
      const keys = child?.kind === 'list' ? child.keys.map((l) => l.name) : [];
      for (const e of v) {
        const same = keys.length && isObj(e) ? cur.find((x) => isObj(x) && keys.every((n) => x[n] !== undefined && x[n] === e[n])) : undefined;
        if (isObj(same) && isObj(e)) merge(schema, same, e, child);
        else cur.push(copy(e));
      }
    } else into[k] = copy(v);
  }
}

function memberName(node: SchemaNode | undefined, parentModule: CompiledModule | undefined, written: string): string {
  if (!node) return written;
  return node.module === parentModule ? node.name : `${node.module.name}:${node.name}`;
}

/** One RFC 7951 document holding every update (later updates merged over earlier ones). */
export function documentFromUpdates(schema: CompiledSchema, updates: readonly PathUpdate[]): Obj {
  const root: Obj = {};
  for (const u of updates) {
    let obj = root;
    let node: SchemaNode | undefined;
    let known = true;
    let last: { holder: Obj; member: string } | undefined;
    for (const e of u.elems) {
      const child: SchemaNode | undefined = known ? findChild(schema, node, e.name) : undefined;
      known = child !== undefined;
      const member = memberName(child, node?.module, e.name);
      if (e.key && Object.keys(e.key).length) {
        const arr = Array.isArray(obj[member]) ? (obj[member] as Obj[]) : [];
        obj[member] = arr;
        const keys = Object.entries(e.key).map(([k, v]) => [k, keyJson(child ? dataChildren(child).find((c) => c.name === k) : undefined, v)] as const);
        let entry = arr.find((x) => keys.every(([k, v]) => x[k] === v));
        if (!entry) {
          entry = Object.fromEntries(keys);
          arr.push(entry);
        }
        last = undefined;
        obj = entry;
      } else {
        if (!isObj(obj[member])) obj[member] = {};
        last = { holder: obj, member };
        obj = obj[member] as Obj;
      }
      node = child;
    }
    if (isObj(u.value)) merge(schema, obj, u.value, node);
    else if (last) last.holder[last.member] = copy(u.value);
  }
  return root;
}

/**
 * The schema nodes of an update's path, when the update can be read where it belongs: every element
 * a known config true container or list (a leaf last), no keys but a list's and all of them, a JSON
 * object for a container or list entry, a JSON value (not an object or array) for a leaf. Anything
 * else (an update at the root, a whole list or leaf-list, a path the schema does not know) is
 * undefined: that request is read as one document, which reports such faults as it always did.
 */
function pathSteps(schema: CompiledSchema, u: PathUpdate): UpdateStep[] | undefined {
  if (u.elems.length === 0) return undefined;
  const steps: UpdateStep[] = [];
  let node: SchemaNode | undefined;
  for (let i = 0; i < u.elems.length; i++) {
    const e = u.elems[i];
    const last = i === u.elems.length - 1;
    const child = findChild(schema, node, e.name);
    if (!child?.config) return undefined;
    const given = e.key ? Object.keys(e.key) : [];
    if (child.kind === 'list') {
      if (child.keys.length === 0 || given.length !== child.keys.length) return undefined;
      const keys: [DataSchemaNode & { kind: 'leaf' }, unknown][] = [];
      for (const k of child.keys) {
        const text = e.key![k.name];
        if (text === undefined) return undefined;
        keys.push([k as DataSchemaNode & { kind: 'leaf' }, keyJson(k, text)]);
      }
      steps.push({ node: child, keys });
    } else if (given.length) return undefined;
    else if (child.kind === 'container' || (child.kind === 'leaf' && last)) steps.push({ node: child as DataSchemaNode });
    else return undefined;
    node = child;
  }
  const kind = node!.kind;
  const object = isObj(u.value);
  if (kind === 'leaf' ? object || Array.isArray(u.value) || u.value === undefined : !object) return undefined;
  return steps;
}

/**
 * Validates path-addressed updates as an edit (node-local rules: types, keys, unknown nodes, config
 * false; an edit is partial, so leafref, must, when and mandatory are the device's to check against
 * its whole configuration). Each update is read on its own below its path: no document is built
 * from the root, no value is copied, merged, written as JSON text and parsed again. Each update is
 * checked as sent, so a bad value is refused even when a later update of the same request would
 * overwrite it. Requests this cannot read so (see pathSteps) are read as one document.
 */
export function validateUpdates(schema: CompiledSchema, updates: readonly PathUpdate[]): ValidationResult {
  const steps: UpdateStep[][] = [];
  for (const u of updates) {
    const s = pathSteps(schema, u);
    if (!s) return validateUpdatesAsDocument(schema, updates);
    steps.push(s);
  }
  const reader = new InstanceReader(schema, { type: 'edit' });
  for (let i = 0; i < updates.length; i++) reader.readUpdate(steps[i], updates[i].value);
  return { valid: reader.errors.length === 0, errors: reader.errors, root: reader.root };
}

/** The same, the updates merged into one document from the root (documentFromUpdates) and read as JSON text. */
export function validateUpdatesAsDocument(schema: CompiledSchema, updates: readonly PathUpdate[]): ValidationResult {
  return validateInstance(schema, JSON.stringify(documentFromUpdates(schema, updates)), { format: 'json', type: 'edit' });
}
