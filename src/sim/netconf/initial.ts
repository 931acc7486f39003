/** The configuration a simulated device starts with: interfaces, a default network instance, a VLAN. */
import { NS } from './schema.js';
import { type DataNode, container, leaf, root } from './tree.js';

export interface InitialOptions {
  /** Device number (1-based): it picks the device's addresses. */
  index: number;
  interfaces: string[];
}

const IF = NS.ocIf;
const NI = NS.ocNi;

function ipv4Address(ip: string, prefixLength: number): DataNode {
  return container('address', NS.ocIp, [
    leaf('ip', NS.ocIp, ip),
    container('config', NS.ocIp, [leaf('ip', NS.ocIp, ip), leaf('prefix-length', NS.ocIp, String(prefixLength))]),
  ]);
}

function iface(name: string, ip: string): DataNode {
  return container('interface', IF, [
    leaf('name', IF, name),
    container('config', IF, [
      leaf('name', IF, name),
      leaf('type', IF, 'ianaift:ethernetCsmacd', NS.ianaIf),
      leaf('description', IF, `simulated port ${name}`),
      leaf('enabled', IF, 'true'),
      leaf('mtu', IF, '1500'),
    ]),
    container('subinterfaces', IF, [
      container('subinterface', IF, [
        leaf('index', IF, '0'),
        container('config', IF, [leaf('index', IF, '0'), leaf('enabled', IF, 'true')]),
        container('ipv4', NS.ocIp, [container('addresses', NS.ocIp, [ipv4Address(ip, 24)])]),
      ]),
    ]),
  ]);
}

function niInterface(name: string): DataNode {
  return container('interface', NI, [
    leaf('id', NI, `${name}.0`),
    container('config', NI, [leaf('id', NI, `${name}.0`), leaf('interface', NI, name), leaf('subinterface', NI, '0')]),
  ]);
}

function staticRoute(prefix: string, nextHop: string): DataNode {
  return container('static', NI, [
    leaf('prefix', NI, prefix),
    container('config', NI, [leaf('prefix', NI, prefix)]),
    container('next-hops', NI, [
      container('next-hop', NI, [
        leaf('index', NI, '0'),
        container('config', NI, [leaf('index', NI, '0'), leaf('next-hop', NI, nextHop)]),
      ]),
    ]),
  ]);
}

export function initialConfig(opts: InitialOptions): DataNode {
  const dev = opts.index % 250;
  const ifs = opts.interfaces.map((name, i) => iface(name, `10.${dev}.${(i + 1) % 256}.1`));
  const gateway = `10.${dev}.1.254`;
  const defaultNi = container('network-instance', NI, [
    leaf('name', NI, 'default'),
    container('config', NI, [
      leaf('name', NI, 'default'),
      leaf('type', NI, 'oc-ni-types:DEFAULT_INSTANCE', NS.ocNiTypes),
      leaf('enabled', NI, 'true'),
    ]),
    container('interfaces', NI, opts.interfaces.map(niInterface)),
    container('protocols', NI, [
      container('protocol', NI, [
        leaf('identifier', NI, 'oc-pol-types:STATIC', NS.ocPolTypes),
        leaf('name', NI, 'static'),
        container('config', NI, [
          leaf('identifier', NI, 'oc-pol-types:STATIC', NS.ocPolTypes),
          leaf('name', NI, 'static'),
        ]),
        container('static-routes', NI, [staticRoute('0.0.0.0/0', gateway)]),
      ]),
    ]),
    container('vlans', NI, [
      container('vlan', NI, [
        leaf('vlan-id', NI, '1'),
        container('config', NI, [leaf('vlan-id', NI, '1'), leaf('name', NI, 'default'), leaf('status', NI, 'ACTIVE')]),
      ]),
    ]),
  ]);
  return root([container('interfaces', IF, ifs), container('network-instances', NI, [defaultNi])]);
}
