/**
 * Leaf values against their types: RFC 7951 JSON encodings and XML text, every built-in type, the
 * effective range/length/pattern restrictions of the typedef chain, unions tried in member order.
 * A value that fits gives its canonical string (what XPath sees and what is written back).
 */
import { type DataErrorCode, quoteLiteral } from './data-tree.js';
import type { Identity, LeafListNode, LeafNode, RangeRestriction, ResolvedType } from './schema.js';
import { parseDecimal } from './types.js';
import { parseXPath, type XPathExpr } from './xpath.js';

export type Encoding = 'json' | 'xml';

/** A value as read: a JSON value, or XML text with a resolver for the prefixes in it. */
export interface ValueInput {
  encoding: Encoding;
  json?: unknown;
  text?: string;
  /** Prefix (JSON: a module name; XML: a namespace prefix in scope) → module name (the namespace URI for a module outside the set), undefined when unbound. */
  prefixModule(prefix: string | undefined): string | undefined;
}

export type ValueResult =
  | { ok: true; value: string; type: ResolvedType; identity?: Identity }
  | { ok: false; code: DataErrorCode; message: string };

interface Env {
  identities: ReadonlyMap<string, Identity>;
  /** Modules known to the schema (for instance-identifier prefixes). */
  hasModule(name: string): boolean;
  acceptForeignIdentities?: boolean;
}

const JSON_NUMBER_TYPES = new Set(['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32']);
const MAX_DEPTH = 16;

const fail = (code: DataErrorCode, message: string): ValueResult => ({ ok: false, code, message });

function show(input: ValueInput): string {
  if (input.encoding === 'xml') return JSON.stringify(input.text ?? '');
  return JSON.stringify(input.json) ?? String(input.json);
}

/** Checks a value of `leaf` against `type` (the leaf's own type at the top). */
export function parseValue(leaf: LeafNode | LeafListNode, type: ResolvedType, input: ValueInput, env: Env, depth = 0): ValueResult {
  if (depth > MAX_DEPTH) return fail('YANG_DATA_TYPE', `type of ${leaf.name} nests too deeply (leafref/union chain)`);
  const b = type.base;
  if (b === 'union') {
    const tried: string[] = [];
    for (const m of type.members ?? []) {
      const r = parseValue(leaf, m, input, env, depth + 1);
      if (r.ok) return r;
      tried.push(m.name);
    }
    return fail('YANG_DATA_TYPE', `value ${show(input)} matches no member of union ${type.name} (${tried.join(', ')})`);
  }
  if (b === 'leafref') {
    const target = type.leafref ? leaf.leafrefTargets?.get(type.leafref) : undefined;
    if (!target) return lexical(input, 'string').ok ? { ok: true, value: lexicalText(input), type } : fail('YANG_DATA_ENCODING', `leafref value ${show(input)} must be a string`);
    return parseValue(target, target.type, input, env, depth + 1);
  }
  if (b === 'empty') {
    if (input.encoding === 'json') {
      const v = input.json;
      if (!Array.isArray(v) || v.length !== 1 || v[0] !== null) return fail('YANG_DATA_ENCODING', `empty value must be [null], not ${show(input)}`);
    } else if ((input.text ?? '').trim() !== '') return fail('YANG_DATA_TYPE', `empty leaf has content ${show(input)}`);
    return { ok: true, value: '', type };
  }
  if (b === 'boolean') {
    if (input.encoding === 'json') {
      if (typeof input.json !== 'boolean') return fail('YANG_DATA_ENCODING', `boolean value must be true or false, not ${show(input)}`);
      return { ok: true, value: String(input.json), type };
    }
    const t = input.text ?? '';
    if (t !== 'true' && t !== 'false') return fail('YANG_DATA_TYPE', `invalid boolean value ${show(input)}`);
    return { ok: true, value: t, type };
  }
  if (JSON_NUMBER_TYPES.has(b) || b === 'int64' || b === 'uint64') return integer(type, input);
  if (b === 'decimal64') return decimal(type, input);
  const lex = lexical(input, b);
  if (!lex.ok) return lex;
  const text = lexicalText(input);
  switch (b) {
    case 'string': {
      const len = countChars(text);
      if (!inRange(type.length, len)) return lengthFault(type, `length ${len} of ${JSON.stringify(text)}`);
      for (const p of type.patterns) {
        if (p.regex.test(text) === p.invert) {
          return fail('YANG_DATA_PATTERN', p.errorMessage ?? `value ${JSON.stringify(text)} does not match the ${p.posix ? 'posix-pattern' : 'pattern'} "${p.source}"${p.invert ? ' (invert-match)' : ''} of ${type.name}`);
        }
      }
      return { ok: true, value: text, type };
    }
    case 'enumeration':
      if (!type.enums?.some((e) => e.name === text)) return fail('YANG_DATA_ENUM', `invalid enumeration value ${JSON.stringify(text)} of ${type.name}`);
      return { ok: true, value: text, type };
    case 'bits': {
      const names = text.split(/\s+/).filter((x) => x);
      const set = new Set<string>();
      for (const n of names) {
        if (!type.bits?.some((x) => x.name === n)) return fail('YANG_DATA_BITS', `unknown bit "${n}" in ${JSON.stringify(text)} of ${type.name}`);
        if (set.has(n)) return fail('YANG_DATA_BITS', `bit "${n}" set twice in ${JSON.stringify(text)}`);
        set.add(n);
      }
      const canon = (type.bits ?? [])
        .filter((x) => set.has(x.name))
        .sort((a, c) => a.position - c.position)
        .map((x) => x.name)
        .join(' ');
      return { ok: true, value: canon, type };
    }
    case 'binary': {
      const compact = text.replace(/\s+/g, '');
      if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) return fail('YANG_DATA_TYPE', `invalid base64 value ${JSON.stringify(text)}`);
      const bytes = (compact.length / 4) * 3 - (compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0);
      if (!inRange(type.length, bytes)) return lengthFault(type, `length ${bytes} of the binary value`);
      return { ok: true, value: compact, type };
    }
    case 'identityref':
      return identityref(type, text, input, env, leaf.module.name);
    case 'instance-identifier':
      return instanceIdentifier(type, text, input, env);
    default:
      return fail('YANG_DATA_TYPE', `unsupported type ${b}`);
  }
}

function lexicalText(input: ValueInput): string {
  return input.encoding === 'json' ? (input.json as string) : (input.text ?? '');
}

const LEXICAL_OK = { ok: true } as const;

function lexical(input: ValueInput, base: string): ValueResult | { ok: true } {
  if (input.encoding === 'json' && typeof input.json !== 'string') return fail('YANG_DATA_ENCODING', `${base} value must be a JSON string, not ${show(input)}`);
  return LEXICAL_OK;
}

function countChars(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** Whether v is in one of the intervals (bigint bounds compare with numbers as they are: no conversion). */
function inRange(r: RangeRestriction | undefined, v: bigint | number): boolean {
  if (!r) return true;
  for (const i of r.intervals) if (v >= i.min && v <= i.max) return true;
  return false;
}

/** The fault of a length outside the type's (the message is made only then). */
function lengthFault(type: ResolvedType, what: string): ValueResult {
  return fail('YANG_DATA_LENGTH', type.length?.errorMessage ?? `${what} is outside the length "${type.length?.source}" of ${type.name}`);
}

function integer(type: ResolvedType, input: ValueInput): ValueResult {
  let text: string;
  if (input.encoding === 'json') {
    const big = type.base === 'int64' || type.base === 'uint64';
    if (big ? typeof input.json !== 'string' : typeof input.json !== 'number') {
      return fail('YANG_DATA_ENCODING', `${type.base} value must be a JSON ${big ? 'string' : 'number'}, not ${show(input)}`);
    }
    if (!big && Number.isSafeInteger(input.json)) {
      // A JSON number: compared as it is (no text or bigint made unless it is out of range).
      const v = input.json as number;
      if (inRange(type.range, v)) return { ok: true, value: String(v), type };
    }
    text = big ? (input.json as string) : Number.isInteger(input.json) ? String(input.json) : 'x';
  } else text = (input.text ?? '').trim();
  if (!/^[+-]?\d+$/.test(text)) return fail('YANG_DATA_TYPE', `invalid ${type.base} value ${show(input)}`);
  const v = BigInt(text);
  if (!inRange(type.range, v)) {
    return fail('YANG_DATA_RANGE', type.range?.errorMessage ?? `value ${v} is outside the range "${type.range?.source}" of ${type.name}`);
  }
  return { ok: true, value: v.toString(), type };
}

function decimal(type: ResolvedType, input: ValueInput): ValueResult {
  const fd = type.fractionDigits ?? 1;
  let text: string;
  if (input.encoding === 'json') {
    if (typeof input.json !== 'string') return fail('YANG_DATA_ENCODING', `decimal64 value must be a JSON string, not ${show(input)}`);
    text = input.json;
  } else text = (input.text ?? '').trim();
  const v = parseDecimal(text, fd);
  if (v === undefined) return fail('YANG_DATA_TYPE', `invalid decimal64 value ${show(input)} (${fd} fraction digits)`);
  if (!inRange(type.range, v)) return fail('YANG_DATA_RANGE', type.range?.errorMessage ?? `value ${text} is outside the range "${type.range?.source}" of ${type.name}`);
  return { ok: true, value: formatDecimal(v, fd), type };
}

/** Canonical decimal64 (RFC 7950 9.3.2): no leading zeros, at least one fraction digit, no trailing zeros. */
export function formatDecimal(v: bigint, fd: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(fd + 1, '0');
  const int = digits.slice(0, digits.length - fd);
  const frac = digits.slice(digits.length - fd).replace(/0+$/, '') || '0';
  return `${neg ? '-' : ''}${int}.${frac}`;
}

function identityref(type: ResolvedType, text: string, input: ValueInput, env: Env, leafModule: string): ValueResult {
  const t = text.trim();
  const i = t.indexOf(':');
  const prefix = i < 0 ? undefined : t.slice(0, i);
  const name = i < 0 ? t : t.slice(i + 1);
  // RFC 7951 6.8: the simple form names an identity of the leaf's own module.
  const mod = input.encoding === 'json' && prefix === undefined ? leafModule : input.prefixModule(prefix);
  if (!mod) return fail('YANG_DATA_IDENTITY', `identityref value "${t}": unknown prefix "${prefix ?? ''}"`);
  if (!env.hasModule(mod)) {
    // An identity of a module outside the set cannot be checked; an edit passes it on to the device.
    if (env.acceptForeignIdentities) return { ok: true, value: `${mod}:${name}`, type };
    return fail('YANG_DATA_IDENTITY', `identityref value "${t}": module "${mod}" is not loaded`);
  }
  const id = env.identities.get(`${mod}:${name}`);
  if (!id) return fail('YANG_DATA_IDENTITY', `identity "${mod}:${name}" does not exist`);
  for (const b of type.bases ?? []) {
    if (!b.derived.has(id)) return fail('YANG_DATA_IDENTITY', `identity "${id.qname}" is not derived from "${b.qname}" (base of ${type.name})`);
  }
  return { ok: true, value: id.qname, type, identity: id };
}

function instanceIdentifier(type: ResolvedType, text: string, input: ValueInput, env: Env): ValueResult {
  let expr: XPathExpr;
  try {
    expr = parseXPath(text.trim());
  } catch (e) {
    return fail('YANG_DATA_INSTANCE_ID', `invalid instance-identifier "${text}": ${(e as Error).message}`);
  }
  if (expr.kind !== 'path' || !expr.absolute || expr.base || expr.steps.length === 0) return fail('YANG_DATA_INSTANCE_ID', `instance-identifier "${text}" is not an absolute path`);
  let out = '';
  let current: string | undefined;
  const qname = (prefix: string | undefined, local: string, inherit: boolean): string | undefined => {
    if (prefix === undefined && !inherit) return undefined;
    const mod = prefix === undefined ? current : input.prefixModule(prefix);
    if (!mod || !env.hasModule(mod)) return undefined;
    const s = mod === current ? local : `${mod}:${local}`;
    return s;
  };
  for (const s of expr.steps) {
    if (s.axis !== 'child' || s.test.kind !== 'name') return fail('YANG_DATA_INSTANCE_ID', `instance-identifier "${text}" may only name nodes`);
    const name = qname(s.test.prefix, s.test.local, input.encoding === 'json' && current !== undefined);
    if (!name) return fail('YANG_DATA_INSTANCE_ID', `instance-identifier "${text}": step "${s.test.local}" has no known module prefix`);
    current = s.test.prefix === undefined ? current : input.prefixModule(s.test.prefix);
    out += `/${name}`;
    for (const p of s.predicates) {
      if (p.kind === 'number') out += `[${p.value}]`;
      else if (p.kind === 'binary' && p.op === '=' && p.right.kind === 'literal' && p.left.kind === 'path' && p.left.steps.length === 1) {
        const st = p.left.steps[0];
        const value = (p.right as { value: string }).value;
        if (st.axis === 'self') out += `[.=${quoteLiteral(value)}]`;
        else if (st.test.kind === 'name') out += `[${st.test.local}=${quoteLiteral(value)}]`;
        else return fail('YANG_DATA_INSTANCE_ID', `instance-identifier "${text}": bad predicate`);
      } else return fail('YANG_DATA_INSTANCE_ID', `instance-identifier "${text}": predicates must be [key='value'], [.='value'] or [position]`);
    }
  }
  return { ok: true, value: out, type };
}
