import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GnmiClient } from './client.js';
import type { GnmiError } from './errors.js';
import { MemoryTarget } from './memory-target.js';
import { parsePath } from './path.js';
import { GNMI_PROTO_DIR, gnmiProto } from './proto.js';
import { type GnmiServer, startGnmiServer } from './server.js';
import { notificationsToLeaves } from './tree.js';

/** Field numbers of the official openconfig gnmi.proto v0.10.0 / gnmi_ext.proto. */
const OFFICIAL_FIELDS: Record<string, Record<string, number>> = {
  'gnmi.Notification': { timestamp: 1, prefix: 2, update: 4, delete: 5, atomic: 6 },
  'gnmi.Update': { path: 1, value: 2, val: 3, duplicates: 4 },
  'gnmi.TypedValue': {
    string_val: 1, int_val: 2, uint_val: 3, bool_val: 4, bytes_val: 5, float_val: 6, decimal_val: 7, leaflist_val: 8,
    any_val: 9, json_val: 10, json_ietf_val: 11, ascii_val: 12, proto_bytes: 13, double_val: 14,
  },
  'gnmi.Path': { element: 1, origin: 2, elem: 3, target: 4 },
  'gnmi.PathElem': { name: 1, key: 2 },
  'gnmi.Value': { value: 1, type: 2 },
  'gnmi.Error': { code: 1, message: 2, data: 3 },
  'gnmi.Decimal64': { digits: 1, precision: 2 },
  'gnmi.ScalarArray': { element: 1 },
  'gnmi.SubscribeRequest': { subscribe: 1, poll: 3, extension: 5 },
  'gnmi.Poll': {},
  'gnmi.SubscribeResponse': { update: 1, sync_response: 3, error: 4, extension: 5 },
  'gnmi.SubscriptionList': {
    prefix: 1, subscription: 2, qos: 4, mode: 5, allow_aggregation: 6, use_models: 7, encoding: 8, updates_only: 9,
  },
  'gnmi.Subscription': { path: 1, mode: 2, sample_interval: 3, suppress_redundant: 4, heartbeat_interval: 5 },
  'gnmi.QOSMarking': { marking: 1 },
  'gnmi.ModelData': { name: 1, organization: 2, version: 3 },
  'gnmi.CapabilityRequest': { extension: 1 },
  'gnmi.CapabilityResponse': { supported_models: 1, supported_encodings: 2, gNMI_version: 3, extension: 4 },
  'gnmi.GetRequest': { prefix: 1, path: 2, type: 3, encoding: 5, use_models: 6, extension: 7 },
  'gnmi.GetResponse': { notification: 1, error: 2, extension: 3 },
  'gnmi.SetRequest': { prefix: 1, delete: 2, replace: 3, update: 4, extension: 5, union_replace: 6 },
  'gnmi.SetResponse': { prefix: 1, response: 2, message: 3, timestamp: 4, extension: 5 },
  'gnmi.UpdateResult': { timestamp: 1, path: 2, message: 3, op: 4 },
  'gnmi_ext.Extension': { registered_ext: 1, master_arbitration: 2, history: 3, commit: 4, depth: 5 },
  'gnmi_ext.RegisteredExtension': { id: 1, msg: 2 },
  'gnmi_ext.MasterArbitration': { role: 1, election_id: 2 },
  'gnmi_ext.Uint128': { high: 1, low: 2 },
  'gnmi_ext.Role': { id: 1 },
};

const OFFICIAL_ENUMS: Record<string, Record<string, number>> = {
  'gnmi.Encoding': { JSON: 0, BYTES: 1, PROTO: 2, ASCII: 3, JSON_IETF: 4 },
  'gnmi.SubscriptionMode': { TARGET_DEFINED: 0, ON_CHANGE: 1, SAMPLE: 2 },
  'gnmi.SubscriptionList.Mode': { STREAM: 0, ONCE: 1, POLL: 2 },
  'gnmi.GetRequest.DataType': { ALL: 0, CONFIG: 1, STATE: 2, OPERATIONAL: 3 },
  'gnmi.UpdateResult.Operation': { INVALID: 0, DELETE: 1, REPLACE: 2, UPDATE: 3, UNION_REPLACE: 4 },
};

const OFFICIAL_RESERVED: Record<string, number[]> = { 'gnmi.Notification': [3], 'gnmi.SubscriptionList': [3], 'gnmi.SubscribeRequest': [4] };

interface Descriptor {
  field: { name: string; number: number }[];
  enumType?: { name: string; value: { name: string; number: number }[] }[];
}

const loaderOptions = { keepCase: true, includeDirs: [GNMI_PROTO_DIR] };

describe('gNMI wire compatibility', { timeout: 30_000 }, () => {
  const defs = protoLoader.loadSync('gnmi.proto', loaderOptions);

  it('uses the official field numbers for every message', () => {
    for (const [msg, fields] of Object.entries(OFFICIAL_FIELDS)) {
      const d = (defs[msg] as { type: Descriptor } | undefined)?.type;
      assert.ok(d, `${msg} is defined`);
      const ours = Object.fromEntries(d.field.map((f) => [f.name, f.number]));
      assert.deepEqual(ours, fields, msg);
    }
    const text = readFileSync(join(GNMI_PROTO_DIR, 'gnmi.proto'), 'utf8');
    for (const [msg, numbers] of Object.entries(OFFICIAL_RESERVED)) {
      const body = new RegExp(`message ${msg.split('.')[1]} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? '';
      const reserved = [...body.matchAll(/reserved (\d+);/g)].map((m) => Number(m[1]));
      assert.deepEqual(reserved, numbers, `${msg} reserved`);
    }
  });

  it('uses the official enum values', () => {
    for (const [name, values] of Object.entries(OFFICIAL_ENUMS)) {
      const parts = name.split('.');
      let vals: { name: string; number: number }[];
      if (parts.length === 2) vals = (defs[name] as unknown as { type: { value: { name: string; number: number }[] } }).type.value;
      else vals = (defs[parts.slice(0, 2).join('.')] as { type: Descriptor }).type.enumType!.find((e) => e.name === parts[2])!.value;
      assert.deepEqual(Object.fromEntries(vals.map((v) => [v.name, v.number])), values, name);
    }
  });

  it('encodes bytes exactly as protobuf specifies (hand-checked tags)', () => {
    const get = gnmiProto().service.Get;
    const bytes = get.responseSerialize({
      notification: [{ timestamp: '1', update: [{ path: { elem: [{ name: 'a', key: { k: 'v' } }] }, val: { json_ietf_val: Buffer.from('7') } }] }],
    });
    const notification = [0x08, 0x01, 0x22, 0x14, 0x0a, 0x0d, 0x1a, 0x0b, 0x0a, 0x01, 0x61, 0x12, 0x06, 0x0a, 0x01, 0x6b, 0x12, 0x01, 0x76, 0x1a, 0x03, 0x5a, 0x01, 0x37];
    assert.deepEqual([...bytes], [0x0a, notification.length, ...notification]);
    const d = gnmiProto().service.Subscribe.requestSerialize({ subscribe: { mode: 'POLL', updates_only: true, subscription: [{ sample_interval: '1000000000', mode: 'SAMPLE' }] } });
    const subscription = [0x10, 0x02, 0x18, 0x80, 0x94, 0xeb, 0xdc, 0x03];
    const list = [0x12, subscription.length, ...subscription, 0x28, 0x02, 0x48, 0x01];
    assert.deepEqual([...d], [0x0a, list.length, ...list]);
  });

  describe('with implementations built from the same .proto by other code', () => {
    const foreignDefs = protoLoader.loadSync('gnmi.proto', { includeDirs: [GNMI_PROTO_DIR] });
    // biome-ignore lint/suspicious/noExplicitAny: a foreign generic stub is untyped by nature
    const foreign = grpc.loadPackageDefinition(foreignDefs).gnmi as any;
    let ours: GnmiServer;
    let theirs: grpc.Server;
    let theirPort = 0;
    const target = new MemoryTarget();
    target.put([
      { path: parsePath('/interfaces/interface[name=eth0]/state/counters/in-octets'), value: { kind: 'uint', value: 2n ** 64n - 2n } },
      { path: parsePath('/system/config/hostname'), value: { kind: 'string', value: 'r1' } },
    ]);

    before(async () => {
      ours = await startGnmiServer({ port: 0, target, tls: 'insecure' });
      theirs = new grpc.Server();
      theirs.addService(foreign.gNMI.service, {
        Get: (call: { request: { path: { elem: { name: string }[] }[]; encoding: string } }, cb: (e: null, r: unknown) => void) => {
          cb(null, {
            notification: [
              {
                timestamp: 1700000000000000000,
                update: [{ path: call.request.path[0], val: { jsonIetfVal: Buffer.from(JSON.stringify({ echoed: call.request.path[0].elem.map((e) => e.name), enc: call.request.encoding })) } }],
              },
            ],
          });
        },
        Subscribe: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
          call.on('data', (req: { subscribe?: { subscription?: { path?: { elem?: { name: string }[] } }[] } }) => {
            if (req.subscribe?.subscription?.[0]?.path?.elem?.[0]?.name === 'empty-value') {
              call.write({ update: { timestamp: 5, update: [{ path: { elem: [{ name: 'empty-value' }] }, val: {} }] } });
              return;
            }
            call.write({ update: { timestamp: 5, update: [{ path: { elem: [{ name: 'x' }] }, val: { intVal: -42 } }] } });
            call.write({ syncResponse: true });
            call.end();
          });
        },
      });
      theirPort = await new Promise<number>((ok, fail) => theirs.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))));
    });
    after(async () => {
      await ours.close();
      theirs.forceShutdown();
    });

    it('a foreign client reads our server', async () => {
      const stub = new foreign.gNMI(`127.0.0.1:${ours.port}`, grpc.credentials.createInsecure());
      try {
        const res = await new Promise<{ notification: { update: { val: { uintVal: { toString(): string } } }[] }[] }>((ok, fail) =>
          stub.Get({ path: [{ elem: [{ name: 'interfaces' }] }], encoding: 2 }, (e: Error | null, r: never) => (e ? fail(e) : ok(r))),
        );
        assert.equal(res.notification[0].update[0].val.uintVal.toString(), '18446744073709551614');
        const json = await new Promise<{ notification: { update: { val: { jsonIetfVal: Buffer } }[] }[] }>((ok, fail) =>
          stub.Get({ path: [{ elem: [{ name: 'system' }] }], encoding: 'JSON_IETF' }, (e: Error | null, r: never) => (e ? fail(e) : ok(r))),
        );
        assert.deepEqual(JSON.parse(json.notification[0].update[0].val.jsonIetfVal.toString()), { config: { hostname: 'r1' } });
        const got: { syncResponse?: boolean }[] = [];
        await new Promise<void>((ok, fail) => {
          const call = stub.Subscribe();
          call.on('data', (m: { syncResponse?: boolean }) => got.push(m));
          call.on('end', ok);
          call.on('error', fail);
          call.write({ subscribe: { mode: 1, encoding: 2, subscription: [{ path: { elem: [{ name: 'system' }] } }] } });
        });
        assert.equal(got.at(-1)?.syncResponse, true);
        assert.equal(got.length, 2);
      } finally {
        stub.close();
      }
    });

    it('our client reads a foreign server', async () => {
      const c = await GnmiClient.connect({ address: `127.0.0.1:${theirPort}`, tls: 'insecure', timeoutMs: 3000 });
      try {
        const [n] = await c.get({ paths: ['/a/b'], encoding: 'JSON_IETF' });
        assert.deepEqual(n.update[0].value, { kind: 'json_ietf', value: { echoed: ['a', 'b'], enc: 4 } });
        assert.equal(n.timestamp, 1700000000000000000n);
        const sub = c.subscribe({ mode: 'ONCE', subscriptions: [{ path: '/x' }] });
        const all = [];
        for await (const x of sub) all.push(x);
        assert.equal(sub.syncCount, 1);
        assert.deepEqual([...notificationsToLeaves(all)], [['/x', -42n]]);
        const bad = c.subscribe({ mode: 'ONCE', subscriptions: [{ path: '/empty-value' }] });
        await assert.rejects(bad.done, (e: GnmiError) => e.code === 'INVALID_ARGUMENT' && /malformed notification.*no value set/.test(e.message));
      } finally {
        c.close();
      }
    });
  });
});
