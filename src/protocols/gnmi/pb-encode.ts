/**
 * SubscribeResponse encoding from the decoded types straight to protobuf bytes, without the
 * intermediate proto-loader objects. The output is byte-identical to
 * `responseSerialize({ update: encodeNotification(n) })` of @grpc/proto-loader/protobufjs:
 * fields in field-number order, the fields encodeNotification sets written even at their
 * default value, minimal length varints.
 */
import type { GnmiNotification, GnmiPath, GnmiUpdate, PathElem, TypedValue } from './target.js';

const SCRATCH = 64 * 1024;
let buf = Buffer.allocUnsafe(SCRATCH);
let pos = 0;

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  const next = Buffer.allocUnsafe(Math.max(buf.length * 2, pos + n));
  buf.copy(next, 0, 0, pos);
  buf = next;
}

function varint(v: number): void {
  ensure(10);
  while (v > 127) {
    buf[pos++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
}

/** A 64-bit integer as protobuf varint (two's complement for negatives, as int64 fields are written). */
function varint64(v: bigint): void {
  if (v >= 0n && v <= 9007199254740991n) {
    varint(Number(v));
    return;
  }
  const u = BigInt.asUintN(64, v);
  let lo = Number(u & 0xffffffffn);
  let hi = Number(u >> 32n);
  ensure(10);
  while (hi > 0 || lo > 127) {
    buf[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
}

/** Starts a length-delimited field; one byte is reserved for the length, `close` widens it when needed. */
function open(tag: number): number {
  ensure(2);
  buf[pos++] = tag;
  return pos++;
}

function close(at: number): void {
  const len = pos - at - 1;
  if (len < 128) {
    buf[at] = len;
    return;
  }
  let extra = 0;
  for (let l = len >>> 7; l > 127; l >>>= 7) extra++;
  extra++;
  ensure(extra);
  buf.copyWithin(at + 1 + extra, at + 1, pos);
  pos += extra;
  let p = at;
  let l = len;
  while (l > 127) {
    buf[p++] = (l & 127) | 128;
    l >>>= 7;
  }
  buf[p] = l;
}

function string(tag: number, s: string): void {
  const n = s.length;
  ensure(n * 3 + 12);
  buf[pos++] = tag;
  if (n < 128) {
    let p = pos + 1;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        ascii = false;
        break;
      }
      buf[p++] = c;
    }
    if (ascii) {
      buf[pos] = n;
      pos = p;
      return;
    }
  }
  const len = Buffer.byteLength(s, 'utf8');
  varint(len);
  pos += buf.write(s, pos, len, 'utf8');
}

function bytes(tag: number, b: Uint8Array): void {
  ensure(b.length + 12);
  buf[pos++] = tag;
  varint(b.length);
  buf.set(b, pos);
  pos += b.length;
}

function pathElem(e: PathElem): void {
  const at = open(0x1a);
  string(0x0a, e.name);
  if (e.key) {
    for (const k of Object.keys(e.key)) {
      const entry = open(0x12);
      string(0x0a, k);
      string(0x12, String(e.key[k]));
      close(entry);
    }
  }
  close(at);
}

/** Path fields (as encodePath sets them) without the enclosing tag. */
function pathBody(p: GnmiPath): void {
  if (p.origin) string(0x12, p.origin);
  for (const e of p.elem) pathElem(e);
  if (p.target) string(0x22, p.target);
}

function path(tag: number, p: GnmiPath): void {
  const at = open(tag);
  pathBody(p);
  close(at);
}

function typedValue(tag: number, v: TypedValue): void {
  const at = open(tag);
  switch (v.kind) {
    case 'string':
      string(0x0a, v.value);
      break;
    case 'int':
      ensure(1);
      buf[pos++] = 0x10;
      varint64(v.value);
      break;
    case 'uint':
      ensure(1);
      buf[pos++] = 0x18;
      varint64(v.value);
      break;
    case 'bool':
      ensure(2);
      buf[pos++] = 0x20;
      buf[pos++] = v.value ? 1 : 0;
      break;
    case 'bytes':
      bytes(0x2a, v.value);
      break;
    case 'float':
      ensure(5);
      buf[pos++] = 0x35;
      pos = buf.writeFloatLE(v.value, pos);
      break;
    case 'decimal': {
      const d = open(0x3a);
      ensure(1);
      buf[pos++] = 0x08;
      varint64(v.digits);
      ensure(1);
      buf[pos++] = 0x10;
      varint(v.precision >>> 0);
      close(d);
      break;
    }
    case 'leaflist': {
      const l = open(0x42);
      for (const x of v.value) typedValue(0x0a, x);
      close(l);
      break;
    }
    case 'any': {
      const a = open(0x4a);
      string(0x0a, v.typeUrl);
      bytes(0x12, v.value);
      close(a);
      break;
    }
    case 'json':
      json(0x52, v.value);
      break;
    case 'json_ietf':
      json(0x5a, v.value);
      break;
    case 'ascii':
      string(0x62, v.value);
      break;
    case 'proto_bytes':
      bytes(0x6a, v.value);
      break;
    case 'double':
      ensure(9);
      buf[pos++] = 0x71;
      pos = buf.writeDoubleLE(v.value, pos);
      break;
  }
  close(at);
}

const jsonBytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)), 'utf8');

/** Text JSON.stringify writes as is between quotes: printable ASCII but `"` and `\`. */
function plainAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** A JSON value field: leaf scalars (the common case) written straight into the buffer, the same bytes JSON.stringify gives. */
function json(tag: number, v: unknown): void {
  let text: string | undefined;
  let quoted = false;
  if (typeof v === 'string' && v.length <= 120 && plainAscii(v)) {
    text = v;
    quoted = true;
  } else if (typeof v === 'number' && Number.isFinite(v)) {
    text = String(v);
  } else if (typeof v === 'boolean') {
    text = v ? 'true' : 'false';
  }
  if (text === undefined) {
    bytes(tag, jsonBytes(v));
    return;
  }
  const n = text.length + (quoted ? 2 : 0);
  ensure(n + 2);
  buf[pos++] = tag;
  buf[pos++] = n;
  if (quoted) buf[pos++] = 0x22;
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  if (quoted) buf[pos++] = 0x22;
}

function update(u: GnmiUpdate): void {
  const at = open(0x22);
  path(0x0a, u.path);
  typedValue(0x1a, u.value);
  if (u.duplicates) {
    ensure(1);
    buf[pos++] = 0x20;
    varint(u.duplicates >>> 0);
  }
  close(at);
}

/** An update whose path is only its leaf name (packed under a prefix; duplicates are not carried). */
function leafUpdate(leaf: PathElem, v: TypedValue): void {
  const at = open(0x22);
  const p = open(0x0a);
  pathElem(leaf);
  close(p);
  typedValue(0x1a, v);
  close(at);
}

function timestamp(ts: bigint): void {
  ensure(1);
  buf[pos++] = 0x08;
  varint64(ts);
}

function take(): Buffer {
  const out = Buffer.allocUnsafe(pos);
  buf.copy(out, 0, 0, pos);
  pos = 0;
  if (buf.length > 16 * SCRATCH) buf = Buffer.allocUnsafe(SCRATCH);
  return out;
}

/** SubscribeResponse{update: n} as protobuf bytes. */
export function encodeSubscribeResponse(n: GnmiNotification): Buffer {
  pos = 0;
  const at = open(0x0a);
  timestamp(n.timestamp);
  if (n.prefix) path(0x12, n.prefix);
  for (const u of n.update) update(u);
  for (const d of n.delete) path(0x2a, d);
  if (n.atomic) {
    ensure(2);
    buf[pos++] = 0x30;
    buf[pos++] = 1;
  }
  close(at);
  return take();
}

/** SubscribeResponse{sync_response: true}. */
export const SYNC_RESPONSE: Buffer = Buffer.from([0x18, 0x01]);

function sameParent(a: PathElem[], b: PathElem[], n: number): boolean {
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x.name !== y.name) return false;
    const xk = x.key;
    const yk = y.key;
    if (xk === yk) continue;
    const xs = xk ? Object.keys(xk) : [];
    const ys = yk ? Object.keys(yk) : [];
    if (xs.length !== ys.length) return false;
    for (const k of xs) if (yk![k] !== xk![k]) return false;
  }
  return true;
}

/**
 * What `packUpdates(updates, ts, target, deletes).map(encodeSubscribeResponse)` returns,
 * without building the packed notifications: one SubscribeResponse per run of leaves that
 * share a parent container (the prefix), each update holding only the leaf name.
 */
export function encodePackedUpdates(updates: GnmiUpdate[], ts: bigint, target?: string, deletes: GnmiPath[] = []): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < updates.length) {
    const first = updates[i];
    const elems = first.path.elem;
    const depth = elems.length - 1;
    pos = 0;
    const at = open(0x0a);
    timestamp(ts);
    if (depth < 0) {
      if (target) {
        const p = open(0x12);
        string(0x22, target);
        close(p);
      }
      update(first);
      i++;
    } else {
      const origin = first.path.origin ?? '';
      const p = open(0x12);
      if (origin) string(0x12, origin);
      for (let k = 0; k < depth; k++) pathElem(elems[k]);
      if (target) string(0x22, target);
      close(p);
      leafUpdate(elems[depth], first.value);
      for (i++; i < updates.length; i++) {
        const next = updates[i].path;
        if (next.elem.length - 1 !== depth || (next.origin ?? '') !== origin || !sameParent(elems, next.elem, depth)) break;
        leafUpdate(next.elem[depth], updates[i].value);
      }
    }
    close(at);
    out.push(take());
  }
  if (deletes.length > 0) {
    pos = 0;
    const at = open(0x0a);
    timestamp(ts);
    if (target) {
      const p = open(0x12);
      string(0x22, target);
      close(p);
    }
    for (const d of deletes) path(0x2a, d);
    close(at);
    out.push(take());
  }
  return out;
}
