/** Which YANG models a device offers, read from its hello, and the namespaces they use. */
import type { Capabilities } from '../../protocols/netconf/index.js';

export const NS = {
  ocInterfaces: 'http://openconfig.net/yang/interfaces',
  ocIfIp: 'http://openconfig.net/yang/interfaces/ip',
  ocVlan: 'http://openconfig.net/yang/vlan',
  ocNetworkInstance: 'http://openconfig.net/yang/network-instance',
  ocNiTypes: 'http://openconfig.net/yang/network-instance-types',
  ocPolicyTypes: 'http://openconfig.net/yang/policy-types',
  ietfInterfaces: 'urn:ietf:params:xml:ns:yang:ietf-interfaces',
  ietfIp: 'urn:ietf:params:xml:ns:yang:ietf-ip',
  ianaIfType: 'urn:ietf:params:xml:ns:yang:iana-if-type',
} as const;

/** Namespaces of the modules whose names appear in RFC 7951 member names and identity values. */
const KNOWN_MODULES: Readonly<Record<string, string>> = {
  'openconfig-interfaces': NS.ocInterfaces,
  'openconfig-if-ip': NS.ocIfIp,
  'openconfig-vlan': NS.ocVlan,
  'openconfig-network-instance': NS.ocNetworkInstance,
  'openconfig-network-instance-types': NS.ocNiTypes,
  'openconfig-policy-types': NS.ocPolicyTypes,
  'iana-if-type': NS.ianaIfType,
};

export interface DeviceModels {
  /** The model interface resources are written in; undefined when the device offers neither. */
  interfaces?: 'openconfig' | 'ietf';
  /** ietf-ip is offered (IPv4/IPv6 addresses and MTU on ietf-interfaces). */
  ietfIp: boolean;
  networkInstances: boolean;
  /** Module name → namespace, the device's own announcements first. */
  namespaceOf(module: string): string | undefined;
}

export function modelsOf(caps: Capabilities): DeviceModels {
  const offered = new Map(caps.modules.map((m) => [m.module, m.namespace]));
  const interfaces = offered.has('openconfig-interfaces') ? 'openconfig' : offered.has('ietf-interfaces') ? 'ietf' : undefined;
  const models: DeviceModels = {
    ietfIp: offered.has('ietf-ip'),
    networkInstances: offered.has('openconfig-network-instance'),
    namespaceOf: (module) => offered.get(module) ?? KNOWN_MODULES[module],
  };
  if (interfaces) models.interfaces = interfaces;
  return models;
}

/** Models as they are when the driver is given them directly (tests, a device whose hello lists no modules). */
export function fixedModels(interfaces: 'openconfig' | 'ietf', extra: { ietfIp?: boolean; networkInstances?: boolean } = {}): DeviceModels {
  return {
    interfaces,
    ietfIp: extra.ietfIp ?? interfaces === 'ietf',
    networkInstances: extra.networkInstances ?? interfaces === 'openconfig',
    namespaceOf: (module) => KNOWN_MODULES[module],
  };
}

/**
 * Whether `<validate>` of the candidate may run between the edits and the commit. Not on
 * yuma123 netconfd (recognised by its yuma-ncx module): it drops every candidate edit made
 * before such a validate from the next commit (edit, validate, commit commits nothing),
 * pinned by netconfd.itest.ts in protocols/netconf. Its commit validates the whole candidate.
 */
export function validateBeforeCommit(caps: Capabilities): boolean {
  return caps.candidate && caps.validate && !caps.modules.some((m) => m.module === 'yuma-ncx');
}
