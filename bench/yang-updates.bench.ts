/**
 * The YANG check of one gNMI SetRequest, as the gNMI driver and the simulated router run it for an
 * L3NM service (`npx tsx bench/yang-updates.bench.ts [iterations]`): the 7 updates a router on the
 * service's path gets (VRF, two interfaces with a subinterface and an address, the VRF's two
 * interfaces, the static protocol with a route), against the models the simulator announces
 * (interfaces and network-instances compiled). Compares, in the same run, the two readings of
 * src/protocols/yang/updates.ts: each update read below its path (validateUpdates, what the hooks
 * run) and all updates merged into one document from the root, written as JSON text and read
 * again (validateUpdatesAsDocument, what validateUpdates did before 2026-11-28 and still does for
 * requests it cannot read below their paths). Both must find the same fault in a bad variant.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { SHARED_DIR } from '../src/common/fixtures.js';
import { sharedModelRegistry } from '../src/protocols/yang/models.js';
import { type PathUpdate, validateUpdates, validateUpdatesAsDocument } from '../src/protocols/yang/updates.js';
import { summarize } from './stats.js';

const ITER = Number(process.argv[2] ?? 5000);
const OC = join(SHARED_DIR, 'fixtures', 'yang', 'openconfig');
if (!existsSync(OC)) throw new Error(`no OpenConfig models at ${OC}`);
const MODELS = ['openconfig-interfaces', 'openconfig-if-ip', 'openconfig-if-ethernet', 'openconfig-vlan', 'openconfig-network-instance', 'openconfig-system', 'openconfig-platform', 'iana-if-type'];
const t0 = performance.now();
const set = sharedModelRegistry([join(OC, 'models'), join(OC, 'third_party', 'ietf')]).schemaForTopNodes(
  MODELS.map((name) => ({ name })),
  ['interfaces', 'network-instances'],
);
if (!set.schema) throw new Error(set.error ?? 'no schema');
const schema = set.schema;
const compileMs = performance.now() - t0;

const ni = [{ name: 'network-instances' }, { name: 'network-instance', key: { name: 'bench-l3' } }];
const iface = (name: string, ip: string, len: number) => ({
  elems: [{ name: 'interfaces' }, { name: 'interface', key: { name } }],
  value: {
    name,
    config: { name, enabled: true },
    subinterfaces: { subinterface: [{ index: 0, config: { index: 0, enabled: true }, 'openconfig-if-ip:ipv4': { config: { enabled: true }, addresses: { address: [{ ip, config: { ip, 'prefix-length': len } }] } } }] },
  },
});
const niIface = (id: string, name: string) => ({ elems: [...ni, { name: 'interfaces' }, { name: 'interface', key: { id } }], value: { id, config: { id, interface: name, subinterface: 0 } } });
const STATIC = { identifier: 'openconfig-policy-types:STATIC', name: 'STATIC' };
const protocol = [...ni, { name: 'protocols' }, { name: 'protocol', key: STATIC }];
// Addresses here are leaf values of an OpenConfig document that is only validated: this bench opens no connection.
const setRequest = (nextHop: string): PathUpdate[] => [
  { elems: ni, value: { name: 'bench-l3', config: { name: 'bench-l3', type: 'openconfig-network-instance-types:L3VRF' } } },
  iface('Ethernet2', '10.255.0.6', 30),
  iface('Ethernet1', '172.16.2.1', 24),
  niIface('Ethernet2.0', 'Ethernet2'),
  niIface('Ethernet1.0', 'Ethernet1'),
  { elems: protocol, value: { ...STATIC, config: { ...STATIC, enabled: true } } },
  {
    elems: protocol,
    value: { ...STATIC, config: { ...STATIC, enabled: true }, 'static-routes': { static: [{ prefix: '172.16.1.0/24', config: { prefix: '172.16.1.0/24' }, 'next-hops': { 'next-hop': [{ index: '0', config: { index: '0', 'next-hop': nextHop } }] } }] } },
  },
];
const good = setRequest('10.255.0.5');
const bad = setRequest('not-an-address');

for (const [name, fn] of [
  ['below their paths', validateUpdates],
  ['one document', validateUpdatesAsDocument],
] as const) {
  const ok = fn(schema, good);
  const ko = fn(schema, bad);
  if (!ok.valid) throw new Error(`${name}: the good request is refused: ${JSON.stringify(ok.errors)}`);
  if (ko.valid || !ko.errors[0]!.path.endsWith('/config/next-hop')) throw new Error(`${name}: the bad next-hop is not refused: ${JSON.stringify(ko.errors)}`);
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const loadBefore = load();
const samples: Record<string, number[]> = { 'below their paths': [], 'one document': [] };
// Interleaved rounds of 100, so that both see the same machine.
for (let round = 0; round < ITER / 100; round++) {
  for (const [name, fn] of [
    ['below their paths', validateUpdates],
    ['one document', validateUpdatesAsDocument],
  ] as const) {
    const t = performance.now();
    for (let i = 0; i < 100; i++) fn(schema, good);
    if (round >= 5) samples[name]!.push((performance.now() - t) / 100);
  }
}
for (const [name, s] of Object.entries(samples)) {
  console.log(JSON.stringify({ bench: `YANG check of an L3NM SetRequest (7 updates), ${name}`, unit: 'ms per request (mean of 100)', ...summarize(s), load: `${loadBefore} -> ${load()}` }));
}
console.log(JSON.stringify({ bench: 'models compiled on this thread (interfaces + network-instances, once)', unit: 'ms', value: Math.round(compileMs) }));
