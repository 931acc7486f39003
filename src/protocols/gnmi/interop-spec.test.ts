/**
 * Interoperability with an implementation that shares nothing with ours but the specification:
 * a gnmi.proto subset written here from the gNMI v0.10 specification's field numbers (not our
 * proto/ files), loaded by @grpc/proto-loader into a plain grpc-js client and server. Our server's
 * hand-written Subscribe encoder and our client's decoders are exercised against it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GnmiClient } from './client.js';
import { MemoryTarget } from './memory-target.js';
import { parsePath } from './path.js';
import { type GnmiServer, startGnmiServer } from './server.js';
import { notificationsToLeaves } from './tree.js';

// Field numbers from the specification (gnmi.proto v0.10.0); deprecated fields and Any left out.
const SPEC_PROTO = `
syntax = "proto3"; package gnmi;
service gNMI {
  rpc Subscribe(stream SubscribeRequest) returns (stream SubscribeResponse);
  rpc Set(SetRequest) returns (SetResponse); rpc Get(GetRequest) returns (GetResponse);
  rpc Capabilities(CapabilityRequest) returns (CapabilityResponse);
}
message PathElem { string name = 1; map<string, string> key = 2; }
message Path { string origin = 2; repeated PathElem elem = 3; string target = 4; }
message ScalarArray { repeated TypedValue element = 1; }
message TypedValue {
  oneof value {
    string string_val = 1; int64 int_val = 2; uint64 uint_val = 3; bool bool_val = 4; bytes bytes_val = 5;
    ScalarArray leaflist_val = 8; bytes json_val = 10; bytes json_ietf_val = 11; string ascii_val = 12;
    bytes proto_bytes = 13; double double_val = 14;
  }
}
message Update { Path path = 1; TypedValue val = 3; uint32 duplicates = 4; }
message Notification { int64 timestamp = 1; Path prefix = 2; repeated Update update = 4; repeated Path delete = 5; bool atomic = 6; }
enum Encoding { JSON = 0; BYTES = 1; PROTO = 2; ASCII = 3; JSON_IETF = 4; }
message ModelData { string name = 1; string organization = 2; string version = 3; }
message CapabilityRequest {}
message CapabilityResponse { repeated ModelData supported_models = 1; repeated Encoding supported_encodings = 2; string gNMI_version = 3; }
message GetRequest {
  enum DataType { ALL = 0; CONFIG = 1; STATE = 2; OPERATIONAL = 3; }
  Path prefix = 1; repeated Path path = 2; DataType type = 3; Encoding encoding = 5;
}
message GetResponse { repeated Notification notification = 1; }
message SetRequest { Path prefix = 1; repeated Path delete = 2; repeated Update replace = 3; repeated Update update = 4; }
message UpdateResult {
  enum Operation { INVALID = 0; DELETE = 1; REPLACE = 2; UPDATE = 3; }
  Path path = 2; Operation op = 4;
}
message SetResponse { Path prefix = 1; repeated UpdateResult response = 2; int64 timestamp = 4; }
enum SubscriptionMode { TARGET_DEFINED = 0; ON_CHANGE = 1; SAMPLE = 2; }
message Subscription { Path path = 1; SubscriptionMode mode = 2; uint64 sample_interval = 3; bool suppress_redundant = 4; uint64 heartbeat_interval = 5; }
message SubscriptionList {
  enum Mode { STREAM = 0; ONCE = 1; POLL = 2; }
  Path prefix = 1; repeated Subscription subscription = 2; Mode mode = 5; bool allow_aggregation = 6; Encoding encoding = 8; bool updates_only = 9;
}
message Poll {}
message SubscribeRequest { oneof request { SubscriptionList subscribe = 1; Poll poll = 3; } }
message SubscribeResponse { oneof response { Notification update = 1; bool sync_response = 3; } }
`;

// biome-ignore lint/suspicious/noExplicitAny: a stub generated at run time is untyped by nature
type Any = any;

describe('interop with a client and server built from a proto written from the specification', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gnmi-spec-'));
  writeFileSync(join(dir, 'spec-gnmi.proto'), SPEC_PROTO);
  const spec = grpc.loadPackageDefinition(protoLoader.loadSync('spec-gnmi.proto', { includeDirs: [dir], keepCase: true, longs: String, enums: String })).gnmi as Any;
  const target = new MemoryTarget();
  target.put([
    { path: parsePath('/interfaces/interface[name=eth0]/state/counters/in-octets'), value: { kind: 'uint', value: 2n ** 64n - 2n } },
    { path: parsePath('/interfaces/interface[name=eth0]/state/counters/out-octets'), value: { kind: 'uint', value: 7n } },
    { path: parsePath('/system/config/hostname'), value: { kind: 'string', value: 'r1' } },
  ]);
  let ours: GnmiServer;
  let theirs: grpc.Server;
  let theirPort = 0;
  let setSeen: Any;

  before(async () => {
    ours = await startGnmiServer({ port: 0, target, tls: 'insecure' });
    theirs = new grpc.Server();
    theirs.addService(spec.gNMI.service, {
      Capabilities: (_c: Any, cb: Any) => cb(null, { supported_models: [{ name: 'm', organization: 'o', version: '1' }], supported_encodings: ['JSON_IETF', 'PROTO'], gNMI_version: '0.10.0' }),
      Get: (_c: Any, cb: Any) =>
        cb(null, {
          notification: [
            {
              timestamp: '1700000000000000001',
              prefix: { origin: 'openconfig', elem: [{ name: 'interfaces' }, { name: 'interface', key: { name: 'a]b/c=d' } }] },
              update: [
                { path: { elem: [{ name: 'config' }, { name: 'mtu' }] }, val: { uint_val: '9000' } },
                { path: { elem: [{ name: 'config' }, { name: 'enabled' }] }, val: { bool_val: true } },
                { path: { elem: [{ name: 'state' }, { name: 'rate' }] }, val: { double_val: 1.5 } },
                { path: { elem: [{ name: 'state' }, { name: 'vlans' }] }, val: { leaflist_val: { element: [{ int_val: '-3' }, { string_val: 'x' }] } } },
              ],
            },
          ],
        }),
      Set: (c: Any, cb: Any) => {
        setSeen = c.request;
        cb(null, { response: [{ path: c.request.update[0].path, op: 'UPDATE' }], timestamp: '42' });
      },
      Subscribe: (call: Any) => {
        call.on('data', (req: Any) => {
          if (req.poll) return;
          for (let i = 0; i < 3; i++) {
            call.write({
              update: {
                timestamp: String(1000 + i),
                prefix: { elem: [{ name: 'interfaces' }, { name: 'interface', key: { name: 'eth9' } }, { name: 'state' }, { name: 'counters' }] },
                update: [
                  { path: { elem: [{ name: 'in-octets' }] }, val: { uint_val: String(100 + i) } },
                  { path: { elem: [{ name: 'out-octets' }] }, val: { uint_val: String(200 + i) } },
                ],
              },
            });
            if (i === 0) call.write({ sync_response: true });
          }
          call.end();
        });
      },
    });
    theirPort = await new Promise<number>((ok, fail) => theirs.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))));
  });
  after(async () => {
    await ours.close();
    theirs.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('their client: Capabilities, Get in PROTO and JSON_IETF, and a STREAM/SAMPLE subscription from our server', async () => {
    const stub = new spec.gNMI(`127.0.0.1:${ours.port}`, grpc.credentials.createInsecure());
    const unary = (m: string, req: unknown) => new Promise<Any>((ok, fail) => stub[m](req, (e: Error | null, r: Any) => (e ? fail(e) : ok(r))));
    try {
      const caps = await unary('Capabilities', {});
      assert.ok(caps.supported_encodings.includes('JSON_IETF'));
      assert.match(caps.gNMI_version, /^0\.10/);
      const get = await unary('Get', { path: [{ elem: [{ name: 'interfaces' }, { name: 'interface', key: { name: 'eth0' } }] }], encoding: 'PROTO' });
      const vals = get.notification.flatMap((n: Any) => n.update.map((u: Any) => [u.path.elem.map((e: Any) => e.name).at(-1), u.val.uint_val]));
      assert.deepEqual(Object.fromEntries(vals), { 'in-octets': '18446744073709551614', 'out-octets': '7' });
      const got: Any[] = [];
      await new Promise<void>((ok, fail) => {
        const call = stub.Subscribe();
        call.on('data', (m: Any) => {
          got.push(m);
          if (got.filter((x) => x.update).length >= 3) call.cancel();
        });
        call.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? ok() : fail(e)));
        call.on('end', ok);
        call.write({
          subscribe: {
            mode: 'STREAM',
            encoding: 'PROTO',
            prefix: { elem: [{ name: 'interfaces' }] },
            subscription: [{ path: { elem: [{ name: 'interface', key: { name: 'eth0' } }, { name: 'state' }, { name: 'counters' }] }, mode: 'SAMPLE', sample_interval: '20000000' }],
          },
        });
      });
      assert.equal(got.filter((m) => m.sync_response === true).length, 1, 'one sync_response');
      const first = got.find((m) => m.update)!.update;
      const leaves = first.update.map((u: Any) => [[...(first.prefix?.elem ?? []), ...u.path.elem].map((e: Any) => e.name).join('/'), u.val.uint_val]);
      assert.ok(leaves.some(([p, v]: string[]) => p.endsWith('counters/in-octets') && v === '18446744073709551614'), JSON.stringify(leaves));
    } finally {
      stub.close();
    }
  });

  it('our client: Capabilities, Get with escaped keys and every scalar kind, Set, a STREAM subscription from their server', async () => {
    const c = await GnmiClient.connect({ address: `127.0.0.1:${theirPort}`, tls: 'insecure', timeoutMs: 5000 });
    try {
      const caps = await c.capabilities();
      assert.deepEqual(caps.encodings, ['JSON_IETF', 'PROTO']);
      const leaves = notificationsToLeaves(await c.get({ paths: ['/interfaces'], encoding: 'PROTO' }));
      assert.deepEqual([...leaves.keys()].sort(), [
        'openconfig:/interfaces/interface[name=a\\]b/c=d]/config/enabled',
        'openconfig:/interfaces/interface[name=a\\]b/c=d]/config/mtu',
        'openconfig:/interfaces/interface[name=a\\]b/c=d]/state/rate',
        'openconfig:/interfaces/interface[name=a\\]b/c=d]/state/vlans',
      ].sort());
      const byLeaf = new Map([...leaves].map(([k, v]) => [k.split('/').at(-1), v]));
      assert.equal(byLeaf.get('mtu'), 9000n);
      assert.equal(byLeaf.get('enabled'), true);
      assert.equal(byLeaf.get('rate'), 1.5);
      assert.deepEqual(byLeaf.get('vlans'), [-3n, 'x']);
      const res = await c.set({ update: [{ path: '/system/config/hostname', value: { kind: 'string', value: 'r2' } }] });
      assert.equal(setSeen.update[0].val.string_val, 'r2');
      assert.deepEqual(setSeen.update[0].path.elem.map((e: Any) => e.name), ['system', 'config', 'hostname']);
      assert.equal(res.timestamp, 42n);
      const sub = c.subscribe({ mode: 'STREAM', subscriptions: [{ path: '/interfaces', mode: 'SAMPLE', sampleIntervalNs: 10_000_000 }] });
      const all = [];
      for await (const n of sub) all.push(n);
      assert.equal(sub.syncCount, 1);
      const got = notificationsToLeaves(all);
      assert.equal(got.get('/interfaces/interface[name=eth9]/state/counters/in-octets'), 102n);
      assert.equal(got.get('/interfaces/interface[name=eth9]/state/counters/out-octets'), 202n);
    } finally {
      c.close();
    }
  });
});
