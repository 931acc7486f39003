import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeNotification, encodeNotification, GnmiDecodeError } from './codec.js';
import { packUpdates } from './notify.js';
import { decodeSubscribeResponse } from './pb-decode.js';
import { encodePackedUpdates, encodeSubscribeResponse, SYNC_RESPONSE } from './pb-encode.js';
import { gnmiProto } from './proto.js';
import type { GnmiNotification } from './target.js';
import { foreignNotification, forEachSeed, leaves, notification, path } from './pb-testgen.js';
import type { SubscribeResponsePb } from './wire.js';

const subscribe = () => gnmiProto().service.Subscribe;
const protobufjsEncode = (msg: SubscribeResponsePb): Buffer => subscribe().responseSerialize(msg);
const protobufjsDecode = (b: Buffer): SubscribeResponsePb => subscribe().responseDeserialize(b) as SubscribeResponsePb;

describe('hand-written SubscribeResponse codec against protobufjs', () => {
  it('encodes random notifications byte-identically to proto-loader', () => {
    forEachSeed((r) => {
      const n = notification(r);
      assert.deepEqual(encodeSubscribeResponse(n), protobufjsEncode({ update: encodeNotification(n) }));
    });
  });

  it('encodes packed leaves byte-identically to packUpdates + proto-loader', () => {
    forEachSeed((r) => {
      const ups = leaves(r);
      const ts = BigInt(r.int(2 ** 31)) * 1_000_000_000n;
      const target = r.chance(0.5) ? r.str(6) : undefined;
      const deletes = r.chance(0.3) ? [path(r), path(r)] : [];
      const expected = packUpdates(ups, ts, target, deletes).map((n) => protobufjsEncode({ update: encodeNotification(n) }));
      assert.deepEqual(encodePackedUpdates(ups, ts, target, deletes), expected);
    });
  });

  it('decodes random notifications to what decodeNotification makes of proto-loader objects', () => {
    forEachSeed((r) => {
      const bytes = protobufjsEncode({ update: encodeNotification(notification(r)) });
      const got = decodeSubscribeResponse(bytes);
      assert.equal(got.malformed, undefined);
      assert.deepEqual(got.notification, decodeNotification(protobufjsDecode(bytes).update!));
    });
  });

  it('decodes what foreign encoders may send: deprecated fields, absent defaults, unknown fields, invalid values', () => {
    forEachSeed((r) => {
      const pb = foreignNotification(r);
      const bytes = protobufjsEncode({ update: pb, extension: r.chance(0.3) ? [{ registered_ext: { id: '7', msg: Buffer.from('x') } }] : undefined });
      const withUnknown = r.chance(0.3) ? Buffer.concat([bytes, Buffer.from([0xb8, 0x06, 0x96, 0x01, 0xc5, 0x06, 1, 2, 3, 4])]) : bytes;
      let expected: GnmiNotification | string;
      try {
        expected = decodeNotification(protobufjsDecode(withUnknown).update!);
      } catch (err) {
        assert.ok(err instanceof GnmiDecodeError, String(err));
        expected = err.message;
      }
      const got = decodeSubscribeResponse(withUnknown);
      assert.deepEqual(got.malformed ?? got.notification, expected);
    });
  });

  it('decodes sync_response and error, and throws on truncated bytes as protobufjs does', () => {
    assert.deepEqual(SYNC_RESPONSE, protobufjsEncode({ sync_response: true }));
    const sync = decodeSubscribeResponse(SYNC_RESPONSE);
    assert.equal(sync.sync_response, true);
    assert.equal(sync.notification, undefined);
    const err = decodeSubscribeResponse(protobufjsEncode({ error: { code: 5, message: 'gone' } }));
    assert.deepEqual(err.error, { code: 5, message: 'gone' });
    forEachSeed((r) => {
      const bytes = encodeSubscribeResponse(notification(r));
      const cut = bytes.subarray(0, r.int(bytes.length - 1) + 1);
      if (cut.length === bytes.length) return;
      let theirs: unknown;
      try {
        protobufjsDecode(cut);
      } catch (e) {
        theirs = e;
      }
      assert.ok(theirs instanceof Error, 'protobufjs rejects a cut SubscribeResponse');
      assert.throws(() => decodeSubscribeResponse(cut), RangeError);
    });
  });
});
