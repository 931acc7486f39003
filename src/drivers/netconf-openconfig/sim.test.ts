/** The driver's OpenConfig path against the NETCONF simulator (cnsdn-sim netconf), started in-process on 127.0.0.1. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CnsdnError } from '../../common/errors.js';
import { type DriverConnectConfig, type Resource, runDriverContract } from '../../device/index.js';
import { NetconfClient, type NotificationQueue } from '../../protocols/netconf/index.js';
import { type NetconfSim, startNetconfSim } from '../../sim/netconf/run.js';
import { NetconfOpenconfigDriver, netconfOpenconfigDriverFactory } from './index.js';
import { until } from './testing.js';

const USER = { username: 'oc-admin', password: 'oc-S1m-pass' };
const INTERFACES = ['Ethernet1', 'Ethernet2', 'Ethernet3', 'Ethernet4', 'mgmt0'];
const OC_IF = 'http://openconfig.net/yang/interfaces';
const OC_NI = 'http://openconfig.net/yang/network-instance';

/** Device 0 serves the contract suite, device 1 the other tests; `writable` also offers :writable-running. */
const sim: NetconfSim = await startNetconfSim({ port: 0, count: 2, users: [USER], interfaces: INTERFACES });
const writable: NetconfSim = await startNetconfSim({ port: 0, count: 1, users: [USER], interfaces: INTERFACES, writableRunning: true });

const open: Array<{ close(): Promise<void> }> = [];
after(async () => {
  for (const o of open.splice(0)) await o.close().catch(() => undefined);
  await sim.close();
  await writable.close();
});

function config(s: NetconfSim, device: number, extra: Record<string, unknown> = {}): DriverConnectConfig {
  const d = s.devices[device];
  return {
    deviceUuid: `uuid-${d.name}-${d.port}`,
    deviceName: d.name,
    address: d.host,
    port: d.port,
    settings: { username: USER.username, password: USER.password, hostkey_fingerprint: s.hostKey.fingerprint, timeout: 10, ...extra },
  };
}

async function driver(s: NetconfSim, device: number, extra: Record<string, unknown> = {}): Promise<NetconfOpenconfigDriver> {
  const d = new NetconfOpenconfigDriver(config(s, device, extra));
  await d.connect();
  open.push({ close: () => d.disconnect() });
  return d;
}

/** A NETCONF session of its own, not the driver's. */
async function reader(s: NetconfSim, device: number): Promise<NetconfClient> {
  const c = await NetconfClient.connect({
    host: '127.0.0.1',
    port: s.devices[device].port,
    username: USER.username,
    password: USER.password,
    hostKey: { fingerprint: s.hostKey.fingerprint },
    timeoutMs: 10_000,
    rpcTimeoutMs: 10_000,
  });
  open.push(c);
  return c;
}

const running = async (c: NetconfClient): Promise<string> => (await c.getConfig('running')).xml;
const candidate = async (c: NetconfClient): Promise<string> => (await c.getConfig('candidate')).xml;

/** The entry of `key` in a getConfig answer, which must be there and not an error. */
function entryOf(got: ReadonlyArray<[string, unknown]>, key: string): Record<string, unknown> {
  const e = got.find(([k]) => k === key);
  assert.ok(e, `getConfig did not return ${key}; got ${got.map(([k]) => k).join(', ')}`);
  assert.ok(!(e[1] instanceof Error), `${key}: ${String(e[1])}`);
  return e[1] as Record<string, unknown>;
}

/** Every field the resource sets reads back equal (the device may add others, e.g. type). */
function assertFieldsEqual(got: Record<string, unknown>, set: unknown, key: string): void {
  const wanted = set as Record<string, unknown>;
  assert.deepEqual(Object.fromEntries(Object.keys(wanted).map((f) => [f, got[f]])), wanted, key);
}

describe('netconf-openconfig on cnsdn-sim netconf', () => {
  runDriverContract(
    'netconf-openconfig on the NETCONF simulator (OpenConfig, candidate)',
    async () => ({ factory: netconfOpenconfigDriverFactory, config: config(sim, 0) }),
    {
      resource: () => ['/interface[Ethernet1]', { description: 'cnsdn driver contract <sim> & co' }],
      assertReadBack: (got, [key, value]) => {
        assert.deepEqual(entryOf(got, key), {
          name: 'Ethernet1',
          type: 'ethernetCsmacd',
          mtu: 1500,
          enabled: true,
          ...(value as object),
        });
      },
      assertDeleted: (got, [key]) => {
        const v = entryOf(got, key);
        assert.equal(v.description, undefined, 'the description was removed');
        assert.equal(v.name, 'Ethernet1', 'a physical interface stays');
      },
      testTimeoutMs: 20_000,
    },
  );
});

describe('netconf-openconfig: OpenConfig resources on the simulator', { timeout: 60_000 }, () => {
  const NI = 'vrf-rt';
  const families: Resource[] = [
    ['/interface[Ethernet2]', { name: 'Ethernet2', description: 'uplink "A" & <B>', mtu: 9000, enabled: false }],
    [
      '/interface[Ethernet3]/subinterface[10]',
      { name: 'Ethernet3', index: 10, enabled: true, description: 'sub ten', vlan_id: 100, address_ip: '192.0.2.1', address_prefix: 24 },
    ],
    [`/network_instance[${NI}]`, { name: NI, type: 'L3VRF', description: 'customer A', route_distinguisher: '65000:1' }],
    [`/network_instance[${NI}]/interface[Ethernet3.10]`, { name: NI, id: 'Ethernet3.10', interface: 'Ethernet3', subinterface: 10 }],
    [`/network_instance[${NI}]/protocols[STATIC]`, { name: NI, identifier: 'STATIC', protocol_name: 'STATIC' }],
    [
      `/network_instance[${NI}]/protocols[STATIC]/static_route[198.51.100.0/24]`,
      { name: NI, prefix: '198.51.100.0/24', next_hop: '192.0.2.254', next_hop_index: 0, metric: 10 },
    ],
    [`/network_instance[${NI}]/vlan[200]`, { vlan_id: 200, name: 'blue' }],
  ];

  test('every resource key family round-trips: setConfig, getConfig, and the XML an independent session reads', async () => {
    const d = await driver(sim, 1);
    assert.equal(d.datastore, 'candidate');
    assert.equal(d.models?.interfaces, 'openconfig');
    assert.equal(d.models?.networkInstances, true);
    assert.deepEqual(await d.setConfig(families), families.map(() => true));

    for (const [key, value] of families) assertFieldsEqual(entryOf(await d.getConfig([key]), key), value, key);
    const all = await d.getConfig();
    for (const [key, value] of families) assertFieldsEqual(entryOf(all, key), value, `${key} in getConfig()`);
    assert.equal(entryOf(all, '/interface[Ethernet2]').type, 'ethernetCsmacd');

    const c = await reader(sim, 1);
    const ifs = (await c.getConfig('running', { filter: { subtree: `<interfaces xmlns="${OC_IF}"><interface><name>Ethernet2</name></interface></interfaces>` } })).xml;
    assert.match(ifs, /<config><name>Ethernet2<\/name>.*<description>uplink "A" &amp; &lt;B&gt;<\/description>/s);
    assert.match(ifs, /<mtu>9000<\/mtu>/);
    assert.match(ifs, /<enabled>false<\/enabled>/);
    const sub = (await c.getConfig('running', { filter: { subtree: `<interfaces xmlns="${OC_IF}"><interface><name>Ethernet3</name></interface></interfaces>` } })).xml;
    assert.match(sub, /<subinterface><index>10<\/index><config><index>10<\/index><enabled>true<\/enabled><description>sub ten<\/description><\/config>/);
    assert.match(sub, /<vlan xmlns="http:\/\/openconfig.net\/yang\/vlan"><config><vlan-id>100<\/vlan-id><\/config><\/vlan>/);
    assert.match(
      sub,
      /<ipv4 xmlns="http:\/\/openconfig.net\/yang\/interfaces\/ip">.*<address><ip>192\.0\.2\.1<\/ip><config><ip>192\.0\.2\.1<\/ip><prefix-length>24<\/prefix-length><\/config><\/address>/s,
    );
    const ni = (await c.getConfig('running', { filter: { subtree: `<network-instances xmlns="${OC_NI}"><network-instance><name>${NI}</name></network-instance></network-instances>` } })).xml;
    assert.match(ni, /<type[^>]*>[\w-]+:L3VRF<\/type>/);
    assert.match(ni, /<route-distinguisher>65000:1<\/route-distinguisher>/);
    assert.match(ni, /<interface><id>Ethernet3\.10<\/id><config><id>Ethernet3\.10<\/id><interface>Ethernet3<\/interface><subinterface>10<\/subinterface><\/config><\/interface>/);
    assert.match(ni, /<protocol><identifier[^>]*>[\w-]+:STATIC<\/identifier><name>STATIC<\/name>/);
    assert.match(ni, /<static><prefix>198\.51\.100\.0\/24<\/prefix>.*<next-hop><index>0<\/index><config><index>0<\/index><next-hop>192\.0\.2\.254<\/next-hop><metric>10<\/metric><\/config><\/next-hop>/s);
    assert.match(ni, /<vlan><vlan-id>200<\/vlan-id><config><vlan-id>200<\/vlan-id><name>blue<\/name><\/config><\/vlan>/);
  });

  test('deleteConfig of every family removes them (the physical interface keeps all but the removed leaves)', async () => {
    const d = await driver(sim, 1);
    assert.deepEqual(await d.setConfig(families), families.map(() => true));
    const reversed = [...families].reverse();
    assert.deepEqual(await d.deleteConfig(reversed), reversed.map(() => true));
    const all = await d.getConfig();
    for (const [key] of families.slice(1)) assert.equal(all.find(([k]) => k === key), undefined, `${key} is gone`);
    assert.deepEqual(entryOf(all, '/interface[Ethernet2]'), { name: 'Ethernet2', type: 'ethernetCsmacd' });
    const ifs = (await (await reader(sim, 1)).getConfig('running', { filter: { subtree: `<interfaces xmlns="${OC_IF}"><interface><name>Ethernet2</name></interface></interfaces>` } })).xml;
    assert.match(ifs, /<interface><name>Ethernet2<\/name><config><name>Ethernet2<\/name><type[^>]*>ianaift:ethernetCsmacd<\/type><\/config>/, 'only name and type are left');
    assert.deepEqual(await d.setConfig([['/interface[Ethernet2]', { mtu: 1500, enabled: true }]]), [true]);
  });
});

describe('netconf-openconfig: refused transactions on the simulator', { timeout: 60_000 }, () => {
  // The device refuses these values; the controller's own YANG check (yang-check.test.ts) would refuse them first.
  before(() => {
    process.env.CNSDN_YANG_VALIDATE = '0';
  });
  after(() => {
    delete process.env.CNSDN_YANG_VALIDATE;
  });

  test('a second rule the device refuses at edit-config: running unchanged, candidate discarded, errors in its words', async () => {
    const d = await driver(sim, 1);
    const c = await reader(sim, 1);
    const before = await running(c);
    const results = await d.setConfig([
      ['/interface[Ethernet2]', { description: 'must not stay' }],
      ['/interface[Ethernet4]/subinterface[5]', { address_ip: '300.1.2.3', address_prefix: 24 }],
    ]);
    assert.equal(results.length, 2);
    const [first, second] = results;
    assert.ok(second instanceof CnsdnError, String(second));
    assert.equal(second.code, 'DRIVER_ERROR');
    assert.match(second.message, /invalid-value/);
    assert.match(second.message, /ip: "300\.1\.2\.3" is not an IPv4 address/);
    assert.match(second.message, /oc-if:subinterface\[oc-if:index='5'\]/, 'the error path');
    assert.ok(first instanceof CnsdnError, String(first));
    assert.match(first.message, /^\/interface\[Ethernet2\] not applied .*discarded because \/interface\[Ethernet4\]\/subinterface\[5\] was refused: .*not an IPv4 address/);
    assert.equal(await running(c), before, 'running is unchanged');
    assert.equal(await candidate(c), before, 'the candidate was discarded');
    await c.lock('candidate');
    await c.unlock('candidate');
    assert.deepEqual(await d.setConfig([['/interface[Ethernet2]', { description: 'after the refusal' }]]), [true], 'the driver released its lock');
    assert.match(await running(c), /<description>after the refusal<\/description>/);
  });

  test('a batch <validate> refuses before the commit (a network-instance interface that does not exist): running unchanged, candidate discarded', async () => {
    const d = await driver(sim, 1);
    const c = await reader(sim, 1);
    const before = await running(c);
    const results = await d.setConfig([
      ['/network_instance[vrf-bad]', { name: 'vrf-bad', type: 'L3VRF' }],
      ['/network_instance[vrf-bad]/interface[Ethernet9.0]', { interface: 'Ethernet9', subinterface: 0 }],
    ]);
    for (const r of results) {
      assert.ok(r instanceof CnsdnError, String(r));
      assert.equal(r.code, 'DRIVER_ERROR');
      assert.match(r.message, /not applied .*the candidate did not validate: validate of the candidate .*data-missing.*refers to interface "Ethernet9", which does not exist/);
    }
    assert.equal(await running(c), before);
    assert.equal(await candidate(c), before);
  });

  test('a value the driver cannot accept fails the whole batch before anything is sent', async () => {
    const d = await driver(sim, 1);
    const c = await reader(sim, 1);
    const before = await running(c);
    const results = await d.setConfig([
      ['/interface[Ethernet2]', { description: 'not sent' }],
      ['/interface[Ethernet2]/subinterface[1]', { vlan_id: 5000 }],
    ]);
    assert.ok(results[0] instanceof CnsdnError && results[0].code === 'INVALID_ARGUMENT' && /resource #1/.test(results[0].message));
    assert.ok(results[1] instanceof CnsdnError && results[1].code === 'INVALID_ARGUMENT' && /vlan_id must be a whole number in 1\.\.4094/.test(results[1].message));
    assert.equal(await running(c), before);
  });
});

describe('netconf-openconfig: datastore choice, commit_per_rule, notifications, endpoints', { timeout: 60_000 }, () => {
  // The device refuses these values; the controller's own YANG check (yang-check.test.ts) would refuse them first.
  before(() => {
    process.env.CNSDN_YANG_VALIDATE = '0';
  });
  after(() => {
    delete process.env.CNSDN_YANG_VALIDATE;
  });

  test('force_running on a device with :writable-running edits running directly, all or nothing (rollback-on-error)', async () => {
    assert.equal((await driver(writable, 0)).datastore, 'candidate', 'candidate is preferred without force_running');
    const d = await driver(writable, 0, { force_running: 'true' });
    assert.equal(d.datastore, 'running');
    const c = await reader(writable, 0);
    const holder = await reader(writable, 0);
    await holder.lock('candidate');
    try {
      assert.deepEqual(await d.setConfig([['/interface[Ethernet3]', { description: 'straight to running', mtu: 2000 }]]), [true], 'candidate lock does not matter');
    } finally {
      await holder.unlock('candidate');
    }
    const after = await running(c);
    assert.match(after, /<description>straight to running<\/description><enabled>true<\/enabled><mtu>2000<\/mtu>/);
    assert.deepEqual(entryOf(await d.getConfig(['/interface[Ethernet3]']), '/interface[Ethernet3]').mtu, 2000);

    const refused = await d.setConfig([
      ['/interface[Ethernet3]', { description: 'must not stay' }],
      ['/network_instance[default]/protocols[STATIC]/static_route[203.0.113.0/24]', { next_hop: 'not-a-hop' }],
    ]);
    assert.ok(refused.every((r) => r instanceof CnsdnError && r.code === 'DRIVER_ERROR'));
    assert.match((refused[0] as Error).message, /refused the edit and rolled it back: .*next-hop: "not-a-hop" is not a next-hop address/);
    assert.equal(await running(c), after, 'running is as before the refused batch');
  });

  test('commit_per_rule: each rule is its own commit; rules before and after a refused one stay', async () => {
    const d = await driver(sim, 1, { commit_per_rule: true });
    const c = await reader(sim, 1);
    await c.createSubscription();
    const events: NotificationQueue = c.notifications();
    const results = await d.setConfig([
      ['/interface[Ethernet4]', { description: 'per rule a' }],
      ['/interface[Ethernet4]/subinterface[3]', { address_ip: '10.300.0.1', address_prefix: 24 }],
      ['/interface[Ethernet1]/subinterface[0]', { vlan_id: 0 }],
      ['/network_instance[default]/vlan[300]', { name: 'per rule c' }],
    ]);
    assert.equal(results[0], true);
    assert.ok(results[1] instanceof CnsdnError && results[1].code === 'DRIVER_ERROR' && /is not an IPv4 address/.test(results[1].message));
    assert.ok(results[2] instanceof CnsdnError && results[2].code === 'INVALID_ARGUMENT', 'refused by the driver, only itself');
    assert.equal(results[3], true);
    const now = await running(c);
    assert.match(now, /<description>per rule a<\/description>/);
    assert.match(now, /<vlan><vlan-id>300<\/vlan-id><config><vlan-id>300<\/vlan-id><name>per rule c<\/name><\/config><\/vlan>/);
    assert.doesNotMatch(now, /10\.300\.0\.1/);
    assert.equal(await candidate(c), now, 'nothing left in the candidate');
    const changes: string[] = [];
    for (let n = await events.nextWithin(5000); n; n = await events.nextWithin(300)) if (n.event?.name === 'netconf-config-change') changes.push(n.xml);
    assert.equal(changes.length, 2, 'two commits, one per accepted rule');
    assert.match(changes[0], /Ethernet4.*description/);
    assert.match(changes[1], /vlan-id='300'/);
  });

  test('a commit sends netconf-config-change; it reaches driver.onNotification', async () => {
    const d = await driver(sim, 1);
    const seen: Array<{ name: string; namespace: string; xml: string; eventTime: string }> = [];
    const off = d.onNotification((n) => seen.push(n));
    assert.deepEqual(await d.setConfig([['/interface[Ethernet2]', { description: 'notify me' }]]), [true]);
    const n = await until('a netconf-config-change naming Ethernet2', () => seen.find((e) => e.name === 'netconf-config-change' && e.xml.includes("oc-if:name='Ethernet2'")), 5000);
    assert.equal(n.namespace, 'urn:ietf:params:xml:ns:yang:ietf-netconf-notifications');
    assert.match(n.xml, /<datastore>running<\/datastore>/);
    assert.match(n.xml, /oc-if:config\/oc-if:description<\/target><operation>(replace|create)<\/operation>/);
    assert.ok(Number.isFinite(Date.parse(n.eventTime)));
    off();
    const count = seen.length;
    assert.deepEqual(await d.setConfig([['/interface[Ethernet2]', { description: 'nobody listens' }]]), [true]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(seen.length, count, 'an unregistered listener receives nothing more');
  });

  test("discoverEndpoints lists the simulator's interfaces with types and sample types, not subinterfaces", async () => {
    const d = await driver(sim, 1);
    assert.deepEqual(await d.setConfig([['/interface[Ethernet1]/subinterface[7]', { description: 'not an endpoint' }]]), [true]);
    const eps = await d.discoverEndpoints();
    assert.deepEqual(
      eps.map((e) => [e.name, e.type]),
      INTERFACES.map((n) => [n, n === 'mgmt0' ? 'mgmt' : 'copper']),
    );
    for (const e of eps) assert.deepEqual(e.sampleTypes, [101, 102, 103, 201, 202]);
    const fromKey = await d.getConfig(['__endpoints__']);
    assert.deepEqual(
      fromKey.map(([k]) => k),
      INTERFACES.map((n) => `/endpoints/endpoint[${n}]`),
    );
    assert.deepEqual(await d.deleteConfig([['/interface[Ethernet1]/subinterface[7]', {}]]), [true]);
  });
});
