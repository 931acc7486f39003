import { parsePath } from './path.js';
import type { GnmiNotification, GnmiPath, GnmiUpdate, PathElem, TypedValue } from './target.js';
import type { NotificationPb, PathPb, TypedValuePb, UpdatePb, ValuePb } from './wire.js';

/** A message that cannot be turned into the decoded types (malformed JSON bytes, an empty TypedValue, ...). */
export class GnmiDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GnmiDecodeError';
  }
}

const big = (v: string | number | undefined): bigint => (v === undefined ? 0n : BigInt(v));

export function decodePath(pb: PathPb | undefined | null): GnmiPath {
  const out: GnmiPath = { elem: [] };
  if (!pb) return out;
  if (pb.elem?.length) {
    out.elem = pb.elem.map((e) => {
      const el: PathElem = { name: e.name ?? '' };
      if (e.key && Object.keys(e.key).length > 0) el.key = { ...e.key };
      return el;
    });
  } else if (pb.element?.length) {
    out.elem = pb.element.map((s) => {
      try {
        return parsePath(`/${s}`).elem[0] ?? { name: s };
      } catch {
        return { name: s };
      }
    });
  }
  if (pb.origin) out.origin = pb.origin;
  if (pb.target) out.target = pb.target;
  return out;
}

export function encodePath(p: GnmiPath | undefined): PathPb | undefined {
  if (!p) return undefined;
  const out: PathPb = { elem: p.elem.map((e) => (e.key ? { name: e.name, key: e.key } : { name: e.name })) };
  if (p.origin) out.origin = p.origin;
  if (p.target) out.target = p.target;
  return out;
}

const bytes = (b: Uint8Array | undefined): Uint8Array => b ?? new Uint8Array(0);

function parseJson(b: Uint8Array | undefined, what: string): unknown {
  const text = Buffer.from(bytes(b)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GnmiDecodeError(`${what} does not hold JSON text: ${(err as Error).message}`);
  }
}

const jsonBytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)), 'utf8');

export function decodeTypedValue(pb: TypedValuePb | undefined | null): TypedValue {
  switch (pb?.value) {
    case 'string_val':
      return { kind: 'string', value: pb.string_val ?? '' };
    case 'int_val':
      return { kind: 'int', value: big(pb.int_val) };
    case 'uint_val':
      return { kind: 'uint', value: big(pb.uint_val) };
    case 'bool_val':
      return { kind: 'bool', value: pb.bool_val ?? false };
    case 'bytes_val':
      return { kind: 'bytes', value: bytes(pb.bytes_val) };
    case 'float_val':
      return { kind: 'float', value: pb.float_val ?? 0 };
    case 'double_val':
      return { kind: 'double', value: pb.double_val ?? 0 };
    case 'decimal_val':
      return { kind: 'decimal', digits: big(pb.decimal_val?.digits), precision: pb.decimal_val?.precision ?? 0 };
    case 'leaflist_val':
      return { kind: 'leaflist', value: (pb.leaflist_val?.element ?? []).map(decodeTypedValue) };
    case 'any_val':
      return { kind: 'any', typeUrl: pb.any_val?.type_url ?? '', value: bytes(pb.any_val?.value) };
    case 'json_val':
      return { kind: 'json', value: parseJson(pb.json_val, 'json_val') };
    case 'json_ietf_val':
      return { kind: 'json_ietf', value: parseJson(pb.json_ietf_val, 'json_ietf_val') };
    case 'ascii_val':
      return { kind: 'ascii', value: pb.ascii_val ?? '' };
    case 'proto_bytes':
      return { kind: 'proto_bytes', value: bytes(pb.proto_bytes) };
    default:
      throw new GnmiDecodeError('TypedValue has no value set');
  }
}

export function encodeTypedValue(v: TypedValue): TypedValuePb {
  switch (v.kind) {
    case 'string':
      return { string_val: v.value };
    case 'int':
      return { int_val: v.value.toString() };
    case 'uint':
      return { uint_val: v.value.toString() };
    case 'bool':
      return { bool_val: v.value };
    case 'bytes':
      return { bytes_val: v.value };
    case 'float':
      return { float_val: v.value };
    case 'double':
      return { double_val: v.value };
    case 'decimal':
      return { decimal_val: { digits: v.digits.toString(), precision: v.precision } };
    case 'leaflist':
      return { leaflist_val: { element: v.value.map(encodeTypedValue) } };
    case 'any':
      return { any_val: { type_url: v.typeUrl, value: v.value } };
    case 'json':
      return { json_val: jsonBytes(v.value) };
    case 'json_ietf':
      return { json_ietf_val: jsonBytes(v.value) };
    case 'ascii':
      return { ascii_val: v.value };
    case 'proto_bytes':
      return { proto_bytes: v.value };
  }
}

/** The deprecated Update.value (bytes + encoding) as a TypedValue. */
function decodeLegacyValue(v: ValuePb): TypedValue {
  switch (v.type ?? 'JSON') {
    case 'JSON':
      return { kind: 'json', value: parseJson(v.value, 'Value') };
    case 'JSON_IETF':
      return { kind: 'json_ietf', value: parseJson(v.value, 'Value') };
    case 'ASCII':
      return { kind: 'ascii', value: Buffer.from(bytes(v.value)).toString('utf8') };
    case 'PROTO':
      return { kind: 'proto_bytes', value: bytes(v.value) };
    default:
      return { kind: 'bytes', value: bytes(v.value) };
  }
}

export function decodeUpdate(pb: UpdatePb): GnmiUpdate {
  let value: TypedValue;
  if (pb.val) value = decodeTypedValue(pb.val);
  else if (pb.value) value = decodeLegacyValue(pb.value);
  else throw new GnmiDecodeError(`update at ${JSON.stringify(pb.path?.elem?.map((e) => e.name) ?? [])} has no value`);
  const out: GnmiUpdate = { path: decodePath(pb.path), value };
  if (pb.duplicates) out.duplicates = pb.duplicates;
  return out;
}

export function encodeUpdate(u: GnmiUpdate): UpdatePb {
  const out: UpdatePb = { path: encodePath(u.path), val: encodeTypedValue(u.value) };
  if (u.duplicates) out.duplicates = u.duplicates;
  return out;
}

export function decodeNotification(pb: NotificationPb): GnmiNotification {
  const out: GnmiNotification = {
    timestamp: big(pb.timestamp),
    update: (pb.update ?? []).map(decodeUpdate),
    delete: (pb.delete ?? []).map(decodePath),
  };
  if (pb.prefix) out.prefix = decodePath(pb.prefix);
  if (pb.atomic) out.atomic = true;
  return out;
}

export function encodeNotification(n: GnmiNotification): NotificationPb {
  const out: NotificationPb = {
    timestamp: n.timestamp.toString(),
    update: n.update.map(encodeUpdate),
    delete: n.delete.map((d) => encodePath(d)!),
  };
  if (n.prefix) out.prefix = encodePath(n.prefix);
  if (n.atomic) out.atomic = true;
  return out;
}
