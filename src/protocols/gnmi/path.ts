import type { GnmiPath, PathElem } from './target.js';

/** A path string that does not follow the grammar. */
export class PathSyntaxError extends Error {
  constructor(
    readonly path: string,
    readonly position: number,
    reason: string,
  ) {
    super(`invalid gNMI path ${JSON.stringify(path)} at ${position}: ${reason}`);
    this.name = 'PathSyntaxError';
  }
}

/**
 * Parses the gnmic path grammar: `[origin:]/name[key=value][key2=value2]/name...`.
 * Inside `[...]` a `\` escapes the next character, so `\]`, `\\`, `\=` and `\/` stand for
 * themselves; an unescaped `/` inside brackets does not split (`[name=Ethernet1/1]`).
 */
export function parsePath(input: string): GnmiPath {
  let origin: string | undefined;
  let s = input;
  const colon = s.indexOf(':');
  if (colon > 0 && s[0] !== '/' && !s.slice(0, colon).includes('/') && (colon + 1 === s.length || s[colon + 1] === '/')) {
    origin = s.slice(0, colon);
    s = s.slice(colon + 1);
  }
  const offset = input.length - s.length;
  const elem: PathElem[] = [];
  let i = s.startsWith('/') ? 1 : 0;
  const fail = (pos: number, reason: string): never => {
    throw new PathSyntaxError(input, offset + pos, reason);
  };
  while (i < s.length) {
    let name = '';
    while (i < s.length && s[i] !== '/' && s[i] !== '[') {
      if (s[i] === ']') fail(i, 'unexpected "]"');
      if (s[i] === '\\') {
        if (i + 1 >= s.length) fail(i, 'dangling escape');
        i++;
      }
      name += s[i++];
    }
    if (name === '') {
      if (i >= s.length) break;
      fail(i, 'empty element name');
    }
    const e: PathElem = { name };
    while (s[i] === '[') {
      i++;
      let k = '';
      while (i < s.length && s[i] !== '=') {
        if (s[i] === ']') fail(i, `key without "=" in element "${name}"`);
        if (s[i] === '\\') i++;
        if (i >= s.length) break;
        k += s[i++];
      }
      if (i >= s.length) fail(i, `unterminated key in element "${name}"`);
      if (k === '') fail(i, `empty key name in element "${name}"`);
      i++;
      let v = '';
      while (i < s.length && s[i] !== ']') {
        if (s[i] === '\\') i++;
        if (i >= s.length) break;
        v += s[i++];
      }
      if (i >= s.length) fail(i, `missing "]" after key "${k}" in element "${name}"`);
      i++;
      e.key ??= {};
      if (Object.hasOwn(e.key, k)) fail(i, `duplicate key "${k}" in element "${name}"`);
      e.key[k] = v;
    }
    if (i < s.length && s[i] !== '/') fail(i, `unexpected ${JSON.stringify(s[i])} after element "${name}"`);
    i++;
    elem.push(e);
  }
  return origin === undefined ? { elem } : { origin, elem };
}

const escapeName = (s: string): string => s.replace(/[\\/[\]]/g, (c) => `\\${c}`);
const escapeKeyName = (s: string): string => s.replace(/[\\=\]]/g, (c) => `\\${c}`);
const escapeKeyValue = (s: string): string => s.replace(/[\\\]]/g, (c) => `\\${c}`);

/** Formats one element: `name[k1=v1][k2=v2]`, keys sorted by name. */
export function formatElem(e: PathElem): string {
  let out = escapeName(e.name);
  if (e.key) {
    for (const k of Object.keys(e.key).sort()) out += `[${escapeKeyName(k)}=${escapeKeyValue(e.key[k])}]`;
  }
  return out;
}

/** The canonical string of a path (origin prefix, no target); `parsePath` reads it back. */
export function pathToString(p: GnmiPath | undefined): string {
  const body = `/${(p?.elem ?? []).map(formatElem).join('/')}`;
  return p?.origin ? `${p.origin}:${body}` : body;
}

/** Prefix + path as the specification merges them: elements concatenated, origin/target from the prefix unless the path sets them. */
export function joinPath(prefix: GnmiPath | undefined, path: GnmiPath | undefined): GnmiPath {
  const out: GnmiPath = { elem: [...(prefix?.elem ?? []), ...(path?.elem ?? [])] };
  const origin = path?.origin || prefix?.origin;
  const target = prefix?.target || path?.target;
  if (origin) out.origin = origin;
  if (target) out.target = target;
  return out;
}

function keysEqual(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = a ? Object.keys(a) : [];
  const bk = b ? Object.keys(b) : [];
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!b || !Object.hasOwn(b, k) || b[k] !== a![k]) return false;
  return true;
}

/** Same origin, target, element names and keys (key order does not matter). */
export function pathsEqual(a: GnmiPath, b: GnmiPath): boolean {
  if ((a.origin || '') !== (b.origin || '') || (a.target || '') !== (b.target || '')) return false;
  if (a.elem.length !== b.elem.length) return false;
  for (let i = 0; i < a.elem.length; i++) {
    if (a.elem[i].name !== b.elem[i].name || !keysEqual(a.elem[i].key, b.elem[i].key)) return false;
  }
  return true;
}

/**
 * True when `path` lies at or under `prefix`. A `*` element name or key value in the prefix
 * matches anything; a key the prefix names must be present in the path (with that value).
 * Origins are compared only when both are set, so `openconfig:/a` covers `/a/b`.
 */
export function isPrefixOf(prefix: GnmiPath, path: GnmiPath): boolean {
  if (prefix.origin && path.origin && prefix.origin !== path.origin) return false;
  if (prefix.elem.length > path.elem.length) return false;
  for (let i = 0; i < prefix.elem.length; i++) {
    const pe = prefix.elem[i];
    const e = path.elem[i];
    if (pe.name !== '*' && pe.name !== e.name) return false;
    if (pe.key) {
      for (const k of Object.keys(pe.key)) {
        const want = pe.key[k];
        const got = e.key?.[k];
        if (got === undefined) return false;
        if (want !== '*' && want !== got) return false;
      }
    }
  }
  return true;
}

/** Accepts either a path string or a decoded path. */
export function toPath(p: string | GnmiPath): GnmiPath {
  return typeof p === 'string' ? parsePath(p) : p;
}
