import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SHARED_DIR } from '../../common/fixtures.js';
import { compileModules } from './compiler.js';
import { ModuleLoader } from './loader.js';
import { sharedModelRegistry } from './models.js';
import type { CompiledSchema } from './schema.js';
import { documentFromUpdates, hasTopNode, type PathUpdate, validateUpdates, validateUpdatesAsDocument } from './updates.js';
import { validateInstance } from './validate.js';

const DATA = new URL('./testdata/instances/', import.meta.url).pathname;
const schema = compileModules(new ModuleLoader([DATA]), [{ file: join(DATA, 'vt.yang') }]);

describe('path-addressed updates as one document', () => {
  it('merges list entries by their keys, as a device applies the updates; leaf-lists are appended', () => {
    const updates = [
      { elems: [], value: { 'vt:server': [{ name: 'a', port: 1, addr: '10.0.0.1' }], 'vt:top': { tags: ['x'] } } },
      { elems: [], value: { 'vt:server': [{ name: 'a', port: 1, weight: 3 }, { name: 'b', port: 2 }], 'vt:top': { tags: ['y'] } } },
      { elems: [{ name: 'vt:server', key: { name: 'b', port: '2' } }], value: { weight: 4 } },
    ];
    assert.deepEqual(documentFromUpdates(schema, updates), {
      'vt:server': [
        { name: 'a', port: 1, addr: '10.0.0.1', weight: 3 },
        { name: 'b', port: 2, weight: 4 },
      ],
      'vt:top': { tags: ['x', 'y'] },
    });
    assert.deepEqual(validateUpdates(schema, updates).errors, []);
  });

  it('the same key twice in one update is still a duplicate', () => {
    const r = validateUpdates(schema, [{ elems: [], value: { 'vt:server': [{ name: 'a', port: 1 }, { name: 'a', port: 1 }] } }]);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['YANG_DATA_DUPLICATE_KEY'],
    );
  });

  it('knows the top-level nodes of the schema (by module name or prefix, or by namespace)', () => {
    assert.ok(hasTopNode(schema, 'server'));
    assert.ok(hasTopNode(schema, 'vt:server'));
    assert.ok(!hasTopNode(schema, 'interfaces'));
    assert.ok(hasTopNode(schema, 'top', 'urn:cnsdn:test:vt'));
    assert.ok(!hasTopNode(schema, 'top', 'urn:other'));
  });
});

/** Faults as (code, path), sorted: what the two ways of reading must agree on. */
const faults = (r: { errors: { code: string; path: string }[] }) => r.errors.map((e) => `${e.code} ${e.path}`).sort();

/** Each update read below its path gives what the document from the root gives (and the values are left as they were). */
function sameAsDocument(sch: CompiledSchema, updates: PathUpdate[]): string[] {
  const before = JSON.stringify(updates);
  const fast = validateUpdates(sch, updates);
  assert.equal(JSON.stringify(updates), before, 'the updates are not changed');
  const doc = validateUpdatesAsDocument(sch, updates);
  assert.deepEqual(faults(fast), faults(doc));
  assert.equal(fast.valid, doc.valid);
  return faults(fast);
}

const server = (name: string, port: string) => ({ name: 'vt:server', key: { name, port } });

describe('updates read below their paths (no document from the root)', () => {
  it('a bad leaf inside the changed subtree is refused, with its full data path', () => {
    assert.deepEqual(sameAsDocument(schema, [{ elems: [server('a', '1')], value: { name: 'a', port: 1, weight: 300 } }]), ["YANG_DATA_RANGE /vt:server[name='a'][port='1']/weight"]);
    assert.deepEqual(sameAsDocument(schema, [{ elems: [{ name: 'vt:top' }, { name: 'level' }], value: 50 }]), ['YANG_DATA_RANGE /vt:top/level']);
    assert.deepEqual(sameAsDocument(schema, [{ elems: [{ name: 'top' }], value: { host: 'Bad-Name', tags: ['a', 'a'] } }]), ['YANG_DATA_DUPLICATE /vt:top/tags[.=\'a\']', 'YANG_DATA_PATTERN /vt:top/host']);
  });

  it('checks the keys in the path (types) and the value\'s own keys, unknown nodes and state data', () => {
    assert.deepEqual(sameAsDocument(schema, [{ elems: [server('a', 'x')], value: { weight: 1 } }]), ["YANG_DATA_ENCODING /vt:server[name='a'][port='x']/port"]);
    assert.deepEqual(sameAsDocument(schema, [{ elems: [server('a', '1')], value: { name: 'a', port: 70000, weight: 1 } }]), ["YANG_DATA_RANGE /vt:server[name='a'][port='70000']/port"]);
    assert.deepEqual(sameAsDocument(schema, [{ elems: [{ name: 'vt:top' }], value: { nope: 1, state: { counter: 1 } } }]), [
      'YANG_DATA_CONFIG_FALSE /vt:top/state',
      'YANG_DATA_UNKNOWN_NODE /vt:top',
    ]);
  });

  it('several updates of one request: each checked, none merged into a false duplicate', () => {
    const updates: PathUpdate[] = [
      { elems: [server('a', '1')], value: { name: 'a', port: 1, addr: '10.0.0.1' } },
      { elems: [server('a', '1')], value: { weight: 3 } },
      { elems: [{ name: 'vt:top' }], value: { mode: 'fast' } },
      { elems: [{ name: 'vt:top' }, { name: 'mode' }], value: 'slow' },
      { elems: [server('b', '2')], value: { weight: 'heavy' } },
    ];
    assert.deepEqual(sameAsDocument(schema, updates), ["YANG_DATA_ENCODING /vt:server[name='b'][port='2']/weight"]);
  });

  it('leafref and must that reach outside the changed subtree are the device\'s to check: an edit is partial', () => {
    // The server the leafref names is not in this edit (it may be on the device), the must counts
    // servers the edit does not hold: neither is refused here, read below the path or as a document.
    const edit: PathUpdate[] = [{ elems: [{ name: 'vt:refs' }], value: { 'server-name': 'elsewhere', 'count-check': 7 } }];
    assert.deepEqual(sameAsDocument(schema, edit), []);
    // Against a whole configuration they are checked, and refused (the device's check after the edit).
    const full = validateInstance(schema, JSON.stringify({ 'vt:refs': { 'server-name': 'elsewhere', 'count-check': 7 }, 'vt:top': { ipv4: 'x' }, 'vt:server': [{ name: 'a', port: 1, weight: 1 }] }), { format: 'json', type: 'config' });
    assert.deepEqual(
      full.errors.map((e) => e.code).sort(),
      ['YANG_DATA_LEAFREF', 'YANG_DATA_MUST'],
    );
  });

  it('requests it cannot read below their paths are read as one document (same faults)', () => {
    sameAsDocument(schema, [{ elems: [{ name: 'vt:nothing' }], value: { a: 1 } }]);
    sameAsDocument(schema, [{ elems: [{ name: 'vt:server', key: { name: 'a' } }], value: { weight: 1 } }]);
    sameAsDocument(schema, [{ elems: [{ name: 'vt:top' }, { name: 'state' }], value: { counter: 1 } }]);
    sameAsDocument(schema, [{ elems: [{ name: 'vt:top' }, { name: 'tags' }], value: ['a', 'a'] }]);
    sameAsDocument(schema, [{ elems: [{ name: 'vt:top' }, { name: 'level' }], value: { x: 1 } }]);
    sameAsDocument(schema, [{ elems: [{ name: 'vt:top' }], value: 'not an object' }]);
  });
});

const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');

describe('updates read below their paths, OpenConfig (what the gNMI driver sends for an L3NM service)', { skip: existsSync(OC) ? false : `no OpenConfig models at ${OC}` }, () => {
  const oc = () => {
    const set = sharedModelRegistry([join(OC, 'models'), join(OC, 'third_party', 'ietf')]).schemaForTopNodes(
      ['openconfig-interfaces', 'openconfig-if-ip', 'openconfig-network-instance', 'openconfig-policy-types', 'iana-if-type'].map((name) => ({ name })),
      ['interfaces', 'network-instances'],
    );
    assert.ok(set.schema, set.error);
    return set.schema;
  };
  const ni = (name: string) => [{ name: 'network-instances' }, { name: 'network-instance', key: { name } }];
  const service = (mtu: unknown, prefixLength: unknown, nextHop: unknown): PathUpdate[] => [
    { elems: ni('vrf1'), value: { name: 'vrf1', config: { name: 'vrf1', type: 'openconfig-network-instance-types:L3VRF' } } },
    {
      elems: [{ name: 'interfaces' }, { name: 'interface', key: { name: 'Ethernet2' } }],
      value: {
        name: 'Ethernet2',
        config: { name: 'Ethernet2', enabled: true, mtu },
        subinterfaces: { subinterface: [{ index: 0, config: { index: 0, enabled: true }, 'openconfig-if-ip:ipv4': { addresses: { address: [{ ip: '10.255.0.6', config: { ip: '10.255.0.6', 'prefix-length': prefixLength } }] } } }] },
      },
    },
    { elems: [...ni('vrf1'), { name: 'interfaces' }, { name: 'interface', key: { id: 'Ethernet2.0' } }], value: { id: 'Ethernet2.0', config: { id: 'Ethernet2.0', interface: 'Ethernet2', subinterface: 0 } } },
    {
      elems: [...ni('vrf1'), { name: 'protocols' }, { name: 'protocol', key: { identifier: 'openconfig-policy-types:STATIC', name: 'STATIC' } }],
      value: {
        identifier: 'openconfig-policy-types:STATIC',
        name: 'STATIC',
        config: { identifier: 'openconfig-policy-types:STATIC', name: 'STATIC', enabled: true },
        'static-routes': { static: [{ prefix: '172.16.1.0/24', config: { prefix: '172.16.1.0/24' }, 'next-hops': { 'next-hop': [{ index: '0', config: { index: '0', 'next-hop': nextHop } }] } }] },
      },
    },
    { elems: [{ name: 'interfaces' }, { name: 'interface', key: { name: 'Ethernet2' } }, { name: 'config' }, { name: 'description' }], value: 'to r2' },
  ];

  it('a valid service is valid; a bad leaf deep in any update is refused with its path, as the document reading does', () => {
    const sch = oc();
    assert.deepEqual(sameAsDocument(sch, service(1500, 30, '10.255.0.5')), []);
    assert.deepEqual(sameAsDocument(sch, service(70000, 30, '10.255.0.5')), ["YANG_DATA_RANGE /openconfig-interfaces:interfaces/interface[name='Ethernet2']/config/mtu"]);
    const deep = sameAsDocument(sch, service(1500, 33, 'not-an-address'));
    assert.equal(deep.length, 2, deep.join('; '));
    assert.ok(deep[0]!.includes("/subinterfaces/subinterface[index='0']/openconfig-if-ip:ipv4/addresses/address[ip='10.255.0.6']/config/prefix-length"), deep[0]);
    assert.ok(deep[1]!.includes("/static-routes/static[prefix='172.16.1.0/24']/next-hops/next-hop[index='0']/config/next-hop"), deep[1]);
  });
});
