/** TFS resources ↔ XML for both model families: pure functions, no device. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CnsdnError } from '../../common/errors.js';
import type { Resource } from '../../device/index.js';
import { parseResourceKey } from '../gnmi-openconfig/index.js';
import { parseCapabilities, parseXml, parseXmlFragment, type XmlElement } from '../../protocols/netconf/index.js';
import { ietfDeleteTree, ietfEndpoints, ietfResources, ietfSetTree } from './ietf.js';
import { fixedModels, modelsOf } from './models.js';
import { ocDeleteTrees, ocResources, ocSetTree } from './openconfig.js';
import { parseNetconfSettings } from './settings.js';
import { mergeTrees, serialize } from './xtree.js';

const NC = 'urn:ietf:params:xml:ns:netconf:base:1.0';
const OC = fixedModels('openconfig');
const IETF = fixedModels('ietf');

/** Wraps config content as a get-config <data> reply, the way a device would return it. */
const asData = (xml: string): XmlElement => parseXml(`<data xmlns="${NC}">${xml}</data>`);
const ocSet = (r: Resource) => serialize(ocSetTree(r[0], parseResourceKey(r[0]), r[1], OC));
const ietfSet = (r: Resource, models = IETF) => serialize(ietfSetTree(r[0], parseResourceKey(r[0]), r[1], models));

/** A resource's value contains every field given (read-back may add fields such as type). */
function assertRoundTrip(resources: Resource[], back: Resource[]): void {
  for (const [key, value] of resources) {
    const got = back.find(([k]) => k === key);
    assert.ok(got, `${key} not read back; got ${back.map(([k]) => k).join(', ')}`);
    for (const [field, v] of Object.entries(value as object)) assert.deepEqual((got[1] as Record<string, unknown>)[field], v, `${key}: ${field}`);
  }
}

describe('OpenConfig rendering', () => {
  const resources: Resource[] = [
    ['/interface[Ethernet1]', { name: 'Ethernet1', description: 'to <r2> & "r3"', mtu: 9000, enabled: true }],
    ['/interface[Ethernet2]/subinterface[1]', { name: 'Ethernet2', index: 1, enabled: true, description: 'sub', vlan_id: 125, address_ip: '10.0.0.1', address_prefix: 30 }],
    ['/network_instance[vrf1]', { name: 'vrf1', type: 'L3VRF', route_distinguisher: '65000:1', description: 'blue' }],
    ['/network_instance[vrf1]/interface[Ethernet2.1]', { name: 'vrf1', id: 'Ethernet2.1', interface: 'Ethernet2', subinterface: 1 }],
    ['/network_instance[vrf1]/protocols[STATIC]', { name: 'vrf1', identifier: 'STATIC', protocol_name: 'STATIC' }],
    ['/network_instance[vrf1]/protocols[STATIC]/static_route[10.9.0.0/16]', { name: 'vrf1', prefix: '10.9.0.0/16', next_hop: '10.0.0.2', next_hop_index: 0, metric: 10 }],
    ['/network_instance[vrf1]/vlan[125]', { vlan_id: 125, name: 'blue & green' }],
  ];

  test('every resource kind renders to well-formed, namespaced XML that reads back to the same resource', () => {
    for (const r of resources) assert.equal(parseXmlFragment(ocSet(r)).length, 1, r[0]);
    const merged = mergeTrees(resources.map(([k, v]) => ocSetTree(k, parseResourceKey(k), v, OC)));
    assert.deepEqual(
      merged.map((t) => t.name),
      ['interfaces', 'network-instances'],
      'one tree per top container after merging',
    );
    assertRoundTrip(resources, ocResources(asData(merged.map((t) => serialize(t)).join(''))));
  });

  test('namespaces: interfaces, if-ip and vlan augments, network-instance, identities as prefixed QNames', () => {
    const sub = ocSet(resources[1]);
    assert.match(sub, /^<interfaces xmlns="http:\/\/openconfig.net\/yang\/interfaces"><interface><name>Ethernet2<\/name>/);
    assert.match(sub, /<vlan xmlns="http:\/\/openconfig.net\/yang\/vlan"><config><vlan-id>125<\/vlan-id><\/config><\/vlan>/);
    assert.match(sub, /<ipv4 xmlns="http:\/\/openconfig.net\/yang\/interfaces\/ip">.*<address><ip>10.0.0.1<\/ip><config><ip>10.0.0.1<\/ip><prefix-length>30<\/prefix-length><\/config><\/address>/);
    const ni = ocSet(resources[2]);
    assert.match(ni, /^<network-instances xmlns="http:\/\/openconfig.net\/yang\/network-instance">/);
    assert.match(ni, /<type xmlns:openconfig-network-instance-types="http:\/\/openconfig.net\/yang\/network-instance-types">openconfig-network-instance-types:L3VRF<\/type>/);
    assert.match(ni, /<route-distinguisher>65000:1<\/route-distinguisher>/, 'a colon in a plain string is not taken for an identity');
    const route = ocSet(resources[5]);
    assert.match(route, /<protocol><identifier xmlns:openconfig-policy-types="http:\/\/openconfig.net\/yang\/policy-types">openconfig-policy-types:STATIC<\/identifier><name>STATIC<\/name>/, 'list keys first, in key order');
    assert.match(route, /<static><prefix>10.9.0.0\/16<\/prefix>.*<next-hop><index>0<\/index><config><index>0<\/index><next-hop>10.0.0.2<\/next-hop><metric>10<\/metric>/);
  });

  test('values are escaped', () => {
    const xml = ocSet(resources[0]);
    assert.match(xml, /<description>to &lt;r2&gt; &amp; "r3"<\/description>/);
    assert.throws(() => ocSet(['/interface[a]', { description: 'x', mtu: 'nine' }]), CnsdnError);
  });

  test('delete renders operation="remove" on the removed node', () => {
    const [sub] = ocDeleteTrees('/interface[Ethernet2]/subinterface[1]', parseResourceKey('/interface[Ethernet2]/subinterface[1]'), {}, OC);
    const xml = serialize(sub);
    assert.match(xml, new RegExp(`<subinterface xmlns:nc="${NC}" nc:operation="remove"><index>1</index></subinterface>`));
    parseXmlFragment(xml);
    const leaves = ocDeleteTrees('/interface[Ethernet1]', parseResourceKey('/interface[Ethernet1]'), { description: 'x', mtu: 1500 }, OC).map((t) => serialize(t));
    assert.equal(leaves.length, 2);
    assert.match(leaves[0], /<config><description xmlns:nc="[^"]+" nc:operation="remove"\/><\/config>/);
  });

  test('models come from the hello: OpenConfig modules win over ietf-interfaces', () => {
    const m = modelsOf(
      parseCapabilities([
        'urn:ietf:params:netconf:base:1.1',
        'http://openconfig.net/yang/interfaces?module=openconfig-interfaces&revision=2021-04-06',
        'http://openconfig.net/yang/network-instance?module=openconfig-network-instance&revision=2022-04-20',
        'urn:ietf:params:xml:ns:yang:ietf-interfaces?module=ietf-interfaces&revision=2018-02-20',
      ]),
    );
    assert.equal(m.interfaces, 'openconfig');
    assert.equal(m.networkInstances, true);
    assert.equal(m.ietfIp, false);
    const ietf = modelsOf(parseCapabilities(['urn:ietf:params:netconf:base:1.0', 'urn:ietf:params:xml:ns:yang:ietf-interfaces?module=ietf-interfaces&revision=2014-05-08']));
    assert.deepEqual([ietf.interfaces, ietf.networkInstances, ietf.ietfIp], ['ietf', false, false]);
    assert.equal(modelsOf(parseCapabilities(['urn:ietf:params:netconf:base:1.0'])).interfaces, undefined);
  });
});

describe('ietf-interfaces rendering', () => {
  test('interface and subinterfaces render onto ietf-interfaces + ietf-ip and read back', () => {
    const resources: Resource[] = [
      ['/interface[eth9]', { description: 'a <b> & c', enabled: false, mtu: 1400 }],
      ['/interface[eth9]/subinterface[0]', { address_ip: '192.0.2.1', address_prefix: 24 }],
      ['/interface[eth9]/subinterface[4]', { description: 'four', address_ip: '2001:db8::1', address_prefix: 64, enabled: true }],
    ];
    const trees = resources.map(([k, v]) => ietfSetTree(k, parseResourceKey(k), v, IETF));
    const xml = mergeTrees(trees).map((t) => serialize(t)).join('');
    assert.equal(parseXmlFragment(xml).length, 1, 'one <interfaces> after merging');
    assert.match(xml, /<description>a &lt;b&gt; &amp; c<\/description>/);
    assert.match(xml, /<interface><name>eth9<\/name><type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd<\/type>/);
    assert.equal(xml.match(/<type /g)?.length, 2, 'one type for eth9 (merged), one for eth9.4');
    assert.match(xml, /<interface><name>eth9.4<\/name><type [^>]+>ianaift:l2vlan<\/type>/);
    assert.match(xml, /<ipv6 xmlns="urn:ietf:params:xml:ns:yang:ietf-ip"><enabled>true<\/enabled><address><ip>2001:db8::1<\/ip><prefix-length>64<\/prefix-length><\/address><\/ipv6>/);
    assert.match(xml, /<ipv4 xmlns="urn:ietf:params:xml:ns:yang:ietf-ip"><mtu>1400<\/mtu><address><ip>192.0.2.1<\/ip>/);
    const back = ietfResources(asData(xml));
    assertRoundTrip(resources, back);
    assert.deepEqual(back.find(([k]) => k === '/interface[eth9]')?.[1], { name: 'eth9', type: 'ethernetCsmacd', description: 'a <b> & c', enabled: false, mtu: 1400 });
  });

  test('no default type for an interface that exists; an explicit type is always sent', () => {
    const known = new Set(['lo']);
    const plain = serialize(ietfSetTree('/interface[lo]', parseResourceKey('/interface[lo]'), { description: 'x' }, IETF, known));
    assert.doesNotMatch(plain, /<type/);
    const typed = serialize(ietfSetTree('/interface[lo]', parseResourceKey('/interface[lo]'), { type: 'iana-if-type:softwareLoopback' }, IETF, known));
    assert.match(typed, />ianaift:softwareLoopback<\/type>/);
    assert.throws(() => ietfSet(['/interface[x]', { type: 'bad type!' }]), CnsdnError);
  });

  test('what ietf-interfaces cannot take is refused with a coded error, nothing rendered', () => {
    const noIp = fixedModels('ietf', { ietfIp: false });
    const refusals: Array<[Resource, RegExp, typeof IETF?]> = [
      [['/interface[e]/subinterface[0]', { address_ip: '10.0.0.1', address_prefix: 8 }], /needs the ietf-ip module/, noIp],
      [['/interface[e]', { mtu: 1500 }], /needs the ietf-ip module/, noIp],
      [['/interface[e]/subinterface[1]', { vlan_id: 100 }], /vlan_id needs a VLAN model/],
      [['/interface[e]/subinterface[0]', { description: 'd', address_ip: '10.0.0.1', address_prefix: 8 }], /no description of its own/],
      [['/interface[e]/subinterface[0]', { address_ip: '10.0.0.1' }], /go together/],
      [['/interface[e]/subinterface[0]', { address_ip: '10.0.0.300', address_prefix: 8 }], /not an IP address/],
      [['/network_instance[v]', { type: 'L3VRF' }], /unsupported by this device: network instances/],
      [['/interface[e]', { name: 'other' }], /disagrees with the key/],
    ];
    for (const [r, why, models] of refusals) {
      assert.throws(
        () => ietfSet(r, models),
        (e: CnsdnError) => e instanceof CnsdnError && e.code === 'INVALID_ARGUMENT' && why.test(e.message),
        `${r[0]} ${JSON.stringify(r[1])}`,
      );
    }
  });

  test('deletes: the interface, the X.N interface, one address, or the whole ip container', () => {
    const del = (k: string, v: unknown) => serialize(ietfDeleteTree(k, parseResourceKey(k), v, IETF));
    assert.match(del('/interface[e]', {}), /<interface xmlns:nc="[^"]+" nc:operation="remove"><name>e<\/name><\/interface>/);
    assert.match(del('/interface[e]/subinterface[3]', {}), /nc:operation="remove"><name>e.3<\/name>/);
    assert.match(del('/interface[e]/subinterface[0]', { address_ip: '10.0.0.1' }), /<ipv4 xmlns="[^"]+"><address xmlns:nc="[^"]+" nc:operation="remove"><ip>10.0.0.1<\/ip><\/address><\/ipv4>/);
    assert.match(del('/interface[e]/subinterface[0]', {}), /<ipv4 xmlns="[^"]+" xmlns:nc="[^"]+" nc:operation="remove"\/>/);
  });

  test('endpoints from interfaces-state: loopback by name or type, counters give sample types', () => {
    const data = asData(
      `<interfaces-state xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces">` +
        `<interface><name>lo</name><statistics><in-octets>5</in-octets></statistics></interface>` +
        `<interface><name>lb1</name><type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:softwareLoopback</type></interface>` +
        `<interface><name>eth0</name><statistics><in-octets>5</in-octets></statistics></interface></interfaces-state>`,
    );
    assert.deepEqual(ietfEndpoints(data), [
      { name: 'lo', type: 'loopback', sampleTypes: [101, 102, 201, 202] },
      { name: 'lb1', type: 'loopback', sampleTypes: [] },
      { name: 'eth0', type: 'copper', sampleTypes: [101, 102, 201, 202] },
    ]);
  });
});

describe('settings', () => {
  test('TFS keys: booleans as text, timeout in seconds, commit_per_rule, force_running, insecure only when asked', () => {
    const s = parseNetconfSettings({ username: 'u', password: 'p', hostkey_verify: 'False', commit_per_rule: 'true', force_running: true, timeout: 2.5, message_renderer: 'pyangbind' });
    assert.equal(s.hostKey, 'insecure-accept-any');
    assert.deepEqual([s.commitPerRule, s.forceRunning, s.timeoutMs], [true, true, 2500]);
    assert.equal(s.notifications, true, 'notifications default on');
    assert.equal(parseNetconfSettings({ username: 'u', password: 'p', hostkey_verify: false, notifications: 'False' }).notifications, false);
    assert.deepEqual(parseNetconfSettings({ username: 'u', password: 'p', hostkey_fingerprint: 'SHA256:x' }).hostKey, { fingerprint: 'SHA256:x' });
    assert.equal(parseNetconfSettings({ username: 'u', password: 'p', known_hosts_file: '/k', manager_params: { timeout: 3 } }).timeoutMs, 3000);
    for (const bad of [{ password: 'p' }, { username: 'u', password: 'p', hostkey_verify: 'maybe' }, { username: 'u', password: 'p', known_hosts_file: '/k', timeout: -1 }, { username: 'u', password: 'p', known_hosts_file: '/k', hostkey_fingerprint: 'SHA256:x' }, { username: 'u', known_hosts_file: '/k', key_filename: '/no/such/key' }]) {
      assert.throws(() => parseNetconfSettings(bad), (e: CnsdnError) => e.code === 'INVALID_ARGUMENT', JSON.stringify(bad));
    }
  });

  test('keepalive (seconds, 0 = off), keepalive_count_max and max_message_bytes', () => {
    const base = { username: 'u', password: 'p', hostkey_verify: false };
    const s = parseNetconfSettings({ ...base, keepalive: '0.5', keepalive_count_max: 2, max_message_bytes: '1048576' });
    assert.deepEqual([s.keepaliveIntervalMs, s.keepaliveCountMax, s.maxMessageBytes], [500, 2, 1048576]);
    assert.equal(parseNetconfSettings({ ...base, keepalive: 0 }).keepaliveIntervalMs, 0);
    assert.equal(parseNetconfSettings({ ...base, keepalive: '0' }).keepaliveIntervalMs, 0);
    const none = parseNetconfSettings(base);
    assert.deepEqual([none.keepaliveIntervalMs, none.keepaliveCountMax, none.maxMessageBytes], [undefined, undefined, undefined]);
    for (const bad of [{ keepalive: -1 }, { keepalive: 'often' }, { keepalive_count_max: 0 }, { keepalive_count_max: 1.5 }, { max_message_bytes: 10 }]) {
      assert.throws(() => parseNetconfSettings({ ...base, ...bad }), (e: CnsdnError) => e.code === 'INVALID_ARGUMENT', JSON.stringify(bad));
    }
  });
});
