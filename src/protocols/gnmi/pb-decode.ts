/**
 * SubscribeResponse decoding from protobuf bytes straight to the decoded types, without the
 * intermediate protobufjs message and proto-loader object. For every message protobufjs
 * accepts, the notification equals `decodeNotification` of proto-loader's deserialized
 * object, and a notification that decodeNotification rejects is reported the same way
 * (`malformed`). Bytes that are not protobuf throw, as protobufjs does.
 */
import { GnmiDecodeError } from './codec.js';
import { parsePath } from './path.js';
import type { GnmiNotification, GnmiPath, GnmiUpdate, PathElem, TypedValue } from './target.js';
import type { ErrorPb, SubscribeResponsePb } from './wire.js';

/**
 * A SubscribeResponse as the client's deserializer hands it over: `notification` already
 * decoded, or `malformed` naming why it could not be.
 */
export interface SubscribeResponseMsg extends SubscribeResponsePb {
  notification?: GnmiNotification;
  malformed?: string;
}

const EMPTY = Buffer.alloc(0);
let buf: Buffer = EMPTY;
let p = 0;
let lo = 0;
let hi = 0;

function outOfRange(): never {
  throw new RangeError(`protobuf: index out of range at ${p}`);
}

function u32(): number {
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (p >= buf.length) outOfRange();
    const b = buf[p++];
    v += shift < 28 ? (b & 127) << shift : (b & 127) * 2 ** shift;
    if (b < 128) return v >>> 0;
  }
  for (let i = 0; i < 5; i++) {
    if (p >= buf.length) outOfRange();
    if (buf[p++] < 128) return v >>> 0;
  }
  throw new RangeError('protobuf: invalid varint encoding');
}

/** Reads a 64-bit varint into lo/hi. */
function long(): void {
  lo = 0;
  hi = 0;
  let i = 0;
  for (; i < 4; i++) {
    if (p >= buf.length) outOfRange();
    const b = buf[p++];
    lo = (lo | ((b & 127) << (i * 7))) >>> 0;
    if (b < 128) return;
  }
  if (p >= buf.length) outOfRange();
  let b = buf[p++];
  lo = (lo | ((b & 127) << 28)) >>> 0;
  hi = (b & 127) >> 4;
  if (b < 128) return;
  for (i = 0; i < 5; i++) {
    if (p >= buf.length) outOfRange();
    b = buf[p++];
    hi = (hi | ((b & 127) << (i * 7 + 3))) >>> 0;
    if (b < 128) return;
  }
  throw new RangeError('protobuf: invalid varint encoding');
}

function uint64(): bigint {
  long();
  if (hi < 0x200000) return BigInt(hi * 4294967296 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function int64(): bigint {
  long();
  if (hi < 0x200000) return BigInt(hi * 4294967296 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

function end(): number {
  const len = u32();
  const e = p + len;
  if (e > buf.length) outOfRange();
  return e;
}

function str(): string {
  const e = end();
  const s = p;
  p = e;
  if (e - s <= 24) {
    let out = '';
    for (let i = s; i < e; i++) {
      const c = buf[i];
      if (c >= 128) return buf.toString('utf8', s, e);
      out += String.fromCharCode(c);
    }
    return out;
  }
  return buf.toString('utf8', s, e);
}

function bytes(): Buffer {
  const e = end();
  const out = Buffer.allocUnsafe(e - p);
  buf.copy(out, 0, p, e);
  p = e;
  return out;
}

function skip(wire: number): void {
  switch (wire) {
    case 0:
      long();
      return;
    case 1:
      p += 8;
      break;
    case 2:
      p = end();
      return;
    case 3:
      for (;;) {
        const tag = u32();
        if ((tag & 7) === 4) break;
        skip(tag & 7);
      }
      return;
    case 5:
      p += 4;
      break;
    default:
      throw new Error(`protobuf: invalid wire type ${wire} at offset ${p}`);
  }
  if (p > buf.length) outOfRange();
}

function pathElem(e: number): PathElem {
  let name = '';
  let key: Record<string, string> | undefined;
  while (p < e) {
    const tag = u32();
    if (tag === 0x0a) name = str();
    else if (tag === 0x12) {
      const me = end();
      let k = '';
      let v = '';
      while (p < me) {
        const t = u32();
        if (t === 0x0a) k = str();
        else if (t === 0x12) v = str();
        else skip(t & 7);
      }
      key ??= {};
      key[k] = v;
    } else skip(tag & 7);
  }
  return key ? { name, key } : { name };
}

/** Names of the `elem` field's entries as proto-loader shows them (null where a name is absent), for error messages. */
function elemNames(e: number): (string | null)[] {
  const names: (string | null)[] = [];
  while (p < e) {
    const tag = u32();
    if (tag !== 0x1a) {
      skip(tag & 7);
      continue;
    }
    const ee = end();
    let name: string | null = null;
    while (p < ee) {
      const t = u32();
      if (t === 0x0a) name = str();
      else skip(t & 7);
    }
    names.push(name);
  }
  return names;
}

function legacyElement(s: string): PathElem {
  try {
    return parsePath(`/${s}`).elem[0] ?? { name: s };
  } catch {
    return { name: s };
  }
}

function path(e: number): GnmiPath {
  const elem: PathElem[] = [];
  let element: string[] | undefined;
  let origin = '';
  let target = '';
  while (p < e) {
    const tag = u32();
    switch (tag) {
      case 0x1a:
        elem.push(pathElem(end()));
        break;
      case 0x0a:
        element ??= [];
        element.push(str());
        break;
      case 0x12:
        origin = str();
        break;
      case 0x22:
        target = str();
        break;
      default:
        skip(tag & 7);
    }
  }
  const out: GnmiPath = { elem: elem.length === 0 && element ? element.map(legacyElement) : elem };
  if (origin) out.origin = origin;
  if (target) out.target = target;
  return out;
}

function parseJson(b: Buffer, what: string): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch (err) {
    throw new GnmiDecodeError(`${what} does not hold JSON text: ${(err as Error).message}`);
  }
}

/** A TypedValue; undefined when no member of the oneof is set. */
function typedValue(e: number): TypedValue | undefined {
  let v: TypedValue | undefined;
  while (p < e) {
    const tag = u32();
    switch (tag) {
      case 0x0a:
        v = { kind: 'string', value: str() };
        break;
      case 0x10:
        v = { kind: 'int', value: int64() };
        break;
      case 0x18:
        v = { kind: 'uint', value: uint64() };
        break;
      case 0x20:
        long();
        v = { kind: 'bool', value: lo !== 0 || hi !== 0 };
        break;
      case 0x2a:
        v = { kind: 'bytes', value: bytes() };
        break;
      case 0x35:
        if (p + 4 > buf.length) outOfRange();
        v = { kind: 'float', value: buf.readFloatLE(p) };
        p += 4;
        break;
      case 0x71:
        if (p + 8 > buf.length) outOfRange();
        v = { kind: 'double', value: buf.readDoubleLE(p) };
        p += 8;
        break;
      case 0x3a: {
        const de = end();
        let digits = 0n;
        let precision = 0;
        while (p < de) {
          const t = u32();
          if (t === 0x08) digits = int64();
          else if (t === 0x10) precision = u32();
          else skip(t & 7);
        }
        v = { kind: 'decimal', digits, precision };
        break;
      }
      case 0x42: {
        const le = end();
        const element: TypedValue[] = [];
        while (p < le) {
          const t = u32();
          if (t === 0x0a) {
            const x = typedValue(end());
            if (!x) throw new GnmiDecodeError('TypedValue has no value set');
            element.push(x);
          } else skip(t & 7);
        }
        v = { kind: 'leaflist', value: element };
        break;
      }
      case 0x4a: {
        const ae = end();
        let typeUrl = '';
        let value: Uint8Array = new Uint8Array(0);
        while (p < ae) {
          const t = u32();
          if (t === 0x0a) typeUrl = str();
          else if (t === 0x12) value = bytes();
          else skip(t & 7);
        }
        v = { kind: 'any', typeUrl, value };
        break;
      }
      case 0x52:
        v = { kind: 'json', value: parseJson(bytes(), 'json_val') };
        break;
      case 0x5a:
        v = { kind: 'json_ietf', value: parseJson(bytes(), 'json_ietf_val') };
        break;
      case 0x62:
        v = { kind: 'ascii', value: str() };
        break;
      case 0x6a:
        v = { kind: 'proto_bytes', value: bytes() };
        break;
      default:
        skip(tag & 7);
    }
  }
  return v;
}

const ENCODINGS = ['JSON', 'BYTES', 'PROTO', 'ASCII', 'JSON_IETF'];

function legacyValue(e: number): TypedValue {
  let value: Uint8Array = new Uint8Array(0);
  let type = 'JSON';
  while (p < e) {
    const tag = u32();
    if (tag === 0x0a) value = bytes();
    else if (tag === 0x10) {
      const n = u32() | 0;
      type = ENCODINGS[n] ?? String(n);
    } else skip(tag & 7);
  }
  switch (type) {
    case 'JSON':
      return { kind: 'json', value: parseJson(Buffer.from(value), 'Value') };
    case 'JSON_IETF':
      return { kind: 'json_ietf', value: parseJson(Buffer.from(value), 'Value') };
    case 'ASCII':
      return { kind: 'ascii', value: Buffer.from(value).toString('utf8') };
    case 'PROTO':
      return { kind: 'proto_bytes', value };
    default:
      return { kind: 'bytes', value };
  }
}

function update(e: number): GnmiUpdate {
  let upath: GnmiPath | undefined;
  let upathAt = 0;
  let val: TypedValue | undefined;
  let hasVal = false;
  let legacy: { start: number; end: number } | undefined;
  let duplicates = 0;
  while (p < e) {
    const tag = u32();
    switch (tag) {
      case 0x0a:
        upathAt = p;
        upath = path(end());
        break;
      case 0x1a:
        hasVal = true;
        val = typedValue(end());
        break;
      case 0x12: {
        const le = end();
        legacy = { start: p, end: le };
        p = le;
        break;
      }
      case 0x20:
        duplicates = u32();
        break;
      default:
        skip(tag & 7);
    }
  }
  let value: TypedValue;
  if (hasVal) {
    if (!val) throw new GnmiDecodeError('TypedValue has no value set');
    value = val;
  } else if (legacy) {
    const after = p;
    p = legacy.start;
    value = legacyValue(legacy.end);
    p = after;
  } else {
    p = upathAt;
    throw new GnmiDecodeError(`update at ${JSON.stringify(upath ? elemNames(end()) : [])} has no value`);
  }
  const out: GnmiUpdate = { path: upath ?? { elem: [] }, value };
  if (duplicates) out.duplicates = duplicates;
  return out;
}

function notification(e: number): GnmiNotification {
  let timestamp = 0n;
  let prefix: GnmiPath | undefined;
  const updates: GnmiUpdate[] = [];
  const deletes: GnmiPath[] = [];
  let atomic = false;
  while (p < e) {
    const tag = u32();
    switch (tag) {
      case 0x08:
        timestamp = int64();
        break;
      case 0x12:
        prefix = path(end());
        break;
      case 0x22:
        updates.push(update(end()));
        break;
      case 0x2a:
        deletes.push(path(end()));
        break;
      case 0x30:
        long();
        atomic = lo !== 0 || hi !== 0;
        break;
      default:
        skip(tag & 7);
    }
  }
  const out: GnmiNotification = { timestamp, update: updates, delete: deletes };
  if (prefix) out.prefix = prefix;
  if (atomic) out.atomic = true;
  return out;
}

function error(e: number): ErrorPb {
  const out: ErrorPb = {};
  while (p < e) {
    const tag = u32();
    if (tag === 0x08) out.code = u32();
    else if (tag === 0x12) out.message = str();
    else skip(tag & 7);
  }
  return out;
}

/**
 * Decodes a SubscribeResponse. Extensions are skipped; a notification that is valid protobuf
 * but not a valid gNMI notification comes back as `malformed` with the reason.
 */
export function decodeSubscribeResponse(bytes: Buffer): SubscribeResponseMsg {
  buf = bytes;
  p = 0;
  const out: SubscribeResponseMsg = {};
  let malformed: string | undefined;
  try {
    while (p < buf.length) {
      const tag = u32();
      switch (tag) {
        case 0x0a: {
          const e = end();
          try {
            malformed = undefined;
            out.notification = notification(e);
          } catch (err) {
            if (!(err instanceof GnmiDecodeError)) throw err;
            malformed = err.message;
            out.notification = undefined;
            p = e;
          }
          out.response = 'update';
          break;
        }
        case 0x18:
          long();
          out.sync_response = lo !== 0 || hi !== 0;
          out.response = 'sync_response';
          break;
        case 0x22:
          out.error = error(end());
          out.response = 'error';
          break;
        default:
          skip(tag & 7);
      }
    }
  } finally {
    buf = EMPTY;
  }
  if (malformed !== undefined) out.malformed = malformed;
  return out;
}
