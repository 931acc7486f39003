import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CnsdnError } from '../../common/errors.js';
import { type GnmiNotification, pathToString } from '../../protocols/gnmi/index.js';
import { composeDelete, composeUpdate } from './compose.js';
import { endpointsFromInterfaces } from './endpoints.js';
import { parseResourceKey } from './keys.js';
import { renderInterfaces, renderNetworkInstances } from './render.js';
import { parseGnmiSettings } from './settings.js';
import { parseStateKey, samplesOf, streamSpecs } from './telemetry.js';

const update = (key: string, value: unknown) => {
  const u = composeUpdate(key, parseResourceKey(key), value);
  return { path: pathToString(u.path), value: u.value };
};
const deletes = (key: string, value: unknown = {}) => composeDelete(key, parseResourceKey(key), value).map(pathToString);
const invalidArgument = (re: RegExp) => (e: unknown) => e instanceof CnsdnError && e.code === 'INVALID_ARGUMENT' && re.test(e.message);

describe('resource keys', () => {
  test('every TFS key form parses; a "/" inside brackets stays in the name', () => {
    assert.deepEqual(parseResourceKey('/interface[ethernet-1/1]'), { kind: 'interface', ifName: 'ethernet-1/1' });
    assert.deepEqual(parseResourceKey('/interface[ethernet-1/1]/subinterface[7]'), { kind: 'subinterface', ifName: 'ethernet-1/1', index: 7 });
    assert.deepEqual(parseResourceKey('/network_instance[vrf-a]'), { kind: 'network_instance', ni: 'vrf-a' });
    assert.deepEqual(parseResourceKey('/network_instance[vrf-a]/interface[Ethernet1.0]'), { kind: 'ni_interface', ni: 'vrf-a', id: 'Ethernet1.0' });
    assert.deepEqual(parseResourceKey('/network_instance[vrf-a]/protocols[BGP]'), { kind: 'ni_protocol', ni: 'vrf-a', protocol: 'BGP' });
    assert.deepEqual(parseResourceKey('/network_instance[vrf-a]/protocols[STATIC]/static_route[10.0.0.0/8]'), {
      kind: 'static_route',
      ni: 'vrf-a',
      protocol: 'STATIC',
      prefix: '10.0.0.0/8',
    });
    assert.deepEqual(parseResourceKey('/network_instance[vrf-a]/vlan[125]'), { kind: 'ni_vlan', ni: 'vrf-a', vlanId: 125 });
  });

  test('unknown shapes, bad indexes and VLAN ids are INVALID_ARGUMENT', () => {
    assert.throws(() => parseResourceKey(''), invalidArgument(/non-empty/));
    assert.throws(() => parseResourceKey('/interface[Ethernet1]/settings'), invalidArgument(/not a resource this driver configures/));
    assert.throws(() => parseResourceKey('/acl[x]'), invalidArgument(/supported:/));
    assert.throws(() => parseResourceKey('/interface[Ethernet1]/subinterface[-1]'), invalidArgument(/whole number/));
    assert.throws(() => parseResourceKey('/network_instance[a]/vlan[4095]'), invalidArgument(/VLAN id/));
    assert.throws(() => parseResourceKey('/interface[Ethernet1'), invalidArgument(/unmatched/));
  });
});

describe('compose: TFS resources → OpenConfig Set updates', () => {
  test('a subinterface writes interface config, subinterface config, VLAN and IPv4 address', () => {
    const u = update('/interface[Ethernet1]/subinterface[0]', {
      name: 'Ethernet1',
      index: 0,
      enabled: true,
      description: 'to r2',
      vlan_id: 125,
      address_ip: '10.0.0.1',
      address_prefix: '24',
      mtu: 9000,
    });
    assert.equal(u.path, '/interfaces/interface[name=Ethernet1]');
    assert.deepEqual(u.value, {
      name: 'Ethernet1',
      config: { name: 'Ethernet1', enabled: true, mtu: 9000 },
      subinterfaces: {
        subinterface: [
          {
            index: 0,
            config: { index: 0, enabled: true, description: 'to r2' },
            'openconfig-vlan:vlan': { config: { 'vlan-id': 125 } },
            'openconfig-if-ip:ipv4': { config: { enabled: true }, addresses: { address: [{ ip: '10.0.0.1', config: { ip: '10.0.0.1', 'prefix-length': 24 } }] } },
          },
        ],
      },
    });
  });

  test('values may come as JSON text, as TFS stores them', () => {
    const u = update('/interface[Ethernet1]/subinterface[3]', JSON.stringify({ name: 'Ethernet1', index: 3 }));
    assert.deepEqual(u.value.subinterfaces, { subinterface: [{ index: 3, config: { index: 3, enabled: true } }] });
  });

  test('network instance types use TFS short names (DEFAULT → DEFAULT_INSTANCE)', () => {
    assert.deepEqual(update('/network_instance[default]', { name: 'default', type: 'DEFAULT' }).value, {
      name: 'default',
      config: { name: 'default', type: 'openconfig-network-instance-types:DEFAULT_INSTANCE' },
    });
    const vrf = update('/network_instance[vrf1]', { name: 'vrf1', type: 'L3VRF', route_distinguisher: '65000:1' });
    assert.equal(vrf.path, '/network-instances/network-instance[name=vrf1]');
    assert.deepEqual(vrf.value.config, { name: 'vrf1', type: 'openconfig-network-instance-types:L3VRF', 'route-distinguisher': '65000:1' });
  });

  test('network instance interface, protocol, static route and VLAN paths', () => {
    const nii = update('/network_instance[vrf1]/interface[Ethernet1.0]', { name: 'vrf1', id: 'Ethernet1.0', interface: 'Ethernet1', subinterface: 0 });
    assert.equal(nii.path, '/network-instances/network-instance[name=vrf1]/interfaces/interface[id=Ethernet1.0]');
    assert.deepEqual(nii.value, { id: 'Ethernet1.0', config: { id: 'Ethernet1.0', interface: 'Ethernet1', subinterface: 0 } });
    assert.deepEqual(update('/network_instance[vrf1]/interface[Ethernet7.12]', {}).value.config, { id: 'Ethernet7.12', interface: 'Ethernet7', subinterface: 12 }, 'interface and index come from the id');

    const p = update('/network_instance[vrf1]/protocols[BGP]', { name: 'vrf1', identifier: 'BGP', protocol_name: 'BGP' });
    assert.equal(p.path, '/network-instances/network-instance[name=vrf1]/protocols/protocol[identifier=openconfig-policy-types:BGP][name=BGP]');
    assert.deepEqual(p.value.config, { identifier: 'openconfig-policy-types:BGP', name: 'BGP', enabled: true });

    const r = update('/network_instance[vrf1]/protocols[STATIC]/static_route[10.1.0.0/24]', {
      name: 'vrf1',
      prefix: '10.1.0.0/24',
      next_hop: '10.0.0.2',
      next_hop_index: 0,
      metric: 1,
    });
    assert.equal(r.path, '/network-instances/network-instance[name=vrf1]/protocols/protocol[identifier=openconfig-policy-types:STATIC][name=STATIC]');
    assert.deepEqual(r.value['static-routes'], {
      static: [{ prefix: '10.1.0.0/24', config: { prefix: '10.1.0.0/24' }, 'next-hops': { 'next-hop': [{ index: '0', config: { index: '0', 'next-hop': '10.0.0.2', metric: 1 } }] } }],
    });

    const v = update('/network_instance[vrf1]/vlan[125]', { vlan_id: 125, name: 'blue' });
    assert.equal(v.path, '/network-instances/network-instance[name=vrf1]/vlans/vlan[vlan-id=125]');
    assert.deepEqual(v.value, { 'vlan-id': 125, config: { 'vlan-id': 125, name: 'blue' } });
  });

  test('values that contradict the key, or are malformed, are refused before anything is sent', () => {
    assert.throws(() => update('/interface[Ethernet1]/subinterface[0]', { name: 'Ethernet2' }), invalidArgument(/disagrees with the key/));
    assert.throws(() => update('/interface[Ethernet1]/subinterface[0]', { index: 1 }), invalidArgument(/disagrees/));
    assert.throws(() => update('/interface[Ethernet1]/subinterface[0]', { vlan_id: 5000 }), invalidArgument(/vlan_id must be a whole number in 1..4094/));
    assert.throws(() => update('/interface[Ethernet1]/subinterface[0]', { address_ip: '10.0.0.1' }), invalidArgument(/go together/));
    assert.throws(() => update('/interface[Ethernet1]/subinterface[0]', { enabled: 'maybe' }), invalidArgument(/true or false/));
    assert.throws(() => update('/interface[Ethernet1]/subinterface[0]', '{not json'), invalidArgument(/not JSON/));
    assert.throws(() => update('/interface[Ethernet1]/subinterface[0]', [1]), invalidArgument(/must be an object/));
    assert.throws(() => update('/network_instance[a]/protocols[STATIC]/static_route[10.0.0.0/8]', { prefix: '10.0.0.0/8' }), invalidArgument(/next_hop is required/));
  });

  test('deletes remove the entries the keys name; an interface keeps existing', () => {
    assert.deepEqual(deletes('/interface[Ethernet1]/subinterface[0]'), ['/interfaces/interface[name=Ethernet1]/subinterfaces/subinterface[index=0]']);
    assert.deepEqual(deletes('/interface[Ethernet1]', { description: 'x', mtu: 9000 }), [
      '/interfaces/interface[name=Ethernet1]/config/description',
      '/interfaces/interface[name=Ethernet1]/config/mtu',
    ]);
    assert.deepEqual(deletes('/network_instance[vrf1]'), ['/network-instances/network-instance[name=vrf1]']);
    assert.deepEqual(deletes('/network_instance[vrf1]/interface[Ethernet1.0]'), ['/network-instances/network-instance[name=vrf1]/interfaces/interface[id=Ethernet1.0]']);
    assert.deepEqual(deletes('/network_instance[vrf1]/protocols[STATIC]/static_route[10.1.0.0/24]'), [
      '/network-instances/network-instance[name=vrf1]/protocols/protocol[identifier=openconfig-policy-types:STATIC][name=STATIC]/static-routes/static[prefix=10.1.0.0/24]',
    ]);
    assert.deepEqual(deletes('/network_instance[vrf1]/vlan[125]'), ['/network-instances/network-instance[name=vrf1]/vlans/vlan[vlan-id=125]']);
  });
});

describe('render: OpenConfig trees → TFS resources', () => {
  test('interfaces and subinterfaces, module prefixes and identities stripped; the older and newer VLAN shapes', () => {
    const tree = {
      interfaces: {
        interface: [
          {
            name: 'Ethernet1',
            config: { name: 'Ethernet1', type: 'iana-if-type:ethernetCsmacd', mtu: 1500, enabled: true, description: 'uplink' },
            subinterfaces: {
              subinterface: [
                {
                  index: 0,
                  config: { index: 0, enabled: true },
                  vlan: { config: { 'vlan-id': 125 } },
                  ipv4: { addresses: { address: [{ ip: '10.0.0.1', config: { ip: '10.0.0.1', 'prefix-length': 24 } }] } },
                },
                { index: 1, config: { index: 1 }, vlan: { match: { 'single-tagged': { config: { 'vlan-id': 7 } } } } },
              ],
            },
          },
        ],
      },
    };
    assert.deepEqual(renderInterfaces(tree), [
      ['/interface[Ethernet1]', { name: 'Ethernet1', type: 'ethernetCsmacd', description: 'uplink', mtu: 1500, enabled: true }],
      ['/interface[Ethernet1]/subinterface[0]', { name: 'Ethernet1', index: 0, enabled: true, vlan_id: 125, address_ip: '10.0.0.1', address_prefix: 24, mtu: 1500 }],
      ['/interface[Ethernet1]/subinterface[1]', { name: 'Ethernet1', index: 1, vlan_id: 7, mtu: 1500 }],
    ]);
  });

  test('network instances with interfaces, protocols, static routes and VLANs', () => {
    const tree = {
      'network-instances': {
        'network-instance': [
          { name: 'default', config: { name: 'default', type: 'openconfig-network-instance-types:DEFAULT_INSTANCE' } },
          {
            name: 'vrf1',
            config: { name: 'vrf1', type: 'L3VRF', 'route-distinguisher': '65000:1' },
            interfaces: { interface: [{ id: 'Ethernet1.0', config: { id: 'Ethernet1.0', interface: 'Ethernet1', subinterface: 0 } }] },
            protocols: {
              protocol: [
                {
                  identifier: 'openconfig-policy-types:STATIC',
                  name: 'static',
                  'static-routes': {
                    static: [
                      {
                        prefix: '10.1.0.0/24',
                        'next-hops': {
                          'next-hop': [
                            { index: '0', config: { 'next-hop': '10.0.0.2', metric: 1 } },
                            { index: 'backup', config: { 'next-hop': '10.0.0.3' } },
                          ],
                        },
                      },
                    ],
                  },
                },
              ],
            },
            vlans: { vlan: [{ 'vlan-id': 125, state: { name: 'blue' } }] },
          },
        ],
      },
    };
    assert.deepEqual(renderNetworkInstances(tree), [
      ['/network_instance[default]', { name: 'default', type: 'DEFAULT' }],
      ['/network_instance[vrf1]', { name: 'vrf1', type: 'L3VRF', route_distinguisher: '65000:1' }],
      ['/network_instance[vrf1]/interface[Ethernet1.0]', { name: 'vrf1', id: 'Ethernet1.0', interface: 'Ethernet1', subinterface: 0 }],
      ['/network_instance[vrf1]/protocols[static]', { name: 'vrf1', identifier: 'STATIC', protocol_name: 'static' }],
      [
        '/network_instance[vrf1]/protocols[static]/static_route[10.1.0.0/24]',
        {
          name: 'vrf1',
          prefix: '10.1.0.0/24',
          next_hop_index: 0,
          next_hop: '10.0.0.2',
          metric: 1,
          protocol_name: 'static',
          next_hops: [
            { next_hop_index: 0, next_hop: '10.0.0.2', metric: 1 },
            { next_hop_index: 'backup', next_hop: '10.0.0.3' },
          ],
        },
      ],
      ['/network_instance[vrf1]/vlan[125]', { vlan_id: 125, name: 'blue' }],
    ]);
  });

  test('compose then render gives the resource back (mapping round trip without a device)', () => {
    const resource = { name: 'Ethernet2', index: 5, enabled: false, description: 'd', vlan_id: 9, address_ip: '192.0.2.1', address_prefix: 30, mtu: 1400 };
    const u = composeUpdate('/interface[Ethernet2]/subinterface[5]', parseResourceKey('/interface[Ethernet2]/subinterface[5]'), resource);
    const rendered = renderInterfaces({ interfaces: { interface: [stripModules(u.value)] } });
    assert.deepEqual(rendered.find(([k]) => k === '/interface[Ethernet2]/subinterface[5]')?.[1], resource);
  });
});

function stripModules(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripModules);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.slice(k.indexOf(':') + 1), stripModules(x)]));
}

describe('endpoints', () => {
  test('one per interface: copper by default, mgmt and loopback by name or type; subinterfaces skipped', () => {
    const tree = {
      interfaces: {
        interface: [
          { name: 'Ethernet1', state: { type: 'iana-if-type:ethernetCsmacd' } },
          { name: 'ethernet-1/1', state: { type: 'ethernetCsmacd' } },
          { name: 'Management1', state: { type: 'ethernetCsmacd' } },
          { name: 'eth9', state: { type: 'ethernetCsmacd', management: true } },
          { name: 'Loopback0', state: { type: 'softwareLoopback' } },
          { name: 'Ethernet1.100', state: { type: 'ethernetCsmacd' } },
          { name: 'Vlan10', state: { type: 'iana-if-type:l3ipvlan' } },
        ],
      },
    };
    assert.deepEqual(
      endpointsFromInterfaces(tree).map((e) => [e.name, e.type]),
      [
        ['Ethernet1', 'copper'],
        ['ethernet-1/1', 'copper'],
        ['Management1', 'mgmt'],
        ['eth9', 'mgmt'],
        ['Loopback0', 'loopback'],
      ],
    );
    assert.deepEqual(endpointsFromInterfaces(tree)[0].sampleTypes, [101, 102, 103, 201, 202]);
    assert.deepEqual(endpointsFromInterfaces({}), []);
  });
});

describe('telemetry mapping', () => {
  test('state keys: interface, counters container or one counter', () => {
    assert.deepEqual(parseStateKey('/interface[ethernet-1/1]', 0, 1), { key: '/interface[ethernet-1/1]', endpoint: 'ethernet-1/1', intervalS: 1, durationS: 0 });
    assert.equal(parseStateKey('/interface[Ethernet1]/state/counters', 0, 1).leaf, undefined);
    assert.equal(parseStateKey('/interface[Ethernet1]/state/counters/in-pkts', 0, 1).leaf, 'in-pkts');
    assert.throws(() => parseStateKey('', 0, 1), invalidArgument(/is not/));
    assert.throws(() => parseStateKey('/interface[Ethernet1]/config', 0, 1), invalidArgument(/is not/));
    assert.throws(() => parseStateKey('/interface[Ethernet1]', 0, -1), invalidArgument(/interval/));
  });

  test('one SAMPLE path per interface at the shortest interval asked; a counter under a subscribed container merges', () => {
    const specs = streamSpecs([
      parseStateKey('/interface[Ethernet1]', 0, 5),
      parseStateKey('/interface[Ethernet1]/state/counters', 0, 1),
      parseStateKey('/interface[Ethernet1]/state/counters/in-pkts', 0, 0.5),
      parseStateKey('/interface[Ethernet2]/state/counters/out-octets', 0, 2),
    ]);
    assert.deepEqual(
      specs.map((s) => [pathToString(s.path as never), s.mode, s.sampleIntervalNs]),
      [
        ['/interfaces/interface[name=Ethernet1]/state/counters', 'SAMPLE', 500_000_000n],
        ['/interfaces/interface[name=Ethernet2]/state/counters/out-octets', 'SAMPLE', 2_000_000_000n],
      ],
    );
  });

  test('samples from scalar leaves and from JSON containers, with endpoint and TFS sample type', () => {
    const ifElems = [{ name: 'interfaces' }, { name: 'interface', key: { name: 'Ethernet1' } }];
    const n: GnmiNotification = {
      timestamp: 1_700_000_000_123_000_000n,
      prefix: { elem: ifElems },
      update: [
        { path: { elem: [{ name: 'state' }, { name: 'counters' }, { name: 'in-pkts' }] }, value: { kind: 'uint', value: 42n } },
        {
          path: { elem: [{ name: 'state' }, { name: 'counters' }] },
          value: { kind: 'json_ietf', value: { 'openconfig-interfaces:out-octets': '1000', 'in-discards': '3', 'in-errors': '1' } },
        },
        { path: { elem: [{ name: 'state' }, { name: 'oper-status' }] }, value: { kind: 'string', value: 'UP' } },
      ],
      delete: [],
    };
    assert.deepEqual(samplesOf(n), [
      { ts: 1_700_000_000_123, key: '/interface[Ethernet1]/state/counters/in-pkts', value: 42, endpoint: 'Ethernet1', sampleType: 102 },
      { ts: 1_700_000_000_123, key: '/interface[Ethernet1]/state/counters/out-octets', value: 1000, endpoint: 'Ethernet1', sampleType: 201 },
      { ts: 1_700_000_000_123, key: '/interface[Ethernet1]/state/counters/in-discards', value: 3, endpoint: 'Ethernet1', sampleType: 103 },
      { ts: 1_700_000_000_123, key: '/interface[Ethernet1]/state/counters/in-errors', value: 1, endpoint: 'Ethernet1' },
    ]);
  });
});

describe('settings', () => {
  test('TLS unless use_tls is false; booleans as text; CA, client certificate, skip_verify, server name, timeout, encoding', () => {
    assert.deepEqual(parseGnmiSettings({}), { tls: {}, encoding: 'JSON_IETF' });
    assert.deepEqual(parseGnmiSettings({ username: 'admin', password: 'NokiaSrl1!', use_tls: true }), {
      tls: {},
      encoding: 'JSON_IETF',
      username: 'admin',
      password: 'NokiaSrl1!',
    });
    assert.equal(parseGnmiSettings({ use_tls: false }).tls, 'insecure');
    assert.equal(parseGnmiSettings({ use_tls: 'False' }).tls, 'insecure');
    assert.deepEqual(parseGnmiSettings({ use_tls: 'true', ca_file: '/x/ca.crt', cert_file: '/x/c.crt', key_file: '/x/c.key', skip_verify: 'false', server_name: 'r1' }).tls, {
      ca: '/x/ca.crt',
      cert: '/x/c.crt',
      key: '/x/c.key',
      serverName: 'r1',
    });
    assert.deepEqual(parseGnmiSettings({ skip_verify: true }).tls, { skipVerify: true });
    assert.equal(parseGnmiSettings({ timeout: 2.5 }).timeoutMs, 2500);
    assert.equal(parseGnmiSettings({ encoding: 'json' }).encoding, 'JSON');
  });

  test('bad settings are INVALID_ARGUMENT naming the field', () => {
    assert.throws(() => parseGnmiSettings({ use_tls: 'yes' }), invalidArgument(/use_tls must be true or false/));
    assert.throws(() => parseGnmiSettings({ cert_file: '/x/c.crt' }), invalidArgument(/key_file is needed too/));
    assert.throws(() => parseGnmiSettings({ ca_pem: 'not pem' }), invalidArgument(/ca_pem is not PEM/));
    assert.throws(() => parseGnmiSettings({ ca_pem: '-----BEGIN CERTIFICATE-----', ca_file: '/x' }), invalidArgument(/exclusive/));
    assert.throws(() => parseGnmiSettings({ timeout: 0 }), invalidArgument(/timeout must be a positive number/));
    assert.throws(() => parseGnmiSettings({ encoding: 'BYTES' }), invalidArgument(/encoding must be one of/));
    assert.throws(() => parseGnmiSettings({ username: { a: 1 } }), invalidArgument(/username must be a string/));
  });
});
