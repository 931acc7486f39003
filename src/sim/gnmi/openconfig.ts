/** The OpenConfig subset the simulator serves, as a schema (names and types follow the public models). */
import {
  bool,
  enumeration,
  hostname,
  identity,
  ipv4,
  ipv4Prefix,
  ipv6,
  type LeafType,
  routeDistinguisher,
  str,
  uint,
  union,
  vlanId,
  vlanRange,
} from './leaf-types.js';
import { buildSchema, configState, container, leaf, leafList, list, type Spec } from './schema.js';

export const MODELS = [
  { name: 'openconfig-interfaces', organization: 'OpenConfig working group', version: '3.7.1' },
  { name: 'openconfig-if-ip', organization: 'OpenConfig working group', version: '3.5.1' },
  { name: 'openconfig-if-ethernet', organization: 'OpenConfig working group', version: '2.14.0' },
  { name: 'openconfig-vlan', organization: 'OpenConfig working group', version: '3.2.2' },
  { name: 'openconfig-network-instance', organization: 'OpenConfig working group', version: '4.4.1' },
  { name: 'openconfig-system', organization: 'OpenConfig working group', version: '2.1.0' },
  { name: 'openconfig-platform', organization: 'OpenConfig working group', version: '0.27.0' },
  { name: 'iana-if-type', organization: 'IANA', version: '2023-01-26' },
];

const OPER_STATUS = enumeration('UP', 'DOWN', 'TESTING', 'UNKNOWN', 'DORMANT', 'NOT_PRESENT', 'LOWER_LAYER_DOWN');
const ADMIN_STATUS = enumeration('UP', 'DOWN', 'TESTING');
const IF_TYPE = identity(
  'iana-if-type',
  'ethernetCsmacd',
  'softwareLoopback',
  'l2vlan',
  'l3ipvlan',
  'ieee8023adLag',
  'propVirtual',
  'tunnel',
  'other',
);

export const COUNTER_NAMES = [
  'in-octets',
  'in-pkts',
  'in-unicast-pkts',
  'in-discards',
  'in-errors',
  'out-octets',
  'out-pkts',
  'out-unicast-pkts',
  'out-discards',
  'out-errors',
] as const;

const counters = container(Object.fromEntries(COUNTER_NAMES.map((n) => [n, leaf(uint(64))])), { counters: true });

const ipv4Addresses = container(
  {
    addresses: container({
      address: list(['ip'], {
        ip: leaf(ipv4()),
        ...configState(
          { ip: leaf(ipv4()), 'prefix-length': leaf(uint(8, 0, 32)) },
          { origin: leaf(enumeration('OTHER', 'STATIC', 'DHCP', 'LINK_LAYER', 'RANDOM')) },
        ),
      }),
    }),
    ...configState({ enabled: leaf(bool()), mtu: leaf(uint(16, 68)) }),
  },
  { module: 'openconfig-if-ip' },
);

const ipv6Addresses = container(
  {
    addresses: container({
      address: list(['ip'], {
        ip: leaf(ipv6()),
        ...configState(
          { ip: leaf(ipv6()), 'prefix-length': leaf(uint(8, 0, 128)) },
          { origin: leaf(enumeration('OTHER', 'STATIC', 'DHCP', 'LINK_LAYER', 'RANDOM')) },
        ),
      }),
    }),
    ...configState({ enabled: leaf(bool()), mtu: leaf(uint(32, 1280)) }),
  },
  { module: 'openconfig-if-ip' },
);

const subinterface = list(['index'], {
  index: leaf(uint(32)),
  ...configState(
    { index: leaf(uint(32)), description: leaf(str()), enabled: leaf(bool()) },
    { name: leaf(str()), 'oper-status': leaf(OPER_STATUS), 'admin-status': leaf(ADMIN_STATUS) },
  ),
  ipv4: ipv4Addresses,
  ipv6: ipv6Addresses,
  vlan: container(
    {
      ...configState({ 'vlan-id': leaf(vlanId()) }),
      match: container({
        'single-tagged': container(configState({ 'vlan-id': leaf(vlanId()) })),
        'double-tagged': container(configState({ 'inner-vlan-id': leaf(vlanId()), 'outer-vlan-id': leaf(vlanId()) })),
      }),
    },
    { module: 'openconfig-vlan' },
  ),
});

const MAC: LeafType = { t: 'string', pattern: /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, what: 'a MAC address' };
const PORT_SPEED = identity(
  'openconfig-if-ethernet',
  'SPEED_1GB',
  'SPEED_10GB',
  'SPEED_25GB',
  'SPEED_40GB',
  'SPEED_100GB',
  'SPEED_400GB',
  'SPEED_UNKNOWN',
);

const ethernet = container(
  {
    ...configState(
      {
        'auto-negotiate': leaf(bool()),
        'duplex-mode': leaf(enumeration('FULL', 'HALF')),
        'port-speed': leaf(PORT_SPEED),
        'mac-address': leaf(MAC),
      },
      { 'hw-mac-address': leaf(MAC), 'negotiated-port-speed': leaf(PORT_SPEED) },
    ),
    'switched-vlan': container(
      configState({
        'interface-mode': leaf(enumeration('ACCESS', 'TRUNK')),
        'native-vlan': leaf(vlanId()),
        'access-vlan': leaf(vlanId()),
        'trunk-vlans': leafList(union(vlanId(), vlanRange())),
      }),
      { module: 'openconfig-vlan' },
    ),
  },
  { module: 'openconfig-if-ethernet' },
);

const interfaces = container(
  {
    interface: list(['name'], {
      name: leaf(str()),
      ...configState(
        {
          name: leaf(str()),
          type: leaf(IF_TYPE),
          mtu: leaf(uint(16)),
          description: leaf(str()),
          enabled: leaf(bool()),
        },
        {
          'oper-status': leaf(OPER_STATUS),
          'admin-status': leaf(ADMIN_STATUS),
          ifindex: leaf(uint(32)),
          'hardware-port': leaf(str()),
          management: leaf(bool()),
          counters,
        },
      ),
      subinterfaces: container({ subinterface }),
      ethernet,
    }),
  },
  { module: 'openconfig-interfaces' },
);

const NI_TYPE = identity('openconfig-network-instance-types', 'DEFAULT_INSTANCE', 'L3VRF', 'L2VSI', 'L2P2P', 'L2L3');
const PROTOCOL_ID = identity(
  'openconfig-policy-types',
  'STATIC',
  'DIRECTLY_CONNECTED',
  'BGP',
  'OSPF',
  'ISIS',
  'LOCAL_AGGREGATE',
  'PIM',
  'IGMP',
);
const LOCAL_NEXT_HOP = identity('openconfig-local-routing', 'DROP', 'LOCAL_LINK');

const staticRoutes = container({
  static: list(['prefix'], {
    prefix: leaf(ipv4Prefix()),
    ...configState({ prefix: leaf(ipv4Prefix()), description: leaf(str()) }),
    'next-hops': container({
      'next-hop': list(['index'], {
        index: leaf(str()),
        ...configState({
          index: leaf(str()),
          'next-hop': leaf(union(ipv4(), LOCAL_NEXT_HOP)),
          metric: leaf(uint(32)),
        }),
      }),
    }),
  }),
});

const networkInstances = container(
  {
    'network-instance': list(['name'], {
      name: leaf(str()),
      ...configState({
        name: leaf(str()),
        type: leaf(NI_TYPE),
        enabled: leaf(bool()),
        description: leaf(str()),
        'route-distinguisher': leaf(routeDistinguisher()),
      }),
      interfaces: container({
        interface: list(['id'], {
          id: leaf(str()),
          ...configState({ id: leaf(str()), interface: leaf(str()), subinterface: leaf(uint(32)) }),
        }),
      }),
      protocols: container({
        protocol: list(['identifier', 'name'], {
          identifier: leaf(PROTOCOL_ID),
          name: leaf(str()),
          ...configState({ identifier: leaf(PROTOCOL_ID), name: leaf(str()), enabled: leaf(bool()) }),
          'static-routes': staticRoutes,
        }),
      }),
      vlans: container({
        vlan: list(['vlan-id'], {
          'vlan-id': leaf(vlanId()),
          ...configState({
            'vlan-id': leaf(vlanId()),
            name: leaf(str()),
            status: leaf(enumeration('ACTIVE', 'SUSPENDED')),
          }),
        }),
      }),
    }),
  },
  { module: 'openconfig-network-instance' },
);

const system = container(
  configState(
    {
      hostname: leaf(hostname()),
      'domain-name': leaf(str()),
      'login-banner': leaf(str()),
      'motd-banner': leaf(str()),
    },
    { 'boot-time': leaf(uint(64)), 'software-version': leaf(str()) },
  ),
  { module: 'openconfig-system' },
);

const components = container(
  {
    component: list(['name'], {
      name: leaf(str()),
      ...configState(
        { name: leaf(str()) },
        {
          type: leaf(identity('openconfig-platform-types', 'CHASSIS', 'PORT', 'LINECARD', 'TRANSCEIVER', 'CPU')),
          description: leaf(str()),
          'oper-status': leaf(identity('openconfig-platform-types', 'ACTIVE', 'INACTIVE', 'DISABLED')),
          'mfg-name': leaf(str()),
          'serial-no': leaf(str()),
          'part-no': leaf(str()),
          parent: leaf(str()),
        },
      ),
    }),
  },
  { module: 'openconfig-platform' },
);

const root: Record<string, Spec> = {
  interfaces,
  'network-instances': networkInstances,
  system,
  components,
};

export const OPENCONFIG = buildSchema(root);
