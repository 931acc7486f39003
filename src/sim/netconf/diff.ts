/** What a commit changed, as the <edit> entries of a netconf-config-change notification (RFC 6470). */
import { type DataNode, findIndex, isLeafNode, pathOf } from './tree.js';

export interface ConfigEdit {
  target: string;
  operation: 'create' | 'delete' | 'replace';
}

/** Changes from `before` to `after`, at most `limit` of them. */
export function configEdits(before: DataNode, after: DataNode, limit = 256): ConfigEdit[] {
  const out: ConfigEdit[] = [];
  walk(before, after, [], out, limit);
  return out;
}

function walk(a: DataNode, b: DataNode, chain: DataNode[], out: ConfigEdit[], limit: number): void {
  for (const c of a.children) {
    if (out.length >= limit) return;
    const j = findIndex(b, c);
    if (j < 0) {
      out.push({ target: pathOf([...chain, c]), operation: 'delete' });
      continue;
    }
    const d = b.children[j];
    if (isLeafNode(c) || isLeafNode(d)) {
      if (c.value !== d.value || c.children.length !== d.children.length) out.push({ target: pathOf([...chain, d]), operation: 'replace' });
    } else {
      walk(c, d, [...chain, d], out, limit);
    }
  }
  for (const d of b.children) {
    if (out.length >= limit) return;
    if (findIndex(a, d) < 0) out.push({ target: pathOf([...chain, d]), operation: 'create' });
  }
}
