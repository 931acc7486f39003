import type { GnmiNotification, GnmiPath, GnmiUpdate, PathElem, TypedValue } from './target.js';

/** Now, in nanoseconds since the epoch. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function sameElems(a: PathElem[], b: PathElem[], n: number): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x.name !== y.name) return false;
    const xk = x.key ? Object.keys(x.key) : [];
    const yk = y.key ? Object.keys(y.key) : [];
    if (xk.length !== yk.length) return false;
    for (const k of xk) if (y.key?.[k] !== x.key![k]) return false;
  }
  return true;
}

/**
 * Packs absolute leaf updates into notifications, one per run of leaves that share a parent
 * container: the container becomes the prefix and each update keeps only the leaf name —
 * the shape devices use for counter containers.
 */
export function packUpdates(updates: GnmiUpdate[], timestamp: bigint, target?: string, deletes: GnmiPath[] = []): GnmiNotification[] {
  const out: GnmiNotification[] = [];
  let current: GnmiNotification | undefined;
  let parent: PathElem[] = [];
  for (const u of updates) {
    const elems = u.path.elem;
    const depth = elems.length - 1;
    if (depth < 0) {
      current = undefined;
      const n: GnmiNotification = { timestamp, update: [u], delete: [] };
      if (target) n.prefix = { elem: [], target };
      out.push(n);
      continue;
    }
    if (!current || parent.length !== depth || !sameElems(parent, elems, depth) || (current.prefix?.origin ?? '') !== (u.path.origin ?? '')) {
      parent = elems.slice(0, depth);
      const prefix: GnmiPath = { elem: parent };
      if (u.path.origin) prefix.origin = u.path.origin;
      if (target) prefix.target = target;
      current = { timestamp, prefix, update: [], delete: [] };
      out.push(current);
    }
    current.update.push({ path: { elem: [elems[depth]] }, value: u.value });
  }
  if (deletes.length > 0) {
    const n: GnmiNotification = { timestamp, update: [], delete: deletes };
    if (target) n.prefix = { elem: [], target };
    out.push(n);
  }
  return out;
}

/** A string that is equal for equal values (for suppress_redundant). */
export function valueSignature(v: TypedValue): string {
  switch (v.kind) {
    case 'int':
    case 'uint':
      return `${v.kind}:${v.value}`;
    case 'decimal':
      return `decimal:${v.digits}/${v.precision}`;
    case 'bytes':
    case 'proto_bytes':
      return `${v.kind}:${Buffer.from(v.value).toString('base64')}`;
    case 'any':
      return `any:${v.typeUrl}:${Buffer.from(v.value).toString('base64')}`;
    case 'leaflist':
      return `leaflist:[${v.value.map(valueSignature).join(',')}]`;
    case 'json':
    case 'json_ietf':
      return `${v.kind}:${JSON.stringify(v.value, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}`;
    default:
      return `${v.kind}:${String(v.value)}`;
  }
}
