/** What the simulator knows of the OpenConfig models it serves: namespaces, prefixes, list keys. */

export const NS = {
  ocIf: 'http://openconfig.net/yang/interfaces',
  ocIp: 'http://openconfig.net/yang/interfaces/ip',
  ocNi: 'http://openconfig.net/yang/network-instance',
  ocNiTypes: 'http://openconfig.net/yang/network-instance-types',
  ocPolTypes: 'http://openconfig.net/yang/policy-types',
  ocVlan: 'http://openconfig.net/yang/vlan',
  ianaIf: 'urn:ietf:params:xml:ns:yang:iana-if-type',
  ncNotif: 'urn:ietf:params:xml:ns:yang:ietf-netconf-notifications',
} as const;

/** The prefix each namespace gets in replies, error paths and identity values. */
export const PREFIXES: Record<string, string> = {
  [NS.ocIf]: 'oc-if',
  [NS.ocIp]: 'oc-ip',
  [NS.ocNi]: 'oc-netinst',
  [NS.ocNiTypes]: 'oc-ni-types',
  [NS.ocPolTypes]: 'oc-pol-types',
  [NS.ocVlan]: 'oc-vlan',
  [NS.ianaIf]: 'ianaift',
  [NS.ncNotif]: 'ncn',
};

interface ModuleInfo {
  ns: string;
  module: string;
  revision: string;
}

export const MODULES: ModuleInfo[] = [
  { ns: NS.ocIf, module: 'openconfig-interfaces', revision: '2021-04-06' },
  { ns: NS.ocIp, module: 'openconfig-if-ip', revision: '2019-01-08' },
  { ns: NS.ocNi, module: 'openconfig-network-instance', revision: '2021-11-17' },
  { ns: NS.ocNiTypes, module: 'openconfig-network-instance-types', revision: '2021-07-14' },
  { ns: NS.ocPolTypes, module: 'openconfig-policy-types', revision: '2020-01-30' },
  { ns: NS.ocVlan, module: 'openconfig-vlan', revision: '2021-07-28' },
  { ns: NS.ianaIf, module: 'iana-if-type', revision: '2017-01-19' },
  { ns: NS.ncNotif, module: 'ietf-netconf-notifications', revision: '2012-02-06' },
];

/** Namespaces whose elements may appear at the top of a configuration. */
export const TOP_LEVEL: Record<string, string[]> = {
  [NS.ocIf]: ['interfaces'],
  [NS.ocNi]: ['network-instances'],
};

/** List entries: `${ns} ${parent} ${name}` → key leaf names. */
const LISTS = new Map<string, string[]>([
  [`${NS.ocIf} interfaces interface`, ['name']],
  [`${NS.ocIf} subinterfaces subinterface`, ['index']],
  [`${NS.ocIp} addresses address`, ['ip']],
  [`${NS.ocIp} neighbors neighbor`, ['ip']],
  [`${NS.ocNi} network-instances network-instance`, ['name']],
  [`${NS.ocNi} interfaces interface`, ['id']],
  [`${NS.ocNi} protocols protocol`, ['identifier', 'name']],
  [`${NS.ocNi} static-routes static`, ['prefix']],
  [`${NS.ocNi} next-hops next-hop`, ['index']],
  [`${NS.ocNi} vlans vlan`, ['vlan-id']],
  [`${NS.ocNi} tables table`, ['protocol', 'address-family']],
]);

const LEAF_LISTS = new Set<string>([`${NS.ocVlan} trunk-vlans`]);

export function listKeys(ns: string, parent: string, name: string): string[] | undefined {
  return LISTS.get(`${ns} ${parent} ${name}`);
}

export function isLeafList(ns: string, name: string): boolean {
  return LEAF_LISTS.has(`${ns} ${name}`);
}

export function prefixFor(ns: string): string {
  return PREFIXES[ns] ?? 'ns';
}
