import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type GnmiPath, GnmiStatusError, type GnmiUpdate, parsePath, type TypedValue } from '../../protocols/gnmi/index.js';
import { Datastore } from './datastore.js';

const P = (s: string): GnmiPath => parsePath(s);
const json = (value: unknown): TypedValue => ({ kind: 'json_ietf', value });
const upd = (path: string, value: TypedValue): GnmiUpdate => ({ path: P(path), value });
const none = { delete: [], replace: [], update: [] };

function store(clock?: () => number): Datastore {
  return new Datastore({ hostname: 'sim1', interfaces: ['Ethernet1', 'Ethernet2', 'Loopback0'], clock });
}

function value(ds: Datastore, path: string, type: 'ALL' | 'CONFIG' | 'STATE' | 'OPERATIONAL' = 'ALL'): unknown {
  const u = ds.get(P(path), type, 'JSON_IETF');
  assert.equal(u.length, 1, `one update for ${path}`);
  return (u[0].value as { value: unknown }).value;
}

function scalar(ds: Datastore, path: string): TypedValue {
  const u = ds.get(P(path), 'ALL', 'PROTO');
  assert.equal(u.length, 1, `one leaf at ${path}`);
  return u[0].value;
}

function rejects(fn: () => void, code: string, ...fragments: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GnmiStatusError, `GnmiStatusError expected, got ${err}`);
    assert.equal(err.grpcCode, code, err.message);
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention "${f}"`);
    return true;
  });
}

const E1 = '/interfaces/interface[name=Ethernet1]';

describe('Datastore reads', () => {
  test('starts with the interfaces, a DEFAULT network instance, the hostname and platform components', () => {
    const ds = store();
    const names = ds.get(P('/interfaces/interface[name=*]/config/name'), 'ALL', 'PROTO').map((u) => u.value);
    assert.deepEqual(names, ['Ethernet1', 'Ethernet2', 'Loopback0'].map((value) => ({ kind: 'string', value })));
    assert.deepEqual(value(ds, '/network-instances/network-instance[name=DEFAULT]/config'), {
      name: 'DEFAULT',
      type: 'openconfig-network-instance-types:DEFAULT_INSTANCE',
      enabled: true,
    });
    assert.deepEqual(scalar(ds, '/system/state/hostname'), { kind: 'string', value: 'sim1' });
    assert.deepEqual(scalar(ds, '/components/component[name=Chassis]/state/type'), { kind: 'string', value: 'CHASSIS' });
    assert.deepEqual(scalar(ds, '/components/component[name=Port-Ethernet2]/state/type'), { kind: 'string', value: 'PORT' });
    assert.deepEqual(scalar(ds, '/interfaces/interface[name=Loopback0]/config/type'), { kind: 'string', value: 'softwareLoopback' });
  });

  test('CONFIG returns config only, STATE state only, OPERATIONAL drops mirrored config; keys always', () => {
    const ds = store();
    const cfg = value(ds, E1, 'CONFIG') as Record<string, unknown>;
    assert.deepEqual(Object.keys(cfg), ['name', 'config']);
    const st = value(ds, E1, 'STATE') as { state: Record<string, unknown> };
    assert.deepEqual(Object.keys(st), ['name', 'openconfig-if-ethernet:ethernet', 'state']);
    assert.equal(st.state.management, false);
    assert.equal(st.state['oper-status'], 'UP');
    assert.equal(st.state.mtu, 1500, 'state mirrors the applied config');
    assert.ok(st.state.counters);
    const op = value(ds, E1, 'OPERATIONAL') as { state: Record<string, unknown> };
    assert.equal(op.state.mtu, undefined);
    assert.equal(op.state['oper-status'], 'UP');
    const all = value(ds, E1, 'ALL') as Record<string, unknown>;
    assert.deepEqual(Object.keys(all), ['name', 'config', 'openconfig-if-ethernet:ethernet', 'state']);
  });

  test('JSON_IETF qualifies module changes, identities and uint64; JSON does not', () => {
    const ds = store();
    ds.set({
      ...none,
      update: [upd(`${E1}/ethernet/switched-vlan/config`, json({ 'interface-mode': 'ACCESS', 'access-vlan': 10 }))],
    });
    const ietf = value(ds, E1) as Record<string, Record<string, Record<string, unknown>>>;
    assert.equal(ietf.config.type, 'iana-if-type:ethernetCsmacd');
    assert.equal(typeof ietf.state.counters['in-pkts'], 'string');
    assert.deepEqual(ietf['openconfig-if-ethernet:ethernet'], {
      'openconfig-vlan:switched-vlan': {
        config: { 'interface-mode': 'ACCESS', 'access-vlan': 10 },
        state: { 'interface-mode': 'ACCESS', 'access-vlan': 10 },
      },
      state: {
        'hw-mac-address': '02:00:00:00:00:01',
        'mac-address': '02:00:00:00:00:01',
        'port-speed': 'openconfig-if-ethernet:SPEED_10GB',
        'negotiated-port-speed': 'openconfig-if-ethernet:SPEED_10GB',
      },
    });
    const root = ds.get(P('/'), 'CONFIG', 'JSON_IETF')[0].value as { value: Record<string, unknown> };
    assert.deepEqual(Object.keys(root.value).sort(), [
      'openconfig-interfaces:interfaces',
      'openconfig-network-instance:network-instances',
      'openconfig-platform:components',
      'openconfig-system:system',
    ]);
    const plain = ds.get(P(E1), 'ALL', 'JSON')[0].value as { kind: string; value: Record<string, Record<string, Record<string, unknown>>> };
    assert.equal(plain.kind, 'json');
    assert.equal(plain.value.config.type, 'ethernetCsmacd');
    assert.equal(typeof plain.value.state.counters['in-pkts'], 'number');
    assert.ok(plain.value.ethernet['switched-vlan']);
  });

  test('PROTO gives one scalar per leaf (uint64 counters as uint bigint); ASCII gives text', () => {
    const ds = store();
    const leaves = ds.get(P(`${E1}/state/counters`), 'ALL', 'PROTO');
    assert.equal(leaves.length, 10);
    for (const u of leaves) {
      assert.equal(u.value.kind, 'uint');
      assert.equal(u.path.elem.length, 5);
    }
    assert.deepEqual(scalar(ds, `${E1}/config/enabled`), { kind: 'bool', value: true });
    assert.deepEqual(scalar(ds, `${E1}/config/mtu`), { kind: 'uint', value: 1500n });
    assert.deepEqual(ds.get(P(`${E1}/config/mtu`), 'ALL', 'ASCII')[0].value, { kind: 'ascii', value: '1500' });
  });

  test('wildcards and keyless list elements expand to concrete paths; module-prefixed names are accepted', () => {
    const ds = store();
    const ups = ds.get(P('/interfaces/interface/state/oper-status'), 'ALL', 'PROTO');
    assert.deepEqual(
      ups.map((u) => u.path.elem[1].key?.name),
      ['Ethernet1', 'Ethernet2', 'Loopback0'],
    );
    assert.equal(ds.get(P('/interfaces/interface[name=*]'), 'CONFIG', 'JSON_IETF').length, 3);
    assert.deepEqual(scalar(ds, '/openconfig-interfaces:interfaces/interface[name=Ethernet2]/config/mtu'), { kind: 'uint', value: 1500n });
    assert.deepEqual(ds.get({ origin: 'openconfig', elem: P('/system/config/hostname').elem }, 'ALL', 'PROTO')[0].value, {
      kind: 'string',
      value: 'sim1',
    });
    assert.deepEqual(ds.get(P('/interfaces/interface[name=*]/subinterfaces'), 'ALL', 'JSON_IETF'), [], 'a wildcard may match nothing');
  });

  test('unknown schema elements, absent data and foreign origins are NOT_FOUND', () => {
    const ds = store();
    rejects(() => ds.get(P('/interfaces/interface[name=Ethernet1]/bogus'), 'ALL', 'JSON_IETF'), 'NOT_FOUND', 'bogus');
    rejects(() => ds.get(P('/interfaces/interface[name=Ethernet99]'), 'ALL', 'JSON_IETF'), 'NOT_FOUND', 'Ethernet99');
    rejects(() => ds.get({ origin: 'cli', elem: [] }, 'ALL', 'JSON_IETF'), 'NOT_FOUND', 'cli');
    rejects(() => ds.get(P(E1), 'ALL', 'BYTES'), 'UNIMPLEMENTED');
  });

  test('counters grow on every read from the interface rate, and freeze while the interface is disabled', () => {
    let now = 1_000_000;
    const ds = store(() => now);
    const inPkts = () => (scalar(ds, `${E1}/state/counters/in-pkts`) as { value: bigint }).value;
    const all = () => ds.get(P(`${E1}/state/counters`), 'ALL', 'PROTO').map((u) => (u.value as { value: bigint }).value);
    const seen = [inPkts(), inPkts(), inPkts()];
    assert.ok(seen[0] < seen[1] && seen[1] < seen[2], `strictly increasing at a constant clock: ${seen}`);
    const before = inPkts();
    now += 1000;
    const after = inPkts();
    assert.ok(after - before >= 1000n, `one second moves at least 1000 packets (${after - before})`);
    let last = all();
    for (let i = 0; i < 5; i++) {
      now += 250;
      const next = all();
      for (const [j, v] of next.entries()) assert.ok(v >= last[j], 'every counter is non-decreasing');
      last = next;
    }
    ds.set({ ...none, update: [upd(`${E1}/config/enabled`, { kind: 'bool', value: false })] });
    const frozen = inPkts();
    now += 5000;
    assert.equal(inPkts(), frozen);
    assert.equal((scalar(ds, `${E1}/state/oper-status`) as { value: string }).value, 'DOWN');
  });
});

describe('Datastore writes', () => {
  test('update creates a subinterface with an IPv4 address and VLAN; state is derived', () => {
    const ds = store();
    ds.set({
      ...none,
      update: [
        upd(
          `${E1}/subinterfaces/subinterface[index=10]`,
          json({
            config: { index: 10, description: 'to core' },
            'openconfig-if-ip:ipv4': { addresses: { address: [{ ip: '10.0.0.1', config: { ip: '10.0.0.1', 'prefix-length': 24 } }] } },
            'openconfig-vlan:vlan': { config: { 'vlan-id': 10 } },
          }),
        ),
      ],
    });
    const sub = `${E1}/subinterfaces/subinterface[index=10]`;
    assert.deepEqual(value(ds, `${sub}/ipv4/addresses/address[ip=10.0.0.1]/state`), {
      ip: '10.0.0.1',
      'prefix-length': 24,
      origin: 'STATIC',
    });
    assert.deepEqual(scalar(ds, `${sub}/vlan/config/vlan-id`), { kind: 'uint', value: 10n });
    assert.deepEqual(scalar(ds, `${sub}/state/oper-status`), { kind: 'string', value: 'UP' });
    assert.deepEqual(scalar(ds, `${sub}/index`), { kind: 'uint', value: 10n });
  });

  test('accepts the subinterface shape TFS sends (vlan match single-tagged, ipv4 enabled) and reports it back', () => {
    const ds = store();
    ds.set({
      ...none,
      update: [
        upd(
          E1,
          json({
            config: { name: 'Ethernet1', enabled: true, mtu: 1500 },
            subinterfaces: {
              subinterface: [
                {
                  index: 5,
                  config: { index: 5, enabled: true },
                  'openconfig-vlan:vlan': { match: { 'single-tagged': { config: { 'vlan-id': 127 } } } },
                  'openconfig-if-ip:ipv4': {
                    config: { enabled: true },
                    addresses: { address: [{ ip: '172.16.0.1', config: { ip: '172.16.0.1', 'prefix-length': 24 } }] },
                  },
                },
              ],
            },
          }),
        ),
      ],
    });
    const sub = value(ds, `${E1}/subinterfaces/subinterface[index=5]`, 'STATE') as Record<string, Record<string, unknown>>;
    assert.equal(sub.state.name, 'Ethernet1.5');
    assert.deepEqual(sub['openconfig-vlan:vlan'], { match: { 'single-tagged': { state: { 'vlan-id': 127 } } } });
    assert.deepEqual(scalar(ds, `${E1}/subinterfaces/subinterface[index=5]/ipv4/state/enabled`), { kind: 'bool', value: true });
    assert.deepEqual(scalar(ds, '/interfaces/interface[name=Loopback0]/state/management'), { kind: 'bool', value: false });
    rejects(() => ds.get(P('/interfaces/interface[name=Loopback0]/ethernet'), 'ALL', 'JSON_IETF'), 'NOT_FOUND');
  });

  test('a leaf path takes a scalar TypedValue; a missing list entry on the way is created with its keys', () => {
    const ds = store();
    ds.set({
      ...none,
      update: [upd(`${E1}/subinterfaces/subinterface[index=3]/config/description`, { kind: 'string', value: 'x' })],
    });
    assert.deepEqual(value(ds, `${E1}/subinterfaces/subinterface[index=3]/config`), { index: 3, description: 'x' });
    ds.set({ ...none, update: [upd(`${E1}/config/mtu`, { kind: 'uint', value: 9000n })] });
    assert.deepEqual(scalar(ds, `${E1}/state/mtu`), { kind: 'uint', value: 9000n });
  });

  test('update merges, replace makes the subtree exactly the value', () => {
    const ds = store();
    ds.set({ ...none, update: [upd(`${E1}/config`, json({ description: 'uplink' }))] });
    assert.deepEqual(value(ds, `${E1}/config`), {
      name: 'Ethernet1',
      type: 'iana-if-type:ethernetCsmacd',
      mtu: 1500,
      enabled: true,
      description: 'uplink',
    });
    ds.set({ ...none, replace: [upd(`${E1}/config`, json({ description: 'only this' }))] });
    assert.deepEqual(value(ds, `${E1}/config`), { description: 'only this', name: 'Ethernet1' });

    ds.set({
      ...none,
      update: [upd(`${E1}/subinterfaces/subinterface[index=0]`, json({ config: { description: 'a' }, vlan: { config: { 'vlan-id': 5 } } }))],
    });
    ds.set({ ...none, replace: [upd(`${E1}/subinterfaces/subinterface[index=0]`, json({ config: { enabled: false } }))] });
    assert.deepEqual(value(ds, `${E1}/subinterfaces/subinterface[index=0]`, 'CONFIG'), { index: 0, config: { enabled: false, index: 0 } });

    ds.set({ ...none, replace: [upd('/interfaces/interface', json([{ name: 'Ethernet7', config: { mtu: 1400 } }]))] });
    const names = ds.get(P('/interfaces/interface/name'), 'ALL', 'PROTO').map((u) => (u.value as { value: string }).value);
    assert.deepEqual(names, ['Ethernet7'], 'replacing a whole list keeps only the given entries');
  });

  test('one bad update leaves everything unchanged (deletes and replaces of the same request included)', () => {
    const ds = store();
    const before = ds.configJson();
    rejects(
      () =>
        ds.set({
          delete: [P('/network-instances/network-instance[name=DEFAULT]')],
          replace: [upd('/system/config', json({ hostname: 'renamed' }))],
          update: [upd(`${E1}/config/description`, json('fine')), upd('/interfaces/interface[name=Ethernet2]/config/mtu', json(70000))],
        }),
      'INVALID_ARGUMENT',
      '/interfaces/interface[name=Ethernet2]/config/mtu',
      '70000',
    );
    assert.deepEqual(ds.configJson(), before);
    assert.deepEqual(scalar(ds, '/system/state/hostname'), { kind: 'string', value: 'sim1' });
  });

  test('deletes: any subtree, absent data silently, never list keys or read-only data', () => {
    const ds = store();
    ds.set({
      ...none,
      update: [
        upd(`${E1}/subinterfaces/subinterface[index=1]/config/description`, json('a')),
        upd(`${E1}/subinterfaces/subinterface[index=2]/config/description`, json('b')),
      ],
    });
    ds.set({ ...none, delete: [P(`${E1}/subinterfaces/subinterface[index=1]`), P(`${E1}/config/mtu`), P('/network-instances/network-instance[name=nope]')] });
    assert.deepEqual(
      ds.get(P(`${E1}/subinterfaces/subinterface/index`), 'ALL', 'PROTO').map((u) => u.value),
      [{ kind: 'uint', value: 2n }],
    );
    rejects(() => ds.get(P(`${E1}/config/mtu`), 'ALL', 'PROTO'), 'NOT_FOUND');
    rejects(() => ds.set({ ...none, delete: [P(`${E1}/name`)] }), 'INVALID_ARGUMENT', 'key');
    rejects(() => ds.set({ ...none, delete: [P(`${E1}/state/counters`)] }), 'INVALID_ARGUMENT', 'read-only');
    ds.set({ ...none, delete: [P(`${E1}/subinterfaces`)] });
    rejects(() => ds.get(P(`${E1}/subinterfaces`), 'ALL', 'JSON_IETF'), 'NOT_FOUND');
  });

  test('config/<key> is kept equal to the list key', () => {
    const ds = store();
    ds.set({ ...none, delete: [P(`${E1}/config`)] });
    assert.deepEqual(value(ds, `${E1}/config`), { name: 'Ethernet1' });
    rejects(
      () => ds.set({ ...none, update: [upd(`${E1}/config/name`, json('Ethernet2'))] }),
      'INVALID_ARGUMENT',
      `${E1}/config/name`,
    );
    rejects(
      () => ds.set({ ...none, update: [upd(E1, json({ name: 'Ethernet2' }))] }),
      'INVALID_ARGUMENT',
      'list key',
    );
  });

  test('validation names the offending path', () => {
    const ds = store();
    const sub = `${E1}/subinterfaces/subinterface[index=0]`;
    const bad: [string, TypedValue, string][] = [
      [`${E1}/config/mtu`, json('abc'), 'uint16'],
      [`${E1}/config/mtu`, { kind: 'int', value: -1n }, 'uint16'],
      [`${sub}/ipv4/addresses/address[ip=10.0.0.1]/config/prefix-length`, json(33), '0..32'],
      [`${sub}/ipv4/addresses/address[ip=10.0.0.300]/config/prefix-length`, json(24), 'IPv4'],
      [`${sub}/vlan/config/vlan-id`, json(4095), '1..4094'],
      [`${sub}/vlan/config/vlan-id`, json(0), '1..4094'],
      [`${E1}/config/type`, json('iana-if-type:bogus'), 'ethernetCsmacd'],
      [`${E1}/config/enabled`, json('yes'), 'boolean'],
      [`${E1}/config/colour`, json('red'), 'colour'],
      [`${E1}/state/mtu`, json(1500), 'read-only'],
      ['/network-instances/network-instance[name=V]/config/route-distinguisher', json('nope'), 'route distinguisher'],
      [`${E1}/ethernet/switched-vlan/config/trunk-vlans`, json([10, '30..20']), 'VLAN range'],
      ['/interfaces/interface[name=*]/config/mtu', json(1500), 'wildcard'],
    ];
    for (const [path, v, hint] of bad) {
      rejects(() => ds.set({ ...none, update: [upd(path, v)] }), 'INVALID_ARGUMENT', hint);
    }
    rejects(
      () => ds.set({ ...none, update: [upd(`${E1}/config`, json({ mtu: 1500, 'openconfig-interfaces:description': 7 }))] }),
      'INVALID_ARGUMENT',
      `${E1}/config/description`,
    );
    rejects(() => ds.set({ ...none, update: [upd(E1, { kind: 'string', value: 'x' })] }), 'INVALID_ARGUMENT', 'JSON');
    rejects(
      () => ds.set({ ...none, update: [upd('/network-instances', json({ 'network-instance': [{ config: { type: 'L3VRF' } }] }))] }),
      'INVALID_ARGUMENT',
      'key name',
    );
  });

  test('network instances: L3VRF with interfaces, static routes under a two-key protocol, VLANs', () => {
    const ds = store();
    ds.set({
      ...none,
      update: [
        upd(
          '/network-instances/network-instance[name=VRF1]',
          json({
            config: { type: 'openconfig-network-instance-types:L3VRF', 'route-distinguisher': '65000:1' },
            interfaces: { interface: [{ id: 'Ethernet1.0', config: { interface: 'Ethernet1', subinterface: 0 } }] },
            protocols: {
              protocol: [
                {
                  identifier: 'openconfig-policy-types:STATIC',
                  name: 'static',
                  config: { identifier: 'openconfig-policy-types:STATIC', name: 'static' },
                  'static-routes': {
                    static: [
                      {
                        prefix: '10.1.0.0/16',
                        'next-hops': { 'next-hop': [{ index: '0', config: { 'next-hop': '192.0.2.1' } }] },
                      },
                    ],
                  },
                },
              ],
            },
            vlans: { vlan: [{ 'vlan-id': 100, config: { name: 'blue' } }] },
          }),
        ),
      ],
    });
    const ni = '/network-instances/network-instance[name=VRF1]';
    assert.deepEqual(scalar(ds, `${ni}/state/type`), { kind: 'string', value: 'L3VRF' });
    assert.deepEqual(
      value(ds, `${ni}/protocols/protocol[identifier=STATIC][name=static]/static-routes/static[prefix=10.1.0.0/16]/next-hops`, 'CONFIG'),
      { 'next-hop': [{ index: '0', config: { index: '0', 'next-hop': '192.0.2.1' } }] },
    );
    assert.equal(
      (value(ds, `${ni}/protocols/protocol[identifier=openconfig-policy-types:STATIC][name=static]/config`) as { identifier: string }).identifier,
      'openconfig-policy-types:STATIC',
    );
    assert.deepEqual(value(ds, `${ni}/vlans/vlan[vlan-id=100]/state`), { 'vlan-id': 100, name: 'blue', status: 'ACTIVE' });
    assert.deepEqual(scalar(ds, `${ni}/interfaces/interface[id=Ethernet1.0]/config/subinterface`), { kind: 'uint', value: 0n });
    ds.set({ ...none, update: [upd(`${ni}/protocols/protocol[identifier=STATIC][name=static]/static-routes/static[prefix=0.0.0.0/0]/next-hops/next-hop[index=d]/config/next-hop`, json('openconfig-local-routing:DROP'))] });
    assert.deepEqual(
      value(ds, `${ni}/protocols/protocol[identifier=STATIC][name=static]/static-routes/static[prefix=0.0.0.0/0]/next-hops/next-hop[index=d]/config/next-hop`),
      'openconfig-local-routing:DROP',
    );
  });

  test('trunk VLANs as a leaf-list of ids and ranges', () => {
    const ds = store();
    ds.set({
      ...none,
      update: [upd(`${E1}/ethernet/switched-vlan/config`, json({ 'interface-mode': 'TRUNK', 'trunk-vlans': [10, '20..30'] }))],
    });
    assert.deepEqual(scalar(ds, `${E1}/ethernet/switched-vlan/state/trunk-vlans`), {
      kind: 'leaflist',
      value: [
        { kind: 'uint', value: 10n },
        { kind: 'string', value: '20..30' },
      ],
    });
  });

  test('replace of the root makes the configuration exactly the value', () => {
    const ds = store();
    ds.set({
      ...none,
      replace: [upd('/', json({ 'openconfig-system:system': { config: { hostname: 'fresh' } } }))],
    });
    assert.deepEqual(ds.configJson(), { 'openconfig-system:system': { config: { hostname: 'fresh' } } });
    rejects(() => ds.get(P('/interfaces'), 'ALL', 'JSON_IETF'), 'NOT_FOUND');
  });
});

describe('Datastore commits share what they do not change', () => {
  test('state that depends on an ancestor follows it; untouched entries stay as they were', () => {
    const ds = store();
    const sub = `${E1}/subinterfaces/subinterface[index=0]`;
    const E2 = '/interfaces/interface[name=Ethernet2]';
    ds.set({ ...none, update: [upd(`${sub}/config/description`, json('s0')), upd(`${E2}/config/description`, json('e2'))] });
    const e2Before = value(ds, E2, 'CONFIG');
    ds.set({ ...none, update: [upd(`${E1}/config/enabled`, json(false))] });
    assert.deepEqual(scalar(ds, `${sub}/state/oper-status`), { kind: 'string', value: 'DOWN' }, 'the subinterface follows its interface');
    assert.deepEqual(scalar(ds, `${sub}/state/description`), { kind: 'string', value: 's0' });
    assert.deepEqual(value(ds, E2, 'CONFIG'), e2Before, 'Ethernet2 is unchanged');
    ds.set({ ...none, update: [upd(`${E1}/config/enabled`, json(true))] });
    assert.deepEqual(scalar(ds, `${sub}/state/oper-status`), { kind: 'string', value: 'UP' });
    // Many commits to one entry: each sees exactly the previous one's data.
    for (let i = 0; i < 50; i++) {
      ds.set({ ...none, update: [upd(`${sub}/config/description`, json(`n${i}`)), upd(`${E2}/config/mtu`, json(1000 + i))] });
    }
    assert.deepEqual(scalar(ds, `${sub}/config/description`), { kind: 'string', value: 'n49' });
    assert.deepEqual(scalar(ds, `${E2}/state/mtu`), { kind: 'uint', value: 1049n });
    assert.deepEqual(scalar(ds, `${E2}/config/description`), { kind: 'string', value: 'e2' });
  });
});

describe('Datastore change notifications', () => {
  test('after each commit, listeners get the changed leaves and the deleted ones', () => {
    const ds = store();
    const seen: { updates: string[]; deletes: string[] }[] = [];
    const fmt = (p: GnmiPath) => p.elem.map((e) => e.name + (e.key ? `[${Object.values(e.key).join(',')}]` : '')).join('/');
    const stop = ds.onChange((updates, deletes) => seen.push({ updates: updates.map((u) => fmt(u.path)).sort(), deletes: deletes.map(fmt).sort() }));
    ds.set({ ...none, update: [upd(`${E1}/config/description`, json('d1'))] });
    assert.deepEqual(seen, [
      {
        updates: ['interfaces/interface[Ethernet1]/config/description', 'interfaces/interface[Ethernet1]/state/description'],
        deletes: [],
      },
    ]);
    ds.set({ ...none, update: [upd(`${E1}/config/description`, json('d1'))] });
    assert.equal(seen.length, 1, 'a commit that changes nothing notifies nobody');
    ds.set({ ...none, update: [upd(`${E1}/config/enabled`, json(false))] });
    assert.deepEqual(seen[1].updates, [
      'interfaces/interface[Ethernet1]/config/enabled',
      'interfaces/interface[Ethernet1]/state/admin-status',
      'interfaces/interface[Ethernet1]/state/enabled',
      'interfaces/interface[Ethernet1]/state/oper-status',
    ]);
    ds.set({ ...none, delete: [P(`${E1}/config/description`)] });
    assert.deepEqual(seen[2], {
      updates: [],
      deletes: ['interfaces/interface[Ethernet1]/config/description', 'interfaces/interface[Ethernet1]/state/description'],
    });
    const value = ds.onChange(() => {});
    value();
    stop();
    ds.set({ ...none, update: [upd(`${E1}/config/description`, json('d2'))] });
    assert.equal(seen.length, 3, 'unsubscribed listeners hear nothing');
  });

  test('leaves() lists every current leaf under a path with its encoding', () => {
    const ds = store();
    const counters = ds.leaves(P('/interfaces/interface[name=*]/state/counters'), 'PROTO');
    assert.equal(counters.length, 30);
    const ietf = ds.leaves(P(`${E1}/state/counters/in-octets`), 'JSON_IETF');
    assert.equal(ietf[0].value.kind, 'json_ietf');
    assert.match((ietf[0].value as { value: string }).value, /^\d+$/);
    assert.deepEqual(ds.leaves(P('/interfaces/interface[name=Ethernet42]'), 'PROTO'), []);
  });

  test('leaves() asked again with the same path (as a SAMPLE subscription does) moves the counters and follows every Set', () => {
    let now = 1_000_000;
    const ds = store(() => now);
    const path = P(E1);
    const leafMap = (encoding: 'PROTO' | 'JSON_IETF' = 'PROTO') =>
      new Map(ds.leaves(path, encoding).map((u) => [u.path.elem.map((e) => e.name + JSON.stringify(e.key ?? {})).join('/'), u.value]));
    const counter = (m: Map<string, TypedValue>, name: string) => (m.get(`interfaces{}/interface{"name":"Ethernet1"}/state{}/counters{}/${name}{}`) as { value: bigint }).value;
    const first = leafMap();
    now += 1000;
    const second = leafMap();
    assert.equal(second.size, first.size);
    assert.ok(counter(second, 'in-pkts') - counter(first, 'in-pkts') >= 1000n, 'the second read moved the counters');
    assert.ok(counter(second, 'out-octets') > counter(first, 'out-octets'));
    const ietf = leafMap('JSON_IETF').get('interfaces{}/interface{"name":"Ethernet1"}/state{}/counters{}/in-pkts{}') as { kind: string; value: string };
    assert.equal(ietf.kind, 'json_ietf', 'another encoding of the same path is not served from the PROTO plan');
    assert.ok(BigInt(ietf.value) > counter(second, 'in-pkts'));
    ds.set({ ...none, update: [upd(`${E1}/config/description`, json('after the plan'))] });
    const third = leafMap();
    assert.deepEqual(third.get('interfaces{}/interface{"name":"Ethernet1"}/config{}/description{}'), { kind: 'string', value: 'after the plan' });
    assert.ok(third.size > first.size, 'the new leaves (config and state description) are listed');
    ds.set({ ...none, update: [upd(`${E1}/config/enabled`, { kind: 'bool', value: false })] });
    const frozen = counter(leafMap(), 'in-pkts');
    now += 5000;
    assert.equal(counter(leafMap(), 'in-pkts'), frozen, 'a disabled interface keeps its counters');
    assert.deepEqual(leafMap().get('interfaces{}/interface{"name":"Ethernet1"}/state{}/oper-status{}'), { kind: 'string', value: 'DOWN' });
  });
});
