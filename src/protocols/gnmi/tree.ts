import { joinPath, parsePath, pathToString } from './path.js';
import type { GnmiNotification, GnmiPath, PathElem } from './target.js';
import { isPlainObject, jsToTypedValue, typedValueToJs } from './values.js';

/** A leaf: its absolute path and its plain JavaScript value (see typedValueToJs). */
export interface Leaf {
  path: GnmiPath;
  value: unknown;
}

export interface TreeOptions {
  /** Drop `module:` prefixes from member names when reading a tree ("openconfig-interfaces:interfaces" → "interfaces"). */
  stripModulePrefixes?: boolean;
  /** When writing a tree, qualify these names with their module, as RFC 7951 does where the namespace changes. */
  modules?: Record<string, string>;
  /**
   * Key leaves of lists by list name. Without it a list entry's keys are its direct scalar
   * members — true of OpenConfig, where everything else sits in config/state containers.
   */
  listKeys?: Record<string, string[]>;
}

const stripPrefix = (name: string): string => {
  const i = name.indexOf(':');
  return i >= 0 ? name.slice(i + 1) : name;
};

const isScalar = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function');

/** Flattens a JSON / JSON_IETF tree found at `base` into its leaves. */
export function treeToLeaves(tree: unknown, base: GnmiPath = { elem: [] }, opts: TreeOptions = {}): Leaf[] {
  const out: Leaf[] = [];
  const at = (elems: PathElem[]): GnmiPath => ({ ...base, elem: elems });
  const walk = (node: unknown, elems: PathElem[]): void => {
    if (!isPlainObject(node)) {
      out.push({ path: at(elems), value: node });
      return;
    }
    for (const [rawName, v] of Object.entries(node)) {
      const name = opts.stripModulePrefixes ? stripPrefix(rawName) : rawName;
      if (Array.isArray(v) && v.length > 0 && v.every(isPlainObject)) {
        for (const entry of v as Record<string, unknown>[]) {
          const names = opts.listKeys?.[name] ?? Object.keys(entry).filter((k) => isScalar(entry[k]));
          const key: Record<string, string> = {};
          for (const k of names) {
            const kv = entry[k] ?? entry[Object.keys(entry).find((x) => stripPrefix(x) === k) ?? k];
            key[opts.stripModulePrefixes ? stripPrefix(k) : k] = String(kv);
          }
          walk(entry, [...elems, names.length > 0 ? { name, key } : { name }]);
        }
      } else if (isPlainObject(v)) {
        walk(v, [...elems, { name }]);
      } else {
        out.push({ path: at([...elems, { name }]), value: v });
      }
    }
  };
  walk(tree, base.elem);
  return out;
}

function findEntry(list: Record<string, unknown>[], key: Record<string, string>): Record<string, unknown> | undefined {
  const names = Object.keys(key);
  return list.find((e) => names.every((k) => e[k] !== undefined && String(e[k]) === key[k]));
}

/** Builds a JSON_IETF-style tree (lists as arrays of objects with their key leaves) from leaves under `base`. */
export function leavesToTree(leaves: Iterable<Leaf> | Map<string, unknown>, base: GnmiPath = { elem: [] }, opts: TreeOptions = {}): unknown {
  const items: Iterable<Leaf> =
    leaves instanceof Map ? [...leaves].map(([k, value]) => ({ path: parsePath(k), value })) : leaves;
  let root: Record<string, unknown> = {};
  let rootValue: unknown;
  for (const leaf of items) {
    const elems = leaf.path.elem.slice(base.elem.length);
    if (elems.length === 0) {
      rootValue = leaf.value;
      continue;
    }
    let node = root;
    let module: string | undefined;
    for (let i = 0; i < elems.length; i++) {
      const e = elems[i];
      const mod = opts.modules?.[e.name];
      const name = mod && mod !== module ? `${mod}:${e.name}` : e.name;
      if (mod) module = mod;
      const last = i === elems.length - 1;
      if (e.key && Object.keys(e.key).length > 0) {
        if (!Array.isArray(node[name])) node[name] = [];
        const list = node[name] as Record<string, unknown>[];
        let entry = findEntry(list, e.key);
        if (!entry) {
          entry = { ...e.key };
          list.push(entry);
        }
        if (last && isPlainObject(leaf.value)) Object.assign(entry, leaf.value);
        node = entry;
      } else if (last) {
        node[name] = leaf.value;
      } else {
        if (!isPlainObject(node[name])) node[name] = {};
        node = node[name] as Record<string, unknown>;
      }
    }
  }
  if (rootValue !== undefined && Object.keys(root).length === 0) return rootValue;
  if (isPlainObject(rootValue)) root = { ...rootValue, ...root };
  return root;
}

/**
 * All leaves that notifications carry, keyed by path string; JSON values are flattened into
 * their leaves, deletes remove what lies under them (applied in order, as a subscriber would).
 */
export function notificationsToLeaves(notifications: Iterable<GnmiNotification>, opts: TreeOptions = {}, into = new Map<string, unknown>()): Map<string, unknown> {
  for (const n of notifications) {
    for (const d of n.delete) {
      const p = pathToString(joinPath(n.prefix, d));
      for (const k of [...into.keys()]) if (k === p || k.startsWith(p.endsWith('/') ? p : `${p}/`)) into.delete(k);
    }
    for (const u of n.update) {
      const full = joinPath(n.prefix, u.path);
      if ((u.value.kind === 'json' || u.value.kind === 'json_ietf') && isPlainObject(u.value.value)) {
        for (const leaf of treeToLeaves(u.value.value, full, opts)) into.set(pathToString(leaf.path), leaf.value);
      } else {
        into.set(pathToString(full), typedValueToJs(u.value));
      }
    }
  }
  return into;
}

/** One notification with one scalar update per leaf, paths relative to `prefix` when given. */
export function leavesToNotification(leaves: Iterable<Leaf> | Map<string, unknown>, opts: { prefix?: GnmiPath; timestamp?: bigint } = {}): GnmiNotification {
  const items: Iterable<Leaf> =
    leaves instanceof Map ? [...leaves].map(([k, value]) => ({ path: parsePath(k), value })) : leaves;
  const skip = opts.prefix?.elem.length ?? 0;
  const n: GnmiNotification = {
    timestamp: opts.timestamp ?? BigInt(Date.now()) * 1_000_000n,
    update: [...items].map((l) => ({ path: { elem: l.path.elem.slice(skip) }, value: jsToTypedValue(l.value) })),
    delete: [],
  };
  if (opts.prefix) n.prefix = opts.prefix;
  return n;
}

/** Notifications → leaves → one tree under `base`. */
export function notificationsToTree(notifications: Iterable<GnmiNotification>, base: GnmiPath = { elem: [] }, opts: TreeOptions = {}): unknown {
  const leaves = notificationsToLeaves(notifications, opts);
  return leavesToTree(leaves, base, opts);
}
