import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LeafSink, notificationLeaves } from './leaves.js';
import { pathToString } from './path.js';
import { decodeSubscribeResponse, LeafDecoder, LeafPathCache } from './pb-decode.js';
import { encodePackedUpdates, encodeSubscribeResponse, SYNC_RESPONSE } from './pb-encode.js';
import { foreignNotification, forEachSeed, leaves, notification, type Rng } from './pb-testgen.js';
import { gnmiProto } from './proto.js';
import type { GnmiPath, GnmiUpdate } from './target.js';
import type { SubscribeResponsePb } from './wire.js';

const protobufjsEncode = (msg: SubscribeResponsePb): Buffer => gnmiProto().service.Subscribe.responseSerialize(msg);

type Got = [path: string, value: unknown, ts: number];

/** A sink that resolves every path (but those the skip rule names) to its text, and records what it is handed. */
function recorder(numericStrings: boolean, skip: (path: string) => boolean) {
  const got: Got[] = [];
  const resolved: string[] = [];
  const key = (p: GnmiPath) => `${p.target ?? ''}|${pathToString(p)}`;
  const sink: LeafSink<string> = {
    numericStrings,
    resolve: (p) => {
      const k = key(p);
      resolved.push(k);
      return skip(k) ? undefined : k;
    },
    leaf: (ref, value, ts) => got.push([ref, value, ts]),
  };
  return { sink, got, resolved, key };
}

/** What the decoder must hand over for one response: notificationLeaves of the general decoder's result. */
function expected(bytes: Buffer, numericStrings: boolean, skip: (path: string) => boolean, key: (p: GnmiPath) => string): Got[] | string {
  const msg = decodeSubscribeResponse(bytes);
  if (msg.malformed !== undefined) return `malformed: ${msg.malformed}`;
  if (!msg.notification) return 'not a notification';
  const out: Got[] = [];
  notificationLeaves(msg.notification, numericStrings, (p, value, ts) => {
    const k = key(p);
    if (!skip(k)) out.push([k, value, ts]);
  });
  return out;
}

function check(r: Rng, messages: Buffer[]): string[] {
  const numericStrings = r.chance(0.5);
  const salt = r.int(7);
  const skip = (k: string) => (k.length + salt) % 7 === 0;
  const { sink, got, resolved, key } = recorder(numericStrings, skip);
  const decoder = new LeafDecoder(sink, r.chance(0.2) ? 1 + r.int(5) : 100_000);
  for (const bytes of messages) {
    got.length = 0;
    const want = expected(bytes, numericStrings, skip, key);
    const msg = decoder.decode(bytes);
    if (typeof want === 'string') {
      assert.equal(got.length, 0, 'no leaves of a response that is not a valid notification');
      assert.equal(msg?.malformed !== undefined ? `malformed: ${msg.malformed}` : 'not a notification', want);
    } else {
      assert.equal(msg, undefined);
      assert.deepEqual(got, want);
    }
  }
  return resolved;
}

describe('LeafDecoder: leaves straight from SubscribeResponse bytes', () => {
  it('hands over what notificationLeaves makes of the decoded notification, for random notifications', () => {
    forEachSeed((r) => {
      const n = notification(r);
      const bytes = encodeSubscribeResponse(n);
      check(r, [bytes, bytes, encodeSubscribeResponse(notification(r))]);
    });
  });

  it('the same for counter-shaped streams (packed leaves under prefixes, repeated), where the path cache is hit', () => {
    forEachSeed((r) => {
      const ups = leaves(r);
      const stream: Buffer[] = [];
      for (let round = 0; round < 3; round++) {
        const ts = BigInt(r.int(2 ** 31)) * 1_000_000_000n + BigInt(r.int(1e9));
        stream.push(...encodePackedUpdates(ups, ts, r.chance(0.3) ? 'dev1' : undefined));
      }
      check(r, stream);
    });
  });

  it('the same for what foreign encoders send (deprecated fields, unknown fields, malformed values), and passes sync and error through', () => {
    forEachSeed((r) => {
      const pb = foreignNotification(r);
      const bytes = protobufjsEncode({ update: pb, extension: r.chance(0.3) ? [{ registered_ext: { id: '7', msg: Buffer.from('x') } }] : undefined });
      const withUnknown = r.chance(0.3) ? Buffer.concat([bytes, Buffer.from([0xb8, 0x06, 0x96, 0x01, 0xc5, 0x06, 1, 2, 3, 4])]) : bytes;
      check(r, [withUnknown, withUnknown]);
    });
    const { sink } = recorder(false, () => false);
    const decoder = new LeafDecoder(sink);
    assert.equal(decoder.decode(SYNC_RESPONSE)?.sync_response, true);
    assert.deepEqual(decoder.decode(protobufjsEncode({ error: { code: 5, message: 'gone' } }))?.error, { code: 5, message: 'gone' });
    assert.throws(() => decoder.decode(Buffer.from([0x0a, 0x05, 0x08])), RangeError);
  });

  it('reads JSON scalars and counters as RFC 7951 writes them, and expands JSON containers', () => {
    const at = (...names: string[]): GnmiPath => ({ elem: names.map((name) => ({ name })) });
    const ups: GnmiUpdate[] = [
      { path: at('c', 'in-pkts'), value: { kind: 'json_ietf', value: '18446744073709551615' } },
      { path: at('c', 'out-pkts'), value: { kind: 'json_ietf', value: 42 } },
      { path: at('c', 'rate'), value: { kind: 'json', value: '-12.50' } },
      { path: at('c', 'name'), value: { kind: 'json', value: 'eth0' } },
      { path: at('c', 'up'), value: { kind: 'json', value: true } },
      { path: at('c', 'mtu'), value: { kind: 'uint', value: 9000n } },
      { path: at('c', 'big'), value: { kind: 'uint', value: 2n ** 64n - 1n } },
      { path: at('c', 'neg'), value: { kind: 'int', value: -5n } },
      { path: at('c', 'text'), value: { kind: 'string', value: '007' } },
      { path: at('c'), value: { kind: 'json_ietf', value: { 'openconfig-interfaces:counters': { 'in-octets': '5', nested: { x: 1 } }, list: [1, 2] } } },
    ];
    const n = { timestamp: 1_700_000_000_123_456_789n, update: ups, delete: [] };
    const got: Got[] = [];
    const decoder = new LeafDecoder<string>({ numericStrings: true, resolve: (p) => pathToString(p), leaf: (ref, v, ts) => got.push([ref, v, ts]) });
    assert.equal(decoder.decode(encodeSubscribeResponse(n)), undefined);
    const ts = 1_700_000_000_123;
    assert.deepEqual(got, [
      ['/c/in-pkts', 2 ** 64, ts],
      ['/c/out-pkts', 42, ts],
      ['/c/rate', -12.5, ts],
      ['/c/name', 'eth0', ts],
      ['/c/up', true, ts],
      ['/c/mtu', 9000, ts],
      ['/c/big', 2 ** 64, ts],
      ['/c/neg', -5, ts],
      ['/c/text', 7, ts],
      ['/c/counters/in-octets', 5, ts],
      ['/c/counters/nested/x', 1, ts],
      ['/c/list', [1, 2], ts],
    ]);
  });

  it('shares one path cache between streams whose sinks resolve alike', () => {
    let resolves = 0;
    const paths = new LeafPathCache<string>();
    const sink: LeafSink<string> = {
      paths,
      resolve: (p) => {
        resolves++;
        return pathToString(p);
      },
      leaf: () => undefined,
    };
    const bytes = encodeSubscribeResponse({ timestamp: 1n, prefix: { elem: [{ name: 'a' }] }, update: [{ path: { elem: [{ name: 'b' }] }, value: { kind: 'uint', value: 1n } }], delete: [] });
    new LeafDecoder(sink).decode(bytes);
    new LeafDecoder(sink).decode(bytes);
    assert.equal(resolves, 1);
  });

  it('bounds its path cache: a target that sends ever new paths does not grow it without limit', () => {
    let resolves = 0;
    const decoder = new LeafDecoder<number>({ resolve: () => ++resolves, leaf: () => undefined }, 50);
    const one = (i: number) => encodeSubscribeResponse({ timestamp: 1n, update: [{ path: { elem: [{ name: `leaf${i % 80}` }] }, value: { kind: 'uint', value: 1n } }], delete: [] });
    for (let i = 0; i < 80; i++) decoder.decode(one(i));
    const first = resolves;
    assert.ok(first >= 80, `every new path is resolved (${first})`);
    for (let i = 0; i < 80; i++) decoder.decode(one(i));
    assert.ok(resolves > first, 'paths dropped by the bound are resolved again');
    for (let i = 0; i < 40; i++) decoder.decode(one(0));
    const settled = resolves;
    for (let i = 0; i < 40; i++) decoder.decode(one(0));
    assert.equal(resolves, settled, 'a steady path is resolved once');
  });
});
