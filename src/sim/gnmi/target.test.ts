import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GnmiStatusError, parsePath } from '../../protocols/gnmi/index.js';
import { expandInterfaces } from './interface-spec.js';
import { SimTarget } from './target.js';
import { parseUser } from './users.js';

const setMtu = (mtu: number) => ({
  delete: [],
  replace: [],
  update: [{ path: parsePath('/interfaces/interface[name=Ethernet1]/config/mtu'), value: { kind: 'json_ietf' as const, value: mtu } }],
});

describe('SimTarget', () => {
  test('checks passwords; a read-only user can read but a Set is PERMISSION_DENIED', () => {
    const t = new SimTarget({
      hostname: 'r1',
      interfaces: ['Ethernet1'],
      users: [parseUser('admin:secret:rw'), parseUser('viewer:a:b:ro')],
    });
    assert.equal(t.authenticate('admin', 'wrong'), undefined);
    assert.equal(t.authenticate(undefined, undefined), undefined);
    assert.equal(t.authenticate('nobody', 'secret'), undefined);
    const admin = t.authenticate('admin', 'secret');
    const viewer = t.authenticate('viewer', 'a:b');
    assert.deepEqual(admin, { username: 'admin', role: 'rw' });
    assert.deepEqual(viewer, { username: 'viewer', role: 'ro' });
    assert.throws(
      () => t.set(setMtu(9000), viewer!),
      (e: unknown) => e instanceof GnmiStatusError && e.grpcCode === 'PERMISSION_DENIED',
    );
    const [n] = t.get([parsePath('/interfaces/interface[name=Ethernet1]/config/mtu')], 'ALL', 'PROTO', viewer!);
    assert.deepEqual(n.update[0].value, { kind: 'uint', value: 1500n });
    const ts = t.set(setMtu(9000), admin!);
    assert.ok(ts > BigInt(Date.now() - 60_000) * 1_000_000n, 'commit timestamp in nanoseconds');
    const [after] = t.get([parsePath('/interfaces/interface[name=Ethernet1]/config/mtu')], 'ALL', 'PROTO', viewer!);
    assert.deepEqual(after.update[0].value, { kind: 'uint', value: 9000n });
  });

  test('without configured users any credentials get read-write', () => {
    const t = new SimTarget({ hostname: 'r1', interfaces: ['Ethernet1'] });
    assert.deepEqual(t.authenticate('x', 'y'), { username: 'x', role: 'rw' });
    assert.deepEqual(t.authenticate(undefined, undefined), { username: '', role: 'rw' });
  });

  test('capabilities list the OpenConfig models and four encodings', () => {
    const caps = new SimTarget({ hostname: 'r1', interfaces: ['Ethernet1'] }).capabilities();
    const names = caps.models.map((m) => m.name);
    for (const m of [
      'openconfig-interfaces',
      'openconfig-if-ip',
      'openconfig-vlan',
      'openconfig-network-instance',
      'openconfig-system',
      'openconfig-platform',
    ]) {
      assert.ok(names.includes(m), m);
    }
    assert.ok(caps.models.every((m) => /^\d+\.\d+\.\d+$|^\d{4}-\d{2}-\d{2}$/.test(m.version)));
    assert.deepEqual(caps.encodings, ['JSON', 'JSON_IETF', 'PROTO', 'ASCII']);
    assert.equal(caps.gnmiVersion, '0.10.0');
  });

  test('get returns one notification per path, with a timestamp', () => {
    const t = new SimTarget({ hostname: 'r1', interfaces: ['Ethernet1', 'Ethernet2'] });
    const user = t.authenticate('a', 'b')!;
    const ns = t.get([parsePath('/system/config/hostname'), parsePath('/interfaces/interface/config/name')], 'CONFIG', 'JSON_IETF', user);
    assert.equal(ns.length, 2);
    assert.equal(ns[1].update.length, 2);
    assert.ok(ns[0].timestamp > 0n);
  });
});

describe('user and interface specs', () => {
  test('parseUser rejects malformed specs', () => {
    for (const bad of ['admin', 'admin:pw', ':pw:rw', 'admin:pw:admin']) assert.throws(() => parseUser(bad), /NAME:PASS/);
    assert.deepEqual(parseUser('a::rw'), { username: 'a', password: '', role: 'rw' });
  });

  test('expandInterfaces expands trailing number ranges', () => {
    assert.deepEqual(expandInterfaces('Ethernet1-3,mgmt0'), ['Ethernet1', 'Ethernet2', 'Ethernet3', 'mgmt0']);
    assert.deepEqual(expandInterfaces('et-0/0/1-2'), ['et-0/0/1', 'et-0/0/2']);
    assert.deepEqual(expandInterfaces('Loopback0'), ['Loopback0']);
    assert.throws(() => expandInterfaces('Ethernet3-1'), /3 > 1/);
    assert.throws(() => expandInterfaces('Ethernet1-2,Ethernet2'), /twice/);
    assert.throws(() => expandInterfaces(' , '), /no interfaces/);
  });
});
