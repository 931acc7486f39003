/**
 * SubscribeResponse decoding from protobuf bytes straight to the decoded types, without the
 * intermediate protobufjs message and proto-loader object. For every message protobufjs
 * accepts, the notification equals `decodeNotification` of proto-loader's deserialized
 * object, and a notification that decodeNotification rejects is reported the same way
 * (`malformed`). Bytes that are not protobuf throw, as protobufjs does.
 */
import { GnmiDecodeError } from './codec.js';
import { jsonLeaves, type LeafSink, leafString, notificationLeaves, timestampMs } from './leaves.js';
import { joinPath, parsePath, pathToString } from './path.js';
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

/*
 * Leaves straight from the bytes (GnmiClient.subscribe with `leaves`): the absolute path of a
 * leaf is resolved once per distinct (prefix bytes, path bytes) and cached, so a steady stream
 * decodes no paths and builds no notification objects. Whatever this fast path does not handle
 * exactly — deprecated fields, repeated fields, values that are neither scalars nor JSON, bad
 * bytes — goes through decodeSubscribeResponse and notificationLeaves, which define the result.
 */

interface LeafEntry<T> {
  /** The update's path bytes, as latin1 text. */
  bytes: string;
  ref: T | undefined;
  /** JSON container members below this path: member names joined by NUL → what resolve gave. */
  members?: Map<string, T | undefined>;
  next: LeafEntry<T> | undefined;
}

interface PrefixEntry<T> {
  bytes: string;
  path: GnmiPath;
  leaves: Map<number, LeafEntry<T>>;
  next: PrefixEntry<T> | undefined;
}

/** A JSON value the byte scanner cannot take as a scalar: JSON.parse decides. */
const PARSE = Symbol('parse');

function hashAt(s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h;
}

function sameBytes(stored: string, s: number, e: number): boolean {
  if (stored.length !== e - s) return false;
  for (let i = 0; i < stored.length; i++) if (stored.charCodeAt(i) !== buf[s + i]) return false;
  return true;
}

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** An integer of at most 15 digits in [s, e), else undefined. */
function smallInt(s: number, e: number): number | undefined {
  const neg = buf[s] === 0x2d;
  const d0 = neg ? s + 1 : s;
  if (e - d0 < 1 || e - d0 > 15) return undefined;
  let v = 0;
  for (let i = d0; i < e; i++) {
    const c = buf[i] - 0x30;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** The number a string's bytes [s, e) hold when they read as -?\d+(\.\d+)? (leafString's rule), else undefined. */
function decimalText(s: number, e: number): number | undefined {
  const n = smallInt(s, e);
  if (n !== undefined) return n;
  let i = buf[s] === 0x2d ? s + 1 : s;
  const d0 = i;
  while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
  if (i === d0) return undefined;
  if (i < e) {
    if (buf[i] !== 0x2e) return undefined;
    const f0 = ++i;
    while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i === f0 || i < e) return undefined;
  }
  return Number(buf.toString('latin1', s, e));
}

function literal(s: number, e: number, text: string): boolean {
  if (e - s !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[s + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** A JSON scalar read from [s, e) without JSON.parse: plain strings, small integers, true, false, null. */
function jsonScalar(s: number, e: number, numericStrings: boolean | undefined): unknown {
  while (s < e && isWs(buf[s])) s++;
  while (e > s && isWs(buf[e - 1])) e--;
  if (e - s < 1) return PARSE;
  const c = buf[s];
  if (c === 0x22) {
    if (e - s < 2 || buf[e - 1] !== 0x22) return PARSE;
    for (let i = s + 1; i < e - 1; i++) {
      const b = buf[i];
      if (b < 0x20 || b === 0x22 || b === 0x5c || b >= 0x80) return PARSE;
    }
    if (numericStrings) {
      const n = decimalText(s + 1, e - 1);
      if (n !== undefined) return n;
    }
    return buf.toString('latin1', s + 1, e - 1);
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    // JSON allows no leading zero; such text, fractions, exponents and long numbers go to JSON.parse.
    const d0 = c === 0x2d ? s + 1 : s;
    if (buf[d0] === 0x30 && e - d0 > 1) return PARSE;
    return smallInt(s, e) ?? PARSE;
  }
  if (literal(s, e, 'true')) return true;
  if (literal(s, e, 'false')) return false;
  if (literal(s, e, 'null')) return null;
  return PARSE;
}

/**
 * Path resolutions of Subscribe streams read as leaves: (prefix bytes, path bytes) → what the
 * sink's resolve gave, at most maxPaths (then it starts over). One cache may serve many
 * streams (LeafSink.paths) whose sinks resolve alike: a fleet of devices then holds each
 * distinct path once, not once per device.
 */
export class LeafPathCache<T> {
  readonly maxPaths: number;
  prefixes = new Map<number, PrefixEntry<T>>();
  /** Paths of the general decoder's leaves (pathToString with the target) → what resolve gave. */
  slow = new Map<string, T | undefined>();
  paths = 0;

  constructor(maxPaths = 100_000) {
    this.maxPaths = maxPaths;
  }

  /** Counts a new entry; past the bound everything is dropped and resolved anew as it comes. */
  counted(): void {
    if (++this.paths <= this.maxPaths) return;
    this.prefixes = new Map();
    this.slow = new Map();
    this.paths = 1;
  }
}

/** Decodes a Subscribe stream's responses into a LeafSink, resolving each distinct path once (LeafPathCache). */
export class LeafDecoder<T> {
  readonly #sink: LeafSink<T>;
  readonly #numericStrings: boolean | undefined;
  readonly #cache: LeafPathCache<T>;
  readonly #refs: T[] = [];
  readonly #values: unknown[] = [];
  #count = 0;
  #ts = 0;

  constructor(sink: LeafSink<T>, maxPaths = 100_000) {
    this.#sink = sink;
    this.#numericStrings = sink.numericStrings;
    this.#cache = sink.paths ?? new LeafPathCache<T>(maxPaths);
  }

  /**
   * Decodes one SubscribeResponse. A notification's leaves go to the sink and undefined is
   * returned; any other response (sync_response, error, a malformed notification) comes back
   * as decodeSubscribeResponse gives it. Bytes that are not protobuf throw.
   */
  decode(bytes: Buffer): SubscribeResponseMsg | undefined {
    this.#count = 0;
    let fast = false;
    try {
      fast = this.#fast(bytes);
    } catch {
      fast = false;
    } finally {
      buf = EMPTY;
    }
    if (!fast) {
      this.#count = 0;
      const msg = decodeSubscribeResponse(bytes);
      if (msg.malformed !== undefined || !msg.notification) return msg;
      notificationLeaves(msg.notification, this.#numericStrings, (path, value, ts) => {
        this.#ts = ts;
        const ref = this.#resolveSlow(path);
        if (ref !== undefined) this.#push(ref, value);
      });
    }
    this.#deliver();
    return undefined;
  }

  #push(ref: T, value: unknown): void {
    this.#refs[this.#count] = ref;
    this.#values[this.#count] = value;
    this.#count++;
  }

  #deliver(): void {
    const n = this.#count;
    this.#count = 0;
    const refs = this.#refs;
    const values = this.#values;
    for (let i = 0; i < n; i++) {
      const ref = refs[i];
      const value = values[i];
      refs[i] = undefined as T;
      values[i] = undefined;
      this.#sink.leaf(ref, value, this.#ts);
    }
  }

  /** The sink's answer for a path; the decoder's position survives whatever the sink does. */
  #resolve(path: GnmiPath): T | undefined {
    const savedBuf = buf;
    const savedP = p;
    try {
      return this.#sink.resolve(path);
    } finally {
      buf = savedBuf;
      p = savedP;
    }
  }

  #resolveSlow(path: GnmiPath): T | undefined {
    const key = `${path.target ?? ''}\u0000${pathToString(path)}`;
    const slow = this.#cache.slow;
    if (slow.has(key)) return slow.get(key);
    const ref = this.#resolve(path);
    this.#cache.counted();
    this.#cache.slow.set(key, ref);
    return ref;
  }

  /** True when the message was one notification (and extensions) read completely by the fast path. */
  #fast(bytes: Buffer): boolean {
    buf = bytes;
    p = 0;
    let ns = -1;
    let ne = -1;
    while (p < buf.length) {
      const tag = u32();
      if (tag === 0x0a) {
        if (ns >= 0) return false;
        ne = end();
        ns = p;
        p = ne;
      } else if (tag === 0x2a) {
        p = end();
      } else {
        return false;
      }
    }
    return ns >= 0 && this.#notification(ns, ne);
  }

  #notification(s: number, e: number): boolean {
    p = s;
    let tsLo = 0;
    let tsHi = 0;
    let ps = s;
    let pe = s;
    while (p < e) {
      const tag = u32();
      switch (tag) {
        case 0x08:
          long();
          tsLo = lo;
          tsHi = hi;
          break;
        case 0x12:
          pe = end();
          ps = p;
          p = pe;
          break;
        case 0x22:
        case 0x2a:
          p = end();
          break;
        case 0x30:
          long();
          break;
        default:
          skip(tag & 7);
      }
    }
    if (p !== e) return false;
    // Milliseconds of hi·2^32 + lo nanoseconds, exactly: 2^32 = 4294·10^6 + 967296.
    this.#ts = tsHi < 0x80000000 ? tsHi * 4294 + Math.floor((tsHi * 967296 + tsLo) / 1e6) : timestampMs(BigInt.asIntN(64, (BigInt(tsHi) << 32n) | BigInt(tsLo)));
    const prefix = this.#prefix(ps, pe);
    p = s;
    while (p < e) {
      const tag = u32();
      if (tag === 0x22) {
        const ue = end();
        if (!this.#update(prefix, ue)) return false;
        p = ue;
      } else if (tag === 0x08 || tag === 0x30) {
        long();
      } else {
        skip(tag & 7);
      }
    }
    return true;
  }

  #prefix(s: number, e: number): PrefixEntry<T> {
    const h = hashAt(s, e);
    const head = this.#cache.prefixes.get(h);
    for (let x = head; x; x = x.next) if (sameBytes(x.bytes, s, e)) return x;
    const at = p;
    p = s;
    const decoded = path(e);
    p = at;
    this.#cache.counted();
    const entry: PrefixEntry<T> = { bytes: buf.toString('latin1', s, e), path: decoded, leaves: new Map(), next: undefined };
    entry.next = this.#cache.prefixes.get(h);
    this.#cache.prefixes.set(h, entry);
    return entry;
  }

  #leaf(prefix: PrefixEntry<T>, s: number, e: number): LeafEntry<T> {
    const h = hashAt(s, e);
    const head = prefix.leaves.get(h);
    for (let x = head; x; x = x.next) if (sameBytes(x.bytes, s, e)) return x;
    const ref = this.#resolve(this.#fullPath(prefix, s, e));
    this.#cache.counted();
    const entry: LeafEntry<T> = { bytes: buf.toString('latin1', s, e), ref, next: prefix.leaves.get(h) };
    prefix.leaves.set(h, entry);
    return entry;
  }

  #fullPath(prefix: PrefixEntry<T>, s: number, e: number): GnmiPath {
    const at = p;
    p = s;
    const own = path(e);
    p = at;
    return joinPath(prefix.path, own);
  }

  #update(prefix: PrefixEntry<T>, ue: number): boolean {
    let as = -1;
    let ae = -1;
    let vs = -1;
    let ve = -1;
    while (p < ue) {
      const tag = u32();
      switch (tag) {
        case 0x0a:
          if (as >= 0) return false;
          ae = end();
          as = p;
          p = ae;
          break;
        case 0x1a:
          if (vs >= 0) return false;
          ve = end();
          vs = p;
          p = ve;
          break;
        case 0x20:
          u32();
          break;
        case 0x12:
          return false;
        default:
          skip(tag & 7);
      }
    }
    if (vs < 0 || p !== ue) return false;
    if (as < 0) as = ae = vs;
    const leaf = this.#leaf(prefix, as, ae);
    p = vs;
    return this.#value(prefix, leaf, as, ae, ve);
  }

  #value(prefix: PrefixEntry<T>, leaf: LeafEntry<T>, as: number, ae: number, ve: number): boolean {
    let kind = 0;
    let num = 0;
    let s0 = 0;
    let s1 = 0;
    while (p < ve) {
      const tag = u32();
      if (kind !== 0) return false;
      kind = tag;
      switch (tag) {
        case 0x0a:
        case 0x62:
        case 0x52:
        case 0x5a:
          s1 = end();
          s0 = p;
          p = s1;
          break;
        case 0x10:
          long();
          num = hi >= 0x80000000 ? Number(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo))) : hi * 4294967296 + lo;
          break;
        case 0x18:
          long();
          num = hi * 4294967296 + lo;
          break;
        case 0x20:
          long();
          num = lo !== 0 || hi !== 0 ? 1 : 0;
          break;
        case 0x35:
          if (p + 4 > ve) return false;
          num = buf.readFloatLE(p);
          p += 4;
          break;
        case 0x71:
          if (p + 8 > ve) return false;
          num = buf.readDoubleLE(p);
          p += 8;
          break;
        default:
          return false;
      }
    }
    if (kind === 0 || p !== ve) return false;
    if (kind === 0x52 || kind === 0x5a) return this.#json(prefix, leaf, as, ae, s0, s1);
    const ref = leaf.ref;
    if (ref === undefined) return true;
    if (kind === 0x0a || kind === 0x62) this.#push(ref, leafString(buf.toString('utf8', s0, s1), this.#numericStrings));
    else this.#push(ref, kind === 0x20 ? num === 1 : num);
    return true;
  }

  #json(prefix: PrefixEntry<T>, leaf: LeafEntry<T>, as: number, ae: number, s: number, e: number): boolean {
    const scalar = jsonScalar(s, e, this.#numericStrings);
    if (scalar !== PARSE) {
      if (leaf.ref !== undefined) this.#push(leaf.ref, scalar);
      return true;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.toString('utf8', s, e));
    } catch {
      return false;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      if (leaf.ref !== undefined) this.#push(leaf.ref, typeof parsed === 'string' ? leafString(parsed, this.#numericStrings) : parsed);
      return true;
    }
    const base = this.#fullPath(prefix, as, ae);
    const depth = base.elem.length;
    leaf.members ??= new Map();
    const members = leaf.members;
    jsonLeaves(parsed, base.elem, this.#numericStrings, (elems, value) => {
      let key = '';
      for (let i = depth; i < elems.length; i++) key += `${elems[i].name}\u0000`;
      let ref: T | undefined;
      if (members.has(key)) ref = members.get(key);
      else {
        ref = this.#resolve({ ...base, elem: elems });
        this.#cache.counted();
        members.set(key, ref);
      }
      if (ref !== undefined) this.#push(ref, value);
    });
    return true;
  }
}
