import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeNotification, decodeTypedValue, decodeUpdate, encodeNotification, GnmiDecodeError } from './codec.js';
import { parsePath } from './path.js';
import { gnmiProto } from './proto.js';
import type { GnmiNotification, TypedValue } from './target.js';
import type { GetResponsePb } from './wire.js';

/** Through real protobuf bytes: encode → serialize → deserialize → decode. */
function wireRoundTrip(n: GnmiNotification): GnmiNotification {
  const get = gnmiProto().service.Get;
  const bytes = get.responseSerialize({ notification: [encodeNotification(n)] });
  const back = get.responseDeserialize(bytes) as GetResponsePb;
  return decodeNotification(back.notification![0]);
}

const u8 = (...b: number[]) => new Uint8Array(b);

const samples: TypedValue[] = [
  { kind: 'string', value: 'héllo ✓' },
  { kind: 'string', value: '' },
  { kind: 'int', value: -(2n ** 63n) },
  { kind: 'int', value: 2n ** 63n - 1n },
  { kind: 'int', value: 0n },
  { kind: 'int', value: -1n },
  { kind: 'uint', value: 2n ** 64n - 1n },
  { kind: 'uint', value: 2n ** 53n + 1n },
  { kind: 'uint', value: 0n },
  { kind: 'bool', value: true },
  { kind: 'bool', value: false },
  { kind: 'bytes', value: u8(0, 1, 255) },
  { kind: 'float', value: 1.5 },
  { kind: 'double', value: Math.PI },
  { kind: 'double', value: -0.1 },
  { kind: 'decimal', digits: -123456789012345678n, precision: 9 },
  { kind: 'leaflist', value: [{ kind: 'string', value: 'a' }, { kind: 'uint', value: 2n ** 64n - 1n }, { kind: 'bool', value: false }] },
  { kind: 'any', typeUrl: 'type.googleapis.com/x.Y', value: u8(8, 1) },
  { kind: 'json', value: { a: [1, 2, { b: null }], c: 'x' } },
  { kind: 'json_ietf', value: { 'openconfig-interfaces:interfaces': { interface: [{ name: 'eth0' }] } } },
  { kind: 'json_ietf', value: 42 },
  { kind: 'ascii', value: 'show run' },
  { kind: 'proto_bytes', value: u8(10, 3, 97, 98, 99) },
];

const normalise = (v: TypedValue): unknown =>
  JSON.parse(
    JSON.stringify(v, function (this: Record<string, unknown>, k, x) {
      const raw = this[k];
      return typeof raw === 'bigint' ? `${raw}n` : raw instanceof Uint8Array ? [...raw] : x;
    }),
  );

describe('gNMI codec', () => {
  it('round-trips every TypedValue kind through protobuf bytes', () => {
    for (const value of samples) {
      const n: GnmiNotification = { timestamp: 1n, update: [{ path: parsePath('/a/b[k=v]'), value }], delete: [] };
      const back = wireRoundTrip(n).update[0].value;
      assert.deepEqual(normalise(back), normalise(value), value.kind);
      if (back.kind === 'int' || back.kind === 'uint') assert.equal(typeof back.value, 'bigint');
    }
  });

  it('round-trips a full notification (prefix, origin, target, deletes, atomic, duplicates, ns timestamp)', () => {
    const n: GnmiNotification = {
      timestamp: 1_700_000_000_123_456_789n,
      prefix: { origin: 'openconfig', target: 'r1', elem: [{ name: 'interfaces' }] },
      update: [{ path: parsePath('/interface[name=Ethernet1/1]/config/mtu'), value: { kind: 'uint', value: 9000n }, duplicates: 3 }],
      delete: [parsePath('/interface[name=eth9]')],
      atomic: true,
    };
    assert.deepEqual(wireRoundTrip(n), n);
  });

  it('decodes the deprecated Update.value and Path.element forms', () => {
    const u = decodeUpdate({ path: { element: ['interfaces', 'interface[name=eth0]'] }, value: { value: Buffer.from('{"a":1}'), type: 'JSON_IETF' } });
    assert.deepEqual(u.path, parsePath('/interfaces/interface[name=eth0]'));
    assert.deepEqual(u.value, { kind: 'json_ietf', value: { a: 1 } });
  });

  it('rejects malformed JSON bytes and empty values with a decode error', () => {
    assert.throws(() => decodeTypedValue({ value: 'json_ietf_val', json_ietf_val: Buffer.from('{nope') }), GnmiDecodeError);
    assert.throws(() => decodeTypedValue({}), GnmiDecodeError);
    assert.throws(() => decodeUpdate({ path: {} }), GnmiDecodeError);
  });

  it('writes JSON values as JSON text bytes on the wire', () => {
    const pb = encodeNotification({ timestamp: 0n, update: [{ path: { elem: [] }, value: { kind: 'json_ietf', value: { x: 2n ** 64n - 1n } } }], delete: [] });
    assert.equal(Buffer.from(pb.update![0].val!.json_ietf_val!).toString(), '{"x":"18446744073709551615"}');
  });
});
