/** YANG leaf types the simulated OpenConfig models use, with JSON/TypedValue coercion. */
import { isIPv6 } from 'node:net';

export type Scalar = string | number | boolean;

export type LeafType =
  | { t: 'string'; pattern?: RegExp; check?: (s: string) => boolean; what?: string }
  | { t: 'bool' }
  | { t: 'uint'; bits: 8 | 16 | 32 | 64; min?: number; max?: number }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'identity'; module: string; values: readonly string[] }
  | { t: 'union'; of: readonly LeafType[] };

const UINT_MAX = { 8: 255, 16: 65535, 32: 4294967295, 64: Number.MAX_SAFE_INTEGER } as const;

export const str = (): LeafType => ({ t: 'string' });
export const bool = (): LeafType => ({ t: 'bool' });
export const uint = (bits: 8 | 16 | 32 | 64, min?: number, max?: number): LeafType => ({ t: 'uint', bits, min, max });
export const enumeration = (...values: string[]): LeafType => ({ t: 'enum', values });
export const identity = (module: string, ...values: string[]): LeafType => ({ t: 'identity', module, values });
export const union = (...of: LeafType[]): LeafType => ({ t: 'union', of });

function validIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export const ipv4 = (): LeafType => ({ t: 'string', check: validIpv4, what: 'an IPv4 address' });
export const ipv6 = (): LeafType => ({ t: 'string', check: (s) => isIPv6(s), what: 'an IPv6 address' });
export const ipv4Prefix = (): LeafType => ({
  t: 'string',
  check: (s) => {
    const [addr, len, extra] = s.split('/');
    return extra === undefined && len !== undefined && validIpv4(addr) && /^(\d|[12]\d|3[0-2])$/.test(len);
  },
  what: 'an IPv4 prefix (a.b.c.d/len)',
});
export const vlanId = (): LeafType => uint(16, 1, 4094);
export const vlanRange = (): LeafType => ({
  t: 'string',
  check: (s) => {
    const m = /^(\d+)\.\.(\d+)$/.exec(s);
    return m !== null && Number(m[1]) >= 1 && Number(m[2]) <= 4094 && Number(m[1]) < Number(m[2]);
  },
  what: 'a VLAN range (a..b)',
});
export const routeDistinguisher = (): LeafType => ({
  t: 'string',
  pattern: /^(\d{1,10}:\d{1,10}|\d{1,3}(\.\d{1,3}){3}:\d{1,5})$/,
  what: 'a route distinguisher (ASN:NN or IP:NN)',
});
export const hostname = (): LeafType => ({
  t: 'string',
  pattern: /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/,
  what: 'a hostname',
});

/** Strips a YANG module prefix ("openconfig-interfaces:interfaces" → "interfaces"). */
export function stripPrefix(s: string): string {
  const i = s.indexOf(':');
  return i < 0 ? s : s.slice(i + 1);
}

export function describeType(type: LeafType): string {
  switch (type.t) {
    case 'string':
      return type.what ?? 'a string';
    case 'bool':
      return 'a boolean';
    case 'uint':
      return `a uint${type.bits} in ${type.min ?? 0}..${type.max ?? UINT_MAX[type.bits]}`;
    case 'enum':
      return `one of ${type.values.join(', ')}`;
    case 'identity':
      return `one of ${type.values.join(', ')}`;
    case 'union':
      return type.of.map(describeType).join(' or ');
  }
}

/**
 * Converts a raw value (from JSON, from a scalar TypedValue or from a path key string) into the
 * stored form; undefined when it does not fit the type. `lenient` accepts numbers and booleans
 * written as strings (path keys, ASCII values, RFC 7951 uint64).
 */
export function coerce(type: LeafType, raw: unknown, lenient: boolean): Scalar | undefined {
  switch (type.t) {
    case 'string': {
      if (typeof raw !== 'string') return undefined;
      if (type.pattern && !type.pattern.test(raw)) return undefined;
      if (type.check && !type.check(raw)) return undefined;
      return raw;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (lenient && (raw === 'true' || raw === 'false')) return raw === 'true';
      return undefined;
    case 'uint': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'bigint') n = raw > BigInt(Number.MAX_SAFE_INTEGER) ? Number.NaN : Number(raw);
      else if (typeof raw === 'string' && /^\d+$/.test(raw) && (lenient || type.bits === 64)) n = Number(raw);
      else return undefined;
      if (!Number.isSafeInteger(n)) return undefined;
      const min = type.min ?? 0;
      const max = type.max ?? UINT_MAX[type.bits];
      return n >= min && n <= max ? n : undefined;
    }
    case 'enum':
      return typeof raw === 'string' && type.values.includes(raw) ? raw : undefined;
    case 'identity': {
      if (typeof raw !== 'string') return undefined;
      const v = stripPrefix(raw);
      return type.values.includes(v) ? v : undefined;
    }
    case 'union':
      for (const member of type.of) {
        const v = coerce(member, raw, lenient);
        if (v !== undefined) return v;
      }
      return undefined;
  }
}

/** The union member a stored value belongs to (the first that accepts it). */
function memberOf(type: LeafType, v: Scalar): LeafType {
  if (type.t !== 'union') return type;
  for (const m of type.of) if (coerce(m, v, false) !== undefined) return memberOf(m, v);
  return type.of[0];
}

/** RFC 7951 form: identities module-qualified, 64-bit integers as strings. */
export function toJsonIetf(type: LeafType, v: Scalar): Scalar {
  const m = memberOf(type, v);
  if (m.t === 'identity') return `${m.module}:${v}`;
  if (m.t === 'uint' && m.bits === 64) return String(v);
  return v;
}

export type ScalarKind = 'string' | 'uint' | 'bool';

export function scalarKind(type: LeafType, v: Scalar): ScalarKind {
  const m = memberOf(type, v);
  return m.t === 'uint' ? 'uint' : m.t === 'bool' ? 'bool' : 'string';
}
