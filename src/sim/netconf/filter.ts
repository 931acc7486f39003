/** RFC 6241 §6 subtree filtering over a data tree. */
import { type XmlElement, isElement, textOf } from '../../protocols/netconf/xml.js';
import { type DataNode, clone, findIndex, isLeafNode, root } from './tree.js';

function named(f: XmlElement, d: DataNode): boolean {
  return f.name === d.name && (f.ns === '' || f.ns === d.ns);
}

function valueMatches(d: DataNode, text: string): boolean {
  if (d.value === text) return true;
  // Identities compare by local name: the filter may use another prefix for the same module.
  const local = (v: string) => v.slice(v.indexOf(':') + 1);
  return d.valueNs !== undefined && text.includes(':') && local(d.value ?? '') === local(text);
}

function isContentMatch(f: XmlElement): boolean {
  return !f.children.some(isElement) && textOf(f).trim() !== '';
}

function mergeResults(into: DataNode, more: DataNode): void {
  for (const c of more.children) {
    const i = findIndex(into, c);
    if (i < 0) into.children.push(c);
    else if (!isLeafNode(c)) mergeResults(into.children[i], c);
  }
}

function selectChildren(parent: DataNode, filters: XmlElement[]): DataNode[] {
  const out: DataNode[] = [];
  for (const d of parent.children) {
    let result: DataNode | undefined;
    for (const f of filters) {
      if (!named(f, d)) continue;
      const r = applyFilter(d, f);
      if (!r) continue;
      if (result) mergeResults(result, r);
      else result = r;
    }
    if (result) out.push(result);
  }
  return out;
}

function applyFilter(d: DataNode, f: XmlElement): DataNode | undefined {
  const fk = f.children.filter(isElement);
  if (fk.length === 0) {
    const text = textOf(f).trim();
    if (text === '') return clone(d);
    return isLeafNode(d) && valueMatches(d, text) ? clone(d) : undefined;
  }
  if (isLeafNode(d)) return undefined;
  const matches = fk.filter(isContentMatch);
  for (const m of matches) {
    if (!d.children.some((c) => named(m, c) && isLeafNode(c) && valueMatches(c, textOf(m).trim()))) return undefined;
  }
  const rest = fk.filter((c) => !matches.includes(c));
  if (rest.length === 0) return clone(d);
  const kept: DataNode[] = [];
  let selected = 0;
  for (const c of d.children) {
    if (matches.some((m) => named(m, c))) {
      kept.push(clone(c));
      continue;
    }
    const sub = selectChildren({ ...d, children: [c] }, rest);
    if (sub.length > 0) {
      kept.push(sub[0]);
      selected++;
    }
  }
  if (selected === 0 && matches.length === 0) return undefined;
  return { ...d, children: kept };
}

/** The parts of a datastore the filter selects; no filter selects everything. */
export function subtreeFilter(data: DataNode, filter: XmlElement[] | undefined): DataNode {
  if (filter === undefined) return data;
  return root(selectChildren(data, filter));
}
