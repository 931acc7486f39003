import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CnsdnError } from '../../common/errors.js';
import { type EndpointInfo, type Resource, runDriverContract, type StateSample } from '../../device/index.js';
import { GnmiOpenconfigDriver, gnmiOpenconfigDriverFactory } from './index.js';
import { sleep, startTestTargets, type TestTargets, until } from './testing.js';

const USERS = [
  { username: 'admin', password: 'admin-pw', role: 'rw' as const },
  { username: 'viewer', password: 'viewer-pw', role: 'ro' as const },
];
const INTERFACES = ['Ethernet1', 'Ethernet2', 'Ethernet3', 'mgmt0'];

const contractResource = (endpoints: readonly EndpointInfo[]): Resource => {
  const name = endpoints.find((e) => e.type === 'copper')!.name;
  return [`/interface[${name}]/subinterface[0]`, { name, index: 0, enabled: true, description: 'cnsdn driver contract', mtu: 1500 }];
};

const shared: Record<'tls' | 'plain', Promise<TestTargets> | undefined> = { tls: undefined, plain: undefined };
const targets = (kind: 'tls' | 'plain') => {
  shared[kind] ??= startTestTargets({ tls: kind === 'tls', users: USERS, interfaces: INTERFACES });
  return shared[kind];
};
after(async () => {
  for (const t of Object.values(shared)) await (await t)?.close();
});

for (const kind of ['tls', 'plain'] as const) {
  runDriverContract(
    `gnmi-openconfig (${kind === 'tls' ? 'TLS verified against a generated CA' : 'plaintext, use_tls false'})`,
    async () => ({ factory: gnmiOpenconfigDriverFactory, config: (await targets(kind)).config() }),
    { resource: contractResource, subscription: (eps) => [`/interface[${eps[0].name}]`, 0, 0.05], sampleTimeoutMs: 5000, testTimeoutMs: 20_000 },
  );
}

/** Follows members, and list entries picked by [key, value], through a JSON tree. */
function dig(tree: unknown, ...steps: Array<string | [string, unknown]>): unknown {
  return steps.reduce<unknown>((node, step) => {
    if (typeof step === 'string') return (node as Record<string, unknown> | undefined)?.[step];
    return (node as Array<Record<string, unknown>> | undefined)?.find((e) => e[step[0]] === step[1]);
  }, tree);
}

async function rejection(p: Promise<unknown>): Promise<CnsdnError> {
  const e = await p.then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof CnsdnError, `expected a CnsdnError, got ${String(e)}`);
  return e;
}

describe('gnmi-openconfig driver against a simulated target', () => {
  let t: TestTargets;
  const open: GnmiOpenconfigDriver[] = [];
  const driver = async (settings?: Record<string, unknown>) => {
    const d = new GnmiOpenconfigDriver(t.config(0, settings ?? t.settings()));
    open.push(d);
    await d.connect();
    return d;
  };
  const deviceConfig = () => JSON.stringify(t.sim.targets[0].target.datastore.configJson());

  before(async () => {
    t = await startTestTargets({ tls: true, users: USERS, interfaces: INTERFACES, hostnamePrefix: 'r' });
  });
  after(async () => {
    for (const d of open) await d.disconnect();
    await t.close();
  });

  test('factory serves DEVICEDRIVER_GNMI_OPENCONFIG over the network', () => {
    assert.deepEqual(gnmiOpenconfigDriverFactory.names, ['DEVICEDRIVER_GNMI_OPENCONFIG']);
    assert.equal(gnmiOpenconfigDriverFactory.usesNetwork, true);
  });

  test('endpoints are the device interfaces: copper ports and the management port', async () => {
    const eps = await (await driver()).discoverEndpoints();
    assert.deepEqual(
      eps.map((e) => [e.name, e.type]),
      [
        ['Ethernet1', 'copper'],
        ['Ethernet2', 'copper'],
        ['Ethernet3', 'copper'],
        ['mgmt0', 'mgmt'],
      ],
    );
  });

  test('every resource kind round-trips: setConfig, getConfig, the OpenConfig tree on the device, deleteConfig', async () => {
    const d = await driver();
    const resources: Resource[] = [
      ['/interface[Ethernet2]/subinterface[1]', { name: 'Ethernet2', index: 1, enabled: true, description: 'to r2', vlan_id: 125, address_ip: '10.0.0.1', address_prefix: 30, mtu: 9000 }],
      ['/network_instance[vrf1]', { name: 'vrf1', type: 'L3VRF', route_distinguisher: '65000:1' }],
      ['/network_instance[vrf1]/interface[Ethernet2.1]', { name: 'vrf1', id: 'Ethernet2.1', interface: 'Ethernet2', subinterface: 1 }],
      ['/network_instance[vrf1]/protocols[STATIC]', { name: 'vrf1', identifier: 'STATIC', protocol_name: 'STATIC' }],
      ['/network_instance[vrf1]/protocols[STATIC]/static_route[10.9.0.0/16]', { name: 'vrf1', prefix: '10.9.0.0/16', next_hop: '10.0.0.2', next_hop_index: 0, metric: 10 }],
      ['/network_instance[vrf1]/vlan[125]', { vlan_id: 125, name: 'blue' }],
    ];
    assert.deepEqual(await d.setConfig(resources), resources.map(() => true));
    const got = await d.getConfig(resources.map(([k]) => k));
    for (const [key, value] of resources) {
      const entry = got.find(([k]) => k === key);
      assert.ok(entry, `${key} not read back; got ${got.map(([k]) => k).join(', ')}`);
      for (const [field, v] of Object.entries(value as object)) assert.deepEqual((entry[1] as Record<string, unknown>)[field], v, `${key}: ${field}`);
    }
    const oc = t.sim.targets[0].target.datastore.configJson();
    const eth2 = dig(oc, 'openconfig-interfaces:interfaces', 'interface', ['name', 'Ethernet2']);
    assert.equal(dig(eth2, 'config', 'mtu'), 9000);
    const sub = dig(eth2, 'subinterfaces', 'subinterface', ['index', 1]);
    assert.deepEqual(dig(sub, 'openconfig-vlan:vlan', 'config'), { 'vlan-id': 125 });
    assert.deepEqual(dig(sub, 'openconfig-if-ip:ipv4', 'addresses', 'address', ['ip', '10.0.0.1'], 'config'), { ip: '10.0.0.1', 'prefix-length': 30 });
    const vrf = dig(oc, 'openconfig-network-instance:network-instances', 'network-instance', ['name', 'vrf1']);
    assert.equal(dig(vrf, 'config', 'type'), 'openconfig-network-instance-types:L3VRF');
    const route = dig(vrf, 'protocols', 'protocol', ['name', 'STATIC'], 'static-routes', 'static', ['prefix', '10.9.0.0/16']);
    assert.equal(dig(route, 'next-hops', 'next-hop', ['index', '0'], 'config', 'next-hop'), '10.0.0.2');

    const all = await d.getConfig();
    assert.ok(all.some(([k, v]) => k === '/network_instance[DEFAULT]' && (v as { type: string }).type === 'DEFAULT'));
    assert.ok(all.some(([k]) => k === '/interface[Ethernet1]'));
    assert.deepEqual(await d.getInitialConfig(), all);

    const children = resources.slice(2).reverse();
    assert.deepEqual(await d.deleteConfig(children), children.map(() => true));
    const left = await d.getConfig(['/network_instance[vrf1]']);
    assert.deepEqual(left.map(([k]) => k), ['/network_instance[vrf1]']);
    assert.deepEqual(await d.deleteConfig(resources.slice(0, 2)), [true, true]);
    assert.deepEqual(await d.getConfig(['/network_instance[vrf1]', '/interface[Ethernet2]/subinterface[1]']), []);
  });

  test('getConfig of several entities (read in one Get) gives what reading each key alone gives, absent ones included', async () => {
    const d = await driver();
    const resources: Resource[] = [
      ['/interface[Ethernet3]/subinterface[7]', { name: 'Ethernet3', index: 7, enabled: true, description: 'together', vlan_id: 7, address_ip: '10.7.0.1', address_prefix: 30 }],
      ['/network_instance[vrf7]', { name: 'vrf7', type: 'L3VRF', route_distinguisher: '65000:7' }],
      ['/network_instance[vrf7]/interface[Ethernet3.7]', { name: 'vrf7', id: 'Ethernet3.7', interface: 'Ethernet3', subinterface: 7 }],
    ];
    assert.deepEqual(await d.setConfig(resources), resources.map(() => true));
    const keySets = [
      ['/interface[Ethernet3]/subinterface[7]', '/interface[Ethernet1]', '/network_instance[vrf7]', '/network_instance[vrf8]/protocols[STATIC]', '/network_instance[DEFAULT]'],
      ['/interface[Ethernet2]/subinterface[3]', '/network_instance[vrf8]'],
      ['/interface[Ethernet3]', '/interface[nope]/subinterface[0]', '/network_instance[vrf7]/interface[Ethernet3.7]'],
    ];
    try {
      for (const keys of keySets) {
        const alone = (await Promise.all(keys.map((k) => d.getConfig([k])))).flat();
        assert.deepEqual(await d.getConfig(keys), alone, keys.join(' '));
      }
      assert.ok((await d.getConfig(keySets[0]!)).some(([k]) => k === '/network_instance[vrf7]/interface[Ethernet3.7]'));
    } finally {
      assert.deepEqual(await d.deleteConfig([...resources].reverse()), resources.map(() => true));
    }
  });

  test('getConfig: TFS whole-tree keys, an unknown key as an Error entry, an absent entity as nothing', async () => {
    const d = await driver();
    const got = await d.getConfig(['__endpoints__', '/acl[x]', '/network_instance[nope]', '__network_instances__']);
    assert.deepEqual(got.filter(([k]) => k.startsWith('/endpoints/')).map(([k]) => k), INTERFACES.map((i) => `/endpoints/endpoint[${i}]`));
    const bad = got.find(([k]) => k === '/acl[x]');
    assert.ok(bad && bad[1] instanceof CnsdnError && bad[1].code === 'INVALID_ARGUMENT');
    assert.ok(got.some(([k]) => k === '/network_instance[DEFAULT]'));
    assert.ok(!got.some(([k]) => k.includes('nope')));
  });

  test('one setConfig is one transaction: a value the device refuses leaves it unchanged and fails every resource with its words', async () => {
    const d = await driver();
    const before = deviceConfig();
    // The controller's own YANG check would refuse this value first (yang-check.test.ts); here the device does.
    process.env.CNSDN_YANG_VALIDATE = '0';
    const results = await d
      .setConfig([
        ['/network_instance[vrf2]', { name: 'vrf2', type: 'L3VRF' }],
        ['/interface[Ethernet3]/subinterface[0]', { name: 'Ethernet3', index: 0, address_ip: '300.1.1.1', address_prefix: 24 }],
      ])
      .finally(() => delete process.env.CNSDN_YANG_VALIDATE);
    assert.equal(results.length, 2);
    assert.ok(results[0] instanceof CnsdnError && results[0] === results[1], 'the same error for every resource');
    assert.equal((results[0] as CnsdnError).code, 'DRIVER_ERROR');
    assert.match((results[0] as Error).message, /INVALID_ARGUMENT.*IPv4/);
    assert.equal(deviceConfig(), before, 'the device is unchanged');
  });

  test('a resource the driver cannot compose fails the whole batch before anything reaches the device', async () => {
    const d = await driver();
    const before = deviceConfig();
    const results = await d.setConfig([
      ['/network_instance[vrf3]', { name: 'vrf3', type: 'L3VRF' }],
      ['/interface[Ethernet3]/subinterface[0]', { name: 'Ethernet3', vlan_id: 'blue' }],
    ]);
    assert.ok(results.every((r) => r instanceof CnsdnError && r.code === 'INVALID_ARGUMENT'));
    assert.match((results[0] as Error).message, /not applied.*resource #1.*vlan_id/);
    assert.match((results[1] as Error).message, /vlan_id must be a whole number/);
    assert.equal(deviceConfig(), before);
    const deleted = await d.deleteConfig([
      ['/network_instance[DEFAULT]', {}],
      ['/nowhere', {}],
    ]);
    assert.ok(deleted.every((r) => r instanceof CnsdnError));
    assert.equal(deviceConfig(), before, 'DEFAULT was not deleted');
  });

  test('a read-only user reads but every write fails with PERMISSION_DENIED', async () => {
    const d = await driver(t.settings({ username: 'viewer', password: 'viewer-pw' }));
    assert.ok((await d.discoverEndpoints()).length > 0);
    const [r] = await d.setConfig([['/network_instance[vrf4]', { name: 'vrf4', type: 'L3VRF' }]]);
    assert.ok(r instanceof CnsdnError);
    assert.match(r.message, /PERMISSION_DENIED/);
  });

  test('a wrong password is a coded UNAUTHENTICATED error', async () => {
    const d = new GnmiOpenconfigDriver(t.config(0, t.settings({ password: 'wrong' })));
    const e = await rejection(d.connect());
    assert.equal(e.code, 'DRIVER_ERROR');
    assert.match(e.message, /UNAUTHENTICATED/);
  });

  test('TLS against a CA that did not sign the target fails clearly and never falls back to plaintext', async () => {
    const other = await startTestTargets({ tls: true });
    try {
      const d = new GnmiOpenconfigDriver(t.config(0, t.settings({ ca_pem: other.caPem })));
      const e = await rejection(d.connect());
      assert.equal(e.code, 'DEVICE_UNREACHABLE');
      assert.match(e.message, /TLS handshake .* failed/);
      await rejection(d.discoverEndpoints());
    } finally {
      await other.close();
    }
  });

  test('TLS is the default: a plaintext target is refused unless the settings say use_tls false', async () => {
    const plain = await startTestTargets({ tls: false });
    try {
      const tlsByDefault = new GnmiOpenconfigDriver(plain.config(0, { timeout: 3 }));
      const e = await rejection(tlsByDefault.connect());
      assert.equal(e.code, 'DEVICE_UNREACHABLE');
      assert.match(e.message, /TLS/);
      const explicit = new GnmiOpenconfigDriver(plain.config(0, { use_tls: false }));
      await explicit.connect();
      assert.ok((await explicit.discoverEndpoints()).length > 0);
      await explicit.disconnect();
    } finally {
      await plain.close();
    }
  });

  test('skip_verify must be explicit; with it the same target accepts an unverified session', async () => {
    const unverified = new GnmiOpenconfigDriver(t.config(0, t.settings({ ca_pem: undefined })));
    assert.equal((await rejection(unverified.connect())).code, 'DEVICE_UNREACHABLE');
    const d = await driver(t.settings({ ca_pem: undefined, skip_verify: true }));
    assert.ok((await d.discoverEndpoints()).length > 0);
  });

  test('mutual TLS with cert_pem and key_pem', async () => {
    const mtls = await startTestTargets({ tls: true, requireClientCert: true });
    try {
      const without = new GnmiOpenconfigDriver(mtls.config());
      await rejection(without.connect().then(() => without.discoverEndpoints()));
      await without.disconnect();
      const d = new GnmiOpenconfigDriver(mtls.config(0, mtls.settings({ cert_pem: mtls.clientCertPem, key_pem: mtls.clientKeyPem })));
      await d.connect();
      assert.ok((await d.discoverEndpoints()).length > 0);
      await d.disconnect();
    } finally {
      await mtls.close();
    }
  });

  test('bad settings are refused before any connection: INVALID_ARGUMENT', async () => {
    for (const settings of [{ use_tls: 'maybe' }, { cert_file: '/nonexistent.crt' }, { encoding: 'XML' }]) {
      assert.equal((await rejection(new GnmiOpenconfigDriver(t.config(0, settings)).connect())).code, 'INVALID_ARGUMENT');
    }
    const noPort = new GnmiOpenconfigDriver({ ...t.config(), port: 0 });
    assert.equal((await rejection(noPort.connect())).code, 'INVALID_ARGUMENT');
  });

  test('a port where nothing listens is DEVICE_UNREACHABLE', async () => {
    const gone = await startTestTargets({ tls: false });
    const config = gone.config(0, { use_tls: false, timeout: 2 });
    await gone.close();
    const e = await rejection(new GnmiOpenconfigDriver(config).connect());
    assert.equal(e.code, 'DEVICE_UNREACHABLE');
    assert.match(e.message, /cannot connect to 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    assert.equal(e.message.split('cannot connect to').length, 2, `the address is named once: ${e.message}`);
  });

  test('telemetry: counters move, with endpoint and sample type; unknown interfaces are refused; duration ends a subscription', async () => {
    const d = await driver();
    const samples: StateSample[] = [];
    d.onSample((s) => samples.push(s));
    const results = await d.subscribeState([
      ['/interface[Ethernet1]/state/counters', 0, 0.05],
      ['/interface[Ethernet9]', 0, 0.05],
    ]);
    assert.equal(results[0], true);
    assert.ok(results[1] instanceof CnsdnError && /no interface Ethernet9/.test(results[1].message));
    const inPkts = () => samples.filter((s) => s.key === '/interface[Ethernet1]/state/counters/in-pkts');
    await until('three in-pkts samples', () => inPkts().length >= 3, 5000);
    const seen = inPkts();
    assert.ok(seen.every((s) => s.endpoint === 'Ethernet1' && s.sampleType === 102 && typeof s.value === 'number'));
    await until('in-pkts grows', () => (inPkts().at(-1)!.value as number) > (seen[0].value as number), 5000);
    const types = new Set(samples.map((s) => s.sampleType));
    for (const t of [101, 102, 103, 201, 202]) assert.ok(types.has(t), `sample type ${t} seen`);

    assert.deepEqual(await d.subscribeState([['/interface[Ethernet2]/state/counters/out-octets', 0.3, 0.05]]), [true]);
    await until('Ethernet2 out-octets samples', () => samples.some((s) => s.endpoint === 'Ethernet2'), 5000);
    assert.ok(samples.filter((s) => s.endpoint === 'Ethernet2').every((s) => s.sampleType === 201));
    await until('the Ethernet2 subscription expires', () => !d.subscriptionKeys().includes('/interface[Ethernet2]/state/counters/out-octets'), 5000);
    assert.deepEqual(d.subscriptionKeys(), ['/interface[Ethernet1]/state/counters']);
    await sleep(150);
    const eth2 = samples.filter((s) => s.endpoint === 'Ethernet2').length;
    await sleep(300);
    assert.equal(samples.filter((s) => s.endpoint === 'Ethernet2').length, eth2, 'Ethernet2 samples stopped after the duration');
    assert.ok(samples.filter((s) => s.endpoint === 'Ethernet1').length > seen.length, 'Ethernet1 samples go on');
  });
});
