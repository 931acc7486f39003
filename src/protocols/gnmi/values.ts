import type { TypedValue } from './target.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

export { isPlainObject };

/** A decimal64 as exact decimal text: digits 1234, precision 2 → "12.34". */
export function decimalToString(digits: bigint, precision: number): string {
  const neg = digits < 0n;
  let s = (neg ? -digits : digits).toString();
  if (precision > 0) {
    s = s.padStart(precision + 1, '0');
    s = `${s.slice(0, -precision)}.${s.slice(-precision)}`;
  }
  return neg ? `-${s}` : s;
}

/**
 * A TypedValue as a plain JavaScript value: integers as bigint (no precision loss), bytes as
 * base64 text (as RFC 7951 writes binary), decimal64 as exact decimal text, JSON as parsed.
 */
export function typedValueToJs(v: TypedValue): unknown {
  switch (v.kind) {
    case 'bytes':
    case 'proto_bytes':
      return Buffer.from(v.value).toString('base64');
    case 'decimal':
      return decimalToString(v.digits, v.precision);
    case 'leaflist':
      return v.value.map(typedValueToJs);
    case 'any':
      return { typeUrl: v.typeUrl, value: Buffer.from(v.value).toString('base64') };
    default:
      return v.value;
  }
}

/**
 * A plain JavaScript value as a TypedValue: strings, booleans, whole numbers and bigints
 * (uint when ≥ 0, int otherwise), other numbers as double, arrays of scalars as leaf-lists,
 * bytes as bytes; objects, nulls and mixed arrays as JSON_IETF (or JSON when asked).
 */
export function jsToTypedValue(v: unknown, json: 'json' | 'json_ietf' = 'json_ietf'): TypedValue {
  switch (typeof v) {
    case 'string':
      return { kind: 'string', value: v };
    case 'boolean':
      return { kind: 'bool', value: v };
    case 'bigint':
      return v < 0n ? { kind: 'int', value: v } : { kind: 'uint', value: v };
    case 'number':
      if (Number.isSafeInteger(v)) return v < 0 ? { kind: 'int', value: BigInt(v) } : { kind: 'uint', value: BigInt(v) };
      return { kind: 'double', value: v };
  }
  if (v instanceof Uint8Array) return { kind: 'bytes', value: v };
  if (Array.isArray(v) && v.every((x) => x !== null && typeof x !== 'object')) {
    return { kind: 'leaflist', value: v.map((x) => jsToTypedValue(x, json)) };
  }
  return { kind: json, value: v };
}
