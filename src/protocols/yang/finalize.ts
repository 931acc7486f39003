/** Last compilation pass over complete trees: config, status, schema paths, keys, unique, leafref targets. */
import { YangError } from './errors.js';
import { pending } from './nodes.js';
import {
  type CompiledModule,
  childrenOf,
  dataChildren,
  dataParent,
  type LeafListNode,
  type LeafNode,
  type ListNode,
  type ResolvedType,
  type SchemaNode,
  type Status,
} from './schema.js';
import type { XPathExpr } from './xpath.js';

export function finalize(modules: Map<string, CompiledModule>, warnings: string[]): void {
  const leaves: (LeafNode | LeafListNode)[] = [];
  for (const m of modules.values()) {
    const top = [...m.children, ...m.rpcs, ...m.notifications];
    for (const n of top) walk(n, '', true, 'current', false, leaves);
  }
  for (const l of leaves) {
    const implemented = l.module.implemented;
    for (const t of leafrefTypes(l.type)) {
      const target = resolveLeafref(l, t.leafref!.expr, t.leafref!.prefixes.module, modules);
      if (target) {
        if (!l.leafrefTargets) l.leafrefTargets = new Map();
        l.leafrefTargets.set(t.leafref!, target);
      } else {
        const msg = `leafref path "${t.leafref!.path}" of ${l.path} points to no leaf`;
        if (implemented) throw new YangError(msg, t.leafref!.loc, 'path');
        warnings.push(msg);
      }
    }
  }
}

function walk(n: SchemaNode, parentPath: string, parentConfig: boolean, parentStatus: Status, inOp: boolean, leaves: (LeafNode | LeafListNode)[]): void {
  const p = pending.get(n);
  n.path = `${parentPath}/${n.module.name}:${n.name}`;
  const op = inOp || n.kind === 'rpc' || n.kind === 'action' || n.kind === 'notification';
  if (op) n.config = false;
  else if (p?.explicitConfig !== undefined) {
    if (p.explicitConfig && !parentConfig) throw new YangError(`"${n.name}" is config true inside config false`, n.loc, n.kind);
    n.config = p.explicitConfig;
  } else n.config = parentConfig;
  if (!p?.explicitStatus && parentStatus !== 'current' && statusRank(parentStatus) > statusRank(n.status)) n.status = parentStatus;
  if (n.kind === 'leaf' || n.kind === 'leaf-list') leaves.push(n);
  for (const c of childrenOf(n)) walk(c, n.path, n.config, n.status, op, leaves);
  if (n.kind === 'list') listKeys(n);
}

function statusRank(s: Status): number {
  return s === 'current' ? 0 : s === 'deprecated' ? 1 : 2;
}

function listKeys(l: ListNode): void {
  const p = pending.get(l);
  if (p?.keys) {
    const names = p.keys.arg.trim().split(/\s+/);
    l.keys = names.map((q) => {
      const name = q.includes(':') ? q.slice(q.indexOf(':') + 1) : q;
      const k = l.children.find((c) => c.name === name && c.kind === 'leaf');
      if (k?.kind !== 'leaf') throw new YangError(`key "${q}" of list "${l.name}" is not a leaf of the list`, p.keys!.loc.loc, 'key');
      if (k.type.base === 'empty' && l.module.yangVersion === '1') throw new YangError(`key "${q}" has type empty`, p.keys!.loc.loc, 'key');
      k.isKey = true;
      k.mandatory = true;
      k.default = undefined;
      return k;
    });
    if (new Set(names).size !== names.length) throw new YangError(`list "${l.name}" names a key twice`, p.keys.loc.loc, 'key');
    l.children = [...l.keys, ...l.children.filter((c) => !(c.kind === 'leaf' && c.isKey))];
  } else if (l.config) {
    throw new YangError(`config list "${l.name}" has no key`, l.loc, 'list');
  }
  for (const u of p?.unique ?? []) {
    const paths = (u.arg ?? '').trim().split(/\s+/);
    const found = paths.map((path) => {
      let cur: SchemaNode | undefined = l;
      for (const step of path.split('/')) {
        const name = step.includes(':') ? step.slice(step.indexOf(':') + 1) : step;
        cur = cur ? dataChildren(cur).find((c) => c.name === name) : undefined;
      }
      if (cur?.kind !== 'leaf') throw new YangError(`unique "${path}" of list "${l.name}" is not a leaf`, u.loc, 'unique');
      return cur;
    });
    l.unique.push({ paths, leaves: found });
  }
}

function leafrefTypes(t: ResolvedType): ResolvedType[] {
  if (t.base === 'leafref' && t.leafref) return [t];
  if (t.base === 'union') return (t.members ?? []).flatMap(leafrefTypes);
  return [];
}

/**
 * Resolves a location path (leafref path, or any plain child/parent path of a must/when) against the
 * schema, from a context node. Prefixes map through `prefixModule`'s scope; unprefixed names match
 * children of the context node's module or of the module the expression is written in.
 */
export function resolveSchemaPath(
  from: SchemaNode,
  path: XPathExpr & { kind: 'path' },
  prefixes: ReadonlyMap<string, string>,
  writtenIn: string,
  modules: ReadonlyMap<string, CompiledModule>,
): SchemaNode | undefined {
  let cur: SchemaNode | undefined = from;
  let atRoot = false;
  if (path.absolute) {
    atRoot = true;
    cur = undefined;
  }
  for (const s of path.steps) {
    if (s.axis === 'parent') {
      if (atRoot) return undefined;
      cur = cur ? dataParent(cur) : undefined;
      while (cur && (cur.kind === 'input' || cur.kind === 'output')) cur = cur.parent;
      if (!cur) atRoot = true;
      continue;
    }
    if (s.axis === 'self') continue;
    if (s.axis !== 'child' || s.test.kind !== 'name') return undefined;
    const local = s.test.local;
    const want = s.test.prefix !== undefined ? prefixes.get(s.test.prefix) : undefined;
    if (s.test.prefix !== undefined && !want) return undefined;
    let candidates: SchemaNode[];
    if (atRoot) {
      const mods = want ? [modules.get(want)] : [...modules.values()];
      candidates = mods.flatMap((m) => (m ? [...dataChildren(m), ...m.rpcs, ...m.notifications] : []));
    } else {
      candidates = cur ? dataChildren(cur).flatMap((c) => (c.kind === 'input' || c.kind === 'output' ? dataChildren(c) : [c])) : [];
    }
    const ctxModule = from.module.name;
    const next = candidates.find((c) => c.name === local && (want ? c.module.name === want : c.module.name === ctxModule || c.module.name === writtenIn));
    if (!next) return undefined;
    cur = next;
    atRoot = false;
  }
  return cur;
}

function resolveLeafref(l: LeafNode | LeafListNode, path: XPathExpr & { kind: 'path' }, writtenIn: string, modules: Map<string, CompiledModule>): LeafNode | LeafListNode | undefined {
  const t = leafrefTypes(l.type).find((x) => x.leafref!.expr === path);
  const prefixes = t?.leafref?.prefixes.prefixes ?? l.prefixes.prefixes;
  const target = resolveSchemaPath(l, path, prefixes, writtenIn, modules);
  return target && (target.kind === 'leaf' || target.kind === 'leaf-list') ? target : undefined;
}
