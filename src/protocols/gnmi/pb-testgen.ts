/** Seeded random gNMI messages for the codec property tests (pb-codec.test.ts, pb-leaves.test.ts). */
import { encodeNotification } from './codec.js';
import type { GnmiNotification, GnmiPath, GnmiUpdate, PathElem, TypedValue } from './target.js';
import type { NotificationPb, PathPb, TypedValuePb, UpdatePb } from './wire.js';

/** mulberry32: the seed is printed with every failure so a case can be replayed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => next() < p;
  const ALPHABET = ['a', 'b', 'z', '0', '9', '-', '_', '/', ':', '[', ']', '=', ' ', 'é', '✓', '日本', '😀', '\u0000', '\u007f', '\u0080'];
  const str = (max = 12): string => {
    if (chance(0.1)) return 'x'.repeat(100 + int(300));
    let s = '';
    for (let i = int(max + 1); i > 0; i--) s += pick(ALPHABET);
    return s;
  };
  const u64 = (): bigint => {
    switch (int(4)) {
      case 0:
        return BigInt(int(200));
      case 1:
        return BigInt(int(2 ** 31)) * BigInt(int(2 ** 22));
      case 2:
        return 2n ** 64n - 1n - BigInt(int(1000));
      default:
        return (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32));
    }
  };
  const i64 = (): bigint => BigInt.asIntN(64, u64());
  const bytes = (): Uint8Array => Uint8Array.from({ length: chance(0.1) ? 200 + int(200) : int(8) }, () => int(256));
  return { next, int, pick, chance, str, u64, i64, bytes };
}
export type Rng = ReturnType<typeof rng>;

export function elem(r: Rng): PathElem {
  const e: PathElem = { name: r.str(8) };
  if (r.chance(0.4)) {
    e.key = {};
    for (let i = r.int(3); i >= 0; i--) e.key[r.chance(0.2) ? String(r.int(20)) : r.str(5)] = r.str(10);
  }
  return e;
}

export function path(r: Rng, maxElems = 6): GnmiPath {
  const p: GnmiPath = { elem: Array.from({ length: r.int(maxElems + 1) }, () => elem(r)) };
  if (r.chance(0.2)) p.origin = r.str(6);
  if (r.chance(0.2)) p.target = r.str(6);
  return p;
}

export function value(r: Rng, depth = 0): TypedValue {
  switch (r.int(depth > 0 ? 13 : 14)) {
    case 0:
      return { kind: 'string', value: r.str() };
    case 1:
      return { kind: 'int', value: r.i64() };
    case 2:
      return { kind: 'uint', value: r.u64() };
    case 3:
      return { kind: 'bool', value: r.chance(0.5) };
    case 4:
      return { kind: 'bytes', value: r.bytes() };
    case 5:
      return { kind: 'float', value: Math.fround((r.next() - 0.5) * 10 ** r.int(30)) };
    case 6:
      return { kind: 'double', value: r.pick([0, -0.5, Number.MAX_VALUE, Number.MIN_VALUE, (r.next() - 0.5) * 1e12]) };
    case 7:
      return { kind: 'decimal', digits: r.i64(), precision: r.int(19) };
    case 8:
      return { kind: 'any', typeUrl: r.str(), value: r.bytes() };
    case 9:
      return { kind: 'json', value: { a: [r.int(100), r.str(), null], b: { c: r.chance(0.5) } } };
    case 10:
      return { kind: 'json_ietf', value: r.pick([r.str(), r.int(1000), [1, 'x'], { 'm:x': { y: r.str() } }]) };
    case 11:
      return { kind: 'ascii', value: r.str() };
    case 12:
      return { kind: 'proto_bytes', value: r.bytes() };
    default:
      return { kind: 'leaflist', value: Array.from({ length: r.int(4) }, () => value(r, depth + 1)) };
  }
}

export function update(r: Rng): GnmiUpdate {
  const u: GnmiUpdate = { path: path(r), value: value(r) };
  if (r.chance(0.2)) u.duplicates = r.int(2 ** 32);
  return u;
}

export function notification(r: Rng): GnmiNotification {
  const n: GnmiNotification = {
    timestamp: r.chance(0.1) ? 0n : r.chance(0.1) ? -r.u64() % 2n ** 63n : BigInt(Date.now()) * 1_000_000n + BigInt(r.int(1e6)),
    update: Array.from({ length: r.chance(0.05) ? 40 + r.int(40) : r.int(12) }, () => update(r)),
    delete: Array.from({ length: r.chance(0.7) ? 0 : r.int(3) }, () => path(r)),
  };
  if (r.chance(0.7)) n.prefix = path(r);
  if (r.chance(0.2)) n.atomic = true;
  return n;
}

/** Counter-shaped absolute leaves: runs under a few parents, with occasional origin, rootless and key-order changes. */
export function leaves(r: Rng): GnmiUpdate[] {
  const parents = Array.from({ length: 1 + r.int(4) }, () => path(r, 4).elem);
  const out: GnmiUpdate[] = [];
  for (let i = r.int(40); i > 0; i--) {
    if (r.chance(0.05)) {
      out.push({ path: { elem: [] }, value: value(r) });
      continue;
    }
    const parent = r.pick(parents).map((e) => (e.key && r.chance(0.3) ? { name: e.name, key: Object.fromEntries(Object.entries(e.key).reverse()) } : e));
    const u: GnmiUpdate = { path: { elem: [...parent, elem(r)] }, value: value(r) };
    if (r.chance(0.1)) u.path.origin = r.pick(['', 'openconfig', 'rfc7951']);
    if (r.chance(0.1)) u.duplicates = r.int(5);
    out.push(u);
  }
  return out;
}

export const CASES = 400;

export function forEachSeed(fn: (r: Rng, seed: number) => void): void {
  const base = Number(process.env.PB_SEED ?? Date.now() % 1e9);
  for (let i = 0; i < CASES; i++) {
    const seed = base + i;
    try {
      fn(rng(seed), seed);
    } catch (err) {
      (err as Error).message = `seed ${seed} (PB_SEED=${seed} replays it first): ${(err as Error).message}`;
      throw err;
    }
  }
}

/** NotificationPb as other implementations build it, including what our encoder never writes. */
export function foreignNotification(r: Rng): NotificationPb {
  const pathPb = (): PathPb => {
    const p: PathPb = {};
    if (r.chance(0.2)) p.element = Array.from({ length: 1 + r.int(3) }, () => r.pick(['a', 'b[k=v]', 'c[', r.str(4)]));
    if (r.chance(0.8)) p.elem = Array.from({ length: r.int(4) }, () => ({ name: r.chance(0.1) ? undefined : r.str(5), key: r.chance(0.3) ? { k: r.str(3) } : undefined }));
    if (r.chance(0.2)) p.origin = r.chance(0.5) ? '' : r.str(4);
    if (r.chance(0.2)) p.target = r.str(4);
    return p;
  };
  const tv = (): TypedValuePb => {
    switch (r.int(6)) {
      case 0:
        return {};
      case 1:
        return { json_ietf_val: Buffer.from(r.pick(['{"a":1}', '{bad', '', '"s"'])) };
      case 2:
        return { leaflist_val: { element: r.chance(0.3) ? [{}] : [{ int_val: '-5' }, { string_val: '' }] } };
      case 3:
        return { any_val: r.chance(0.5) ? {} : { type_url: 't' } };
      case 4:
        return { decimal_val: r.chance(0.5) ? {} : { digits: '-12', precision: 2 } };
      default:
        return encodeNotification({ timestamp: 0n, update: [{ path: { elem: [] }, value: value(r) }], delete: [] }).update![0].val!;
    }
  };
  const up = (): UpdatePb => {
    const u: UpdatePb = {};
    if (r.chance(0.8)) u.path = pathPb();
    const which = r.int(4);
    if (which === 0) u.val = tv();
    else if (which === 1) u.value = { value: Buffer.from(r.pick(['{"x":[1]}', 'plain', 'not json{'])), type: r.pick(['JSON', 'BYTES', 'PROTO', 'ASCII', 'JSON_IETF']) };
    else if (which === 2) u.val = { uint_val: String(r.u64()) };
    if (r.chance(0.1)) u.duplicates = r.int(10);
    return u;
  };
  const n: NotificationPb = { update: Array.from({ length: r.int(5) }, up), delete: Array.from({ length: r.int(2) }, pathPb) };
  if (r.chance(0.7)) n.timestamp = String(r.i64());
  if (r.chance(0.6)) n.prefix = pathPb();
  if (r.chance(0.2)) n.atomic = r.chance(0.5);
  return n;
}
