import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePath, pathToString } from './path.js';
import type { GnmiNotification } from './target.js';
import { leavesToNotification, leavesToTree, notificationsToLeaves, notificationsToTree, treeToLeaves } from './tree.js';
import { decimalToString, jsToTypedValue, typedValueToJs } from './values.js';

const ocTree = {
  'openconfig-interfaces:interfaces': {
    interface: [
      {
        name: 'Ethernet1/1',
        config: { name: 'Ethernet1/1', mtu: 9000, enabled: true },
        subinterfaces: { subinterface: [{ index: 0, config: { index: 0, description: 'x' } }] },
      },
      { name: 'eth2', config: { name: 'eth2', mtu: 1500, enabled: false } },
    ],
  },
};

describe('gNMI trees', () => {
  it('flattens an OpenConfig JSON_IETF tree into leaves, keys from scalar members', () => {
    const leaves = treeToLeaves(ocTree, { elem: [] }, { stripModulePrefixes: true });
    const map = new Map(leaves.map((l) => [pathToString(l.path), l.value]));
    assert.equal(map.get('/interfaces/interface[name=Ethernet1/1]/config/mtu'), 9000);
    assert.equal(map.get('/interfaces/interface[name=Ethernet1/1]/name'), 'Ethernet1/1');
    assert.equal(map.get('/interfaces/interface[name=Ethernet1/1]/subinterfaces/subinterface[index=0]/config/description'), 'x');
    assert.equal(map.get('/interfaces/interface[name=eth2]/config/enabled'), false);
    assert.equal(map.size, 11);
  });

  it('keeps module prefixes unless asked to strip them, and honours explicit list keys', () => {
    const leaves = treeToLeaves({ 'm:l': [{ a: '1', b: '2', c: { d: 1 } }] }, { elem: [] }, { listKeys: { 'm:l': ['b'] } });
    assert.deepEqual(leaves.map((l) => pathToString(l.path)), ['/m:l[b=2]/a', '/m:l[b=2]/b', '/m:l[b=2]/c/d']);
  });

  it('rebuilds the same tree from its leaves (round trip), with module prefixes added back', () => {
    const leaves = treeToLeaves(ocTree, { elem: [] }, { stripModulePrefixes: true });
    const tree = leavesToTree(leaves, { elem: [] }, { modules: { interfaces: 'openconfig-interfaces' } });
    assert.deepEqual(tree, ocTree);
  });

  it('builds a tree relative to a base path from a flat map', () => {
    const tree = leavesToTree(
      new Map<string, unknown>([
        ['/interfaces/interface[name=e1]/state/counters/in-octets', 5n],
        ['/interfaces/interface[name=e1]/state/counters/out-octets', 7n],
        ['/interfaces/interface[name=e2]/state/oper-status', 'UP'],
      ]),
      parsePath('/interfaces'),
    );
    assert.deepEqual(tree, {
      interface: [
        { name: 'e1', state: { counters: { 'in-octets': 5n, 'out-octets': 7n } } },
        { name: 'e2', state: { 'oper-status': 'UP' } },
      ],
    });
  });

  it('turns notifications into leaves (JSON values flattened, deletes applied) and back', () => {
    const notifications: GnmiNotification[] = [
      {
        timestamp: 1n,
        prefix: parsePath('/interfaces'),
        update: [
          { path: parsePath('/interface[name=e1]'), value: { kind: 'json_ietf', value: { name: 'e1', config: { mtu: 1500 } } } },
          { path: parsePath('/interface[name=e2]/config/mtu'), value: { kind: 'uint', value: 2n ** 64n - 1n } },
        ],
        delete: [],
      },
      { timestamp: 2n, update: [], delete: [parsePath('/interfaces/interface[name=e1]/config')] },
    ];
    const leaves = notificationsToLeaves(notifications);
    assert.deepEqual([...leaves], [
      ['/interfaces/interface[name=e1]/name', 'e1'],
      ['/interfaces/interface[name=e2]/config/mtu', 2n ** 64n - 1n],
    ]);
    const n = leavesToNotification(leaves, { prefix: parsePath('/interfaces'), timestamp: 5n });
    assert.deepEqual(n.update[1], { path: parsePath('/interface[name=e2]/config/mtu'), value: { kind: 'uint', value: 2n ** 64n - 1n } });
    assert.deepEqual(notificationsToLeaves([n]), leaves);
    assert.deepEqual(notificationsToTree([n], parsePath('/interfaces')), { interface: [{ name: 'e1' }, { name: 'e2', config: { mtu: 2n ** 64n - 1n } }] });
  });

  it('converts between TypedValues and plain values', () => {
    assert.equal(decimalToString(-5n, 3), '-0.005');
    assert.equal(decimalToString(12345n, 2), '123.45');
    assert.equal(typedValueToJs({ kind: 'decimal', digits: 100n, precision: 0 }), '100');
    assert.equal(typedValueToJs({ kind: 'bytes', value: new Uint8Array([1, 2]) }), 'AQI=');
    assert.deepEqual(jsToTypedValue(-3), { kind: 'int', value: -3n });
    assert.deepEqual(jsToTypedValue(3), { kind: 'uint', value: 3n });
    assert.deepEqual(jsToTypedValue(0.5), { kind: 'double', value: 0.5 });
    assert.deepEqual(jsToTypedValue(['a', true]), { kind: 'leaflist', value: [{ kind: 'string', value: 'a' }, { kind: 'bool', value: true }] });
    assert.deepEqual(jsToTypedValue({ a: 1 }, 'json'), { kind: 'json', value: { a: 1 } });
  });
});
