/** RFC 6241 §7.2 edit-config: operations on a data tree. */
import { NS_BASE, type XmlElement, attribute, isElement } from '../../protocols/netconf/xml.js';
import { RpcFault } from './errors.js';
import { TOP_LEVEL, listKeys } from './schema.js';
import { type DataNode, childLeaf, clone, findIndex, fromXml, leafFromXml, pathOf } from './tree.js';

export type EditOperation = 'merge' | 'replace' | 'create' | 'delete' | 'remove';
export type DefaultOperation = 'merge' | 'replace' | 'none';
const OPERATIONS = new Set(['merge', 'replace', 'create', 'delete', 'remove']);

export interface EditOutcome {
  errors: RpcFault[];
}

/**
 * Applies the content of <config> to `target` in place. The first error is thrown unless
 * `continueOnError`, in which case every error is returned and the rest still applied.
 */
export function applyEdit(target: DataNode, config: XmlElement[], defaultOperation: DefaultOperation, continueOnError: boolean): EditOutcome {
  const errors: RpcFault[] = [];
  const onError = (e: RpcFault): void => {
    if (!continueOnError) throw e;
    errors.push(e);
  };
  if (defaultOperation === 'replace') {
    const named = new Set(config.map((el) => `${el.ns} ${el.name}`));
    target.children = target.children.filter((c) => named.has(`${c.ns} ${c.name}`));
  }
  const inherited = defaultOperation === 'replace' ? 'replace' : defaultOperation;
  editChildren(target, config, inherited, [], onError);
  return { errors };
}

function operationOf(el: XmlElement, inherited: EditOperation | 'none', chain: DataNode[]): EditOperation | 'none' {
  const op = attribute(el, 'operation', NS_BASE);
  if (op === undefined) return inherited;
  if (!OPERATIONS.has(op)) {
    throw new RpcFault('protocol', 'bad-attribute', `operation="${op}" is not one of merge, replace, create, delete, remove`, {
      info: { 'bad-attribute': 'operation', 'bad-element': el.name },
      path: pathOf(chain),
    });
  }
  return op as EditOperation;
}

function editChildren(
  target: DataNode,
  incoming: XmlElement[],
  inherited: EditOperation | 'none',
  chain: DataNode[],
  onError: (e: RpcFault) => void,
): void {
  for (const el of incoming) {
    try {
      editOne(target, el, inherited, chain, onError);
    } catch (e) {
      if (!(e instanceof RpcFault)) throw e;
      onError(e);
    }
  }
}

function editOne(target: DataNode, el: XmlElement, inherited: EditOperation | 'none', chain: DataNode[], onError: (e: RpcFault) => void): void {
  if (chain.length === 0 && !TOP_LEVEL[el.ns]?.includes(el.name)) {
    const known = el.ns in TOP_LEVEL;
    throw new RpcFault('application', known ? 'unknown-element' : 'unknown-namespace', `unknown top-level element <${el.name}> in "${el.ns}"`, {
      info: known ? { 'bad-element': el.name } : { 'bad-element': el.name, 'bad-namespace': el.ns },
    });
  }
  const op = operationOf(el, inherited, chain);
  const kids = el.children.filter(isElement);
  const probe = kids.length > 0 ? fromXml(el) : leafFromXml(el);
  const path = [...chain, probe];
  const keys = listKeys(el.ns, target.name, el.name);
  for (const k of keys ?? []) {
    if (childLeaf(probe, k) === undefined) {
      throw new RpcFault('protocol', 'missing-element', `${el.name} entry without its key ${k}`, {
        info: { 'bad-element': k },
        path: pathOf(chain),
      });
    }
  }
  const at = findIndex(target, probe);
  switch (op) {
    case 'create':
      if (at >= 0) throw new RpcFault('application', 'data-exists', `${el.name} already exists; create needs it absent`, { path: pathOf(path) });
      target.children.push(probe);
      return;
    case 'delete':
      if (at < 0) throw new RpcFault('application', 'data-missing', `${el.name} does not exist; delete needs it present`, { path: pathOf(path) });
      target.children.splice(at, 1);
      return;
    case 'remove':
      if (at >= 0) target.children.splice(at, 1);
      return;
    case 'replace':
      if (at >= 0) target.children[at] = probe;
      else target.children.push(probe);
      return;
    case 'merge':
    case 'none': {
      if (kids.length === 0) {
        if (op === 'none') return;
        const existing = at >= 0 ? target.children[at] : undefined;
        if (existing && existing.children.length > 0 && (probe.value ?? '') === '') return;
        if (existing) target.children[at] = probe;
        else target.children.push(probe);
        return;
      }
      let node = at >= 0 ? target.children[at] : undefined;
      const created = node === undefined;
      if (!node) {
        node = { name: el.name, ns: el.ns, children: [] };
        for (const k of keys ?? []) node.children.push(...probe.children.filter((c) => c.name === k).map(clone));
        target.children.push(node);
      }
      delete node.value;
      delete node.valueNs;
      editChildren(node, kids, op, path, onError);
      if (created && op === 'none' && node.children.length === (keys?.length ?? 0)) target.children.splice(target.children.indexOf(node), 1);
      return;
    }
  }
}
