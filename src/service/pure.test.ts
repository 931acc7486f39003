import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalize } from '../model/index.js';
import type * as T from '../model/types.js';
import { deviceDiff, nextApplied, serviceDiffs, takeOffAll } from './diff.js';
import { childrenFirst, keyDepth, parentsFirst, stableJson, takeOff } from './keys.js';
import { LinkPool, networkOf, otherHost } from './pool.js';
import { Claims, fromConnections, toConnectionSettings } from './record.js';
import { serviceSettings } from './settings.js';
import { matches } from './sync.js';
import { replacedKeys } from './transaction.js';

const rule = (key: string, value: unknown) => ({ action: 'CONFIGACTION_SET', custom: { resource_key: key, resource_value: value } });

describe('resource key order', () => {
  it('counts segments outside brackets (a prefix inside a key does not split it)', () => {
    assert.equal(keyDepth('/network_instance[a]'), 1);
    assert.equal(keyDepth('/network_instance[a]/protocols[STATIC]/static_route[10.0.0.0/30]'), 3);
    const keys = ['/network_instance[a]/protocols[STATIC]/static_route[10.0.0.0/30]', '/network_instance[a]', '/network_instance[a]/protocols[STATIC]'].map((key) => ({ key }));
    assert.deepEqual(parentsFirst(keys).map((k) => keyDepth(k.key)), [1, 2, 3]);
    assert.deepEqual(childrenFirst(keys).map((k) => keyDepth(k.key)), [3, 2, 1]);
    assert.equal(stableJson({ b: 1, a: { d: 2, c: 3 } }), stableJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
});

describe('link pool', () => {
  it('hands out the lowest free /30 and refuses when exhausted', () => {
    const pool = new LinkPool('10.0.0.0/29');
    assert.equal(pool.allocate(new Set()), '10.0.0.0/30');
    assert.equal(pool.allocate(new Set(['10.0.0.0/30'])), '10.0.0.4/30');
    assert.throws(() => pool.allocate(new Set(['10.0.0.0/30', '10.0.0.4/30'])), /exhausted/);
    assert.throws(() => new LinkPool('10.0.0.0/31'), /smaller than a \/30/);
  });
  it('subnet arithmetic', () => {
    assert.equal(networkOf('172.16.1.10', 24), '172.16.1.0/24');
    assert.equal(otherHost('172.16.1.10', 24), '172.16.1.1');
    assert.equal(otherHost('172.16.1.1', 24), '172.16.1.2');
    assert.equal(otherHost('10.255.0.0', 30), '10.255.0.1');
  });
});

describe('service settings', () => {
  it('endpoint settings win over device settings over /settings; devices and endpoints match by name or uuid', () => {
    const svc = normalize.service({
      service_id: { service_uuid: { uuid: 's' } },
      service_config: {
        config_rules: [
          rule('/settings', { vlan_id: 100, mtu: 1500, a: 'g' }),
          rule('/device[r1]/settings', { vlan_id: 200, b: 'd' }),
          rule('/device[r1]/endpoint[Ethernet1]/settings', { vlan_id: 300 }),
        ],
      },
    } as never);
    const r1 = normalize.device({ device_id: { device_uuid: { uuid: 'r1' } } } as never);
    const ep = (name: string) => normalize.endpoint({ endpoint_id: { device_id: r1.device_id, endpoint_uuid: { uuid: name } }, name } as never, r1.device_id);
    const s = serviceSettings(svc);
    assert.deepEqual(s.merged(r1, ep('Ethernet1')), { vlan_id: 300, mtu: 1500, a: 'g', b: 'd' });
    assert.deepEqual(s.merged(r1, ep('Ethernet2')), { vlan_id: 200, mtu: 1500, a: 'g', b: 'd' });
    assert.deepEqual(s.endpointOnly(r1, ep('Ethernet1')), { vlan_id: 300 });
    const other = normalize.device({ device_id: { device_uuid: { uuid: 'r2' } } } as never);
    assert.deepEqual(s.merged(other, ep('Ethernet1')), { vlan_id: 100, mtu: 1500, a: 'g' });
  });
});

describe('per-device diffs', () => {
  const d = (rules: Array<[string, unknown]>) => ({ uuid: 'u', name: 'r1', rules: rules.map(([key, value]) => ({ key, value })) });
  it('sets new and changed keys parents first, deletes dropped keys children first, and brings back their prior values', () => {
    const applied = { ...d([['/a', 1], ['/a/b', 2], ['/a/c', 3]]), prior: [{ key: '/a/c', value: 'before' }] };
    const diff = deviceDiff(d([['/a', 1], ['/a/b', 20], ['/a/b/x', 5]]), applied);
    assert.deepEqual(diff.set, [{ key: '/a/b', value: 20 }, { key: '/a/c', value: 'before' }, { key: '/a/b/x', value: 5 }]);
    assert.deepEqual(diff.delete, [{ key: '/a/c', value: 3 }]);
    assert.deepEqual(serviceDiffs([d([['/a', 1]])], [{ ...d([['/a', 1]]), prior: [] }]), [], 'nothing to do');
    assert.deepEqual(serviceDiffs([], [{ ...d([['/a', 1]]), prior: [] }])[0]!.delete, [{ key: '/a', value: 1 }], 'a device left behind is cleaned');
  });
  it('keeps priors for keys still held and records what new keys replaced', () => {
    const applied = { ...d([['/a', 1]]), prior: [{ key: '/a', value: 0 }] };
    const next = nextApplied(d([['/a', 2], ['/b', 1], ['/c', 1]]), applied, new Map<string, unknown>([['/b', 'old'], ['/b/child', 'x']]));
    assert.deepEqual(next.prior, [{ key: '/a', value: 0 }, { key: '/b', value: 'old' }]);
  });
});

describe('applied records and claims', () => {
  it('split over connections and read back whole', () => {
    const record = { fingerprint: 'f', links: { l1: '10.255.0.0/30' }, devices: [{ uuid: 'a', name: 'a', rules: [], prior: [] }, { uuid: 'b', name: 'b', rules: [], prior: [] }, { uuid: 'c', name: 'c', rules: [], prior: [] }] };
    const parts = toConnectionSettings(record, [['a', 'b'], ['a', 'c']]);
    assert.deepEqual(parts[1], { devices: [record.devices[2]] });
    const back = fromConnections(parts.map((p) => ({ settings: { cnsdn: p } }) as unknown as T.Connection));
    assert.deepEqual(back, { ...record, devices: [record.devices[0], record.devices[1], record.devices[2]] });
    assert.equal(fromConnections([{ settings: {} } as unknown as T.Connection]), undefined);
  });
  it('name the service holding a key or a subnet, and forget what a service gave up', () => {
    const claims = new Claims();
    claims.set('s1', { fingerprint: '', links: { l: '10.255.0.0/30' }, devices: [{ uuid: 'r1', name: 'r1', rules: [{ key: '/k', value: 1 }], prior: [] }] });
    assert.deepEqual(claims.conflict('s2', [{ uuid: 'r1', name: 'r1', rules: [{ key: '/k', value: 2 }] }]), { device: 'r1', key: '/k', holder: 's1' });
    assert.equal(claims.conflict('s1', [{ uuid: 'r1', name: 'r1', rules: [{ key: '/k', value: 2 }] }]), undefined);
    assert.deepEqual([...claims.subnetsOfOthers('s2')], ['10.255.0.0/30']);
    claims.set('s1', undefined);
    assert.equal(claims.conflict('s2', [{ uuid: 'r1', name: 'r1', rules: [{ key: '/k', value: 2 }] }]), undefined);
    assert.equal(claims.subnetsOfOthers('s2').size, 0);
  });
});

describe('drift comparison', () => {
  it('ignores module prefixes of identities, number/text differences and fields the device adds', () => {
    assert.ok(matches({ type: 'L3VRF', index: 0 }, { type: 'openconfig-network-instance-types:L3VRF', index: '0', enabled: true }));
    assert.ok(!matches({ next_hop: '10.0.0.2' }, { next_hop: '10.0.0.6' }));
    assert.ok(!matches({ vlan_id: 125 }, {}));
  });
});

describe('keys replaced rather than merged', () => {
  it('are the ones set over an existing value with nothing below it', () => {
    const diff = {
      deviceUuid: 'u',
      deviceName: 'r',
      set: [{ key: '/ni[a]', value: {} }, { key: '/if[x]/sub[0]', value: {} }, { key: '/if[y]/sub[0]', value: {} }, { key: '/if[z]/sub[0]', value: {} }],
      delete: [{ key: '/if[z]/sub[0]', value: {} }],
    };
    const before = [
      { key: '/ni[a]', value: {} },
      { key: '/ni[a]/interface[x.0]', value: {} },
      { key: '/if[x]/sub[0]', value: {} },
      { key: '/if[z]/sub[0]', value: {} },
    ];
    assert.deepEqual(replacedKeys(diff, before).map((r) => r.key), ['/if[x]/sub[0]']);
  });
});

describe('shared interface keys (MTU)', () => {
  const mtu = { key: '/interface[e1]', value: { name: 'e1', mtu: 9000 } };
  it('come off leaf by leaf: a leaf the interface had is set back, one it lacked is deleted, the interface is never removed', () => {
    assert.deepEqual(takeOff(mtu, { value: { name: 'e1', mtu: 1500, description: 'up' } }), { set: { key: '/interface[e1]', value: { name: 'e1', mtu: 1500, description: 'up' } } });
    assert.deepEqual(takeOff(mtu, { value: { name: 'e1', description: 'up' } }), { delete: mtu, set: { key: '/interface[e1]', value: { name: 'e1', description: 'up' } } });
    assert.deepEqual(takeOff(mtu, undefined), { delete: mtu });
    assert.deepEqual(takeOff({ key: '/interface[e1]/subinterface[0]', value: {} }, undefined), { delete: { key: '/interface[e1]/subinterface[0]', value: {} } }, 'other keys are deleted whole');
  });
  it('are left alone while another service holds them', () => {
    const off = takeOffAll('u', [mtu, { key: '/interface[e1]/subinterface[5]', value: {} }], [{ key: '/interface[e1]', value: { name: 'e1', mtu: 1500 } }], () => true);
    assert.deepEqual(off, { set: [], delete: [] });
    const mine = takeOffAll('u', [mtu, { key: '/interface[e1]/subinterface[5]', value: {} }], [{ key: '/interface[e1]', value: { name: 'e1', mtu: 1500 } }], (_d, k) => k === '/interface[e1]');
    assert.deepEqual(mine.delete.map((r) => r.key), ['/interface[e1]/subinterface[5]']);
  });
  it('may be held by several services with one value, never with two', () => {
    const claims = new Claims();
    const dev = (value: unknown) => [{ uuid: 'r1', name: 'r1', rules: [{ key: '/interface[e1]', value }] }];
    claims.set('s1', { fingerprint: '', links: {}, devices: [{ ...dev({ name: 'e1', mtu: 9000 })[0]!, prior: [{ key: '/interface[e1]', value: { mtu: 1500 } }] }] });
    assert.equal(claims.conflict('s2', dev({ mtu: 9000, name: 'e1' })), undefined);
    assert.deepEqual(claims.conflict('s2', dev({ name: 'e1', mtu: 1600 })), { device: 'r1', key: '/interface[e1]', holder: 's1' });
    assert.equal(claims.otherHolder('s2', 'r1', '/interface[e1]'), 's1');
    assert.deepEqual(claims.priorOf('s1', 'r1', '/interface[e1]'), { key: '/interface[e1]', value: { mtu: 1500 } });
    claims.set('s1', undefined);
    assert.equal(claims.otherHolder('s2', 'r1', '/interface[e1]'), undefined);
  });
});
